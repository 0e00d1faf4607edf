"""Objects under an S3 prefix (such as AWSLogs/<account>/vpcflowlogs/<region>/) as ingest objects."""

import logging
from collections.abc import Iterable, Iterator

from botocore.exceptions import BotoCoreError, ClientError

from ingest.models import IngestedObject, key_digest
from logparsers.common import ParseStats
from siem import aws

logger = logging.getLogger(__name__)

READ_CHUNK_BYTES = 1024 * 1024
# Keys per ListObjectsV2 page; 1000 is the S3 maximum.
LIST_PAGE_SIZE = 1000


class S3Object:
    """One S3 object, known by its key and ETag: a rewritten object is ingested again."""

    def __init__(self, client, bucket: str, key: str, etag: str) -> None:
        self.client = client
        self.bucket = bucket
        self.key = key
        self.etag = etag
        self.name = f"s3://{bucket}/{key}"

    def chunks(self) -> Iterable[bytes]:
        try:
            # IfMatch makes S3 reject a version other than the one listed and checkpointed.
            body = self.client.get_object(Bucket=self.bucket, Key=self.key, IfMatch=self.etag)[
                "Body"
            ]
            yield from body.iter_chunks(READ_CHUNK_BYTES)
        except (BotoCoreError, ClientError) as err:
            raise aws.AwsError(f"reading {self.name} failed: {err}") from err

    def is_ingested(self) -> bool:
        return IngestedObject.objects.filter(
            kind=IngestedObject.Kind.S3, key_hash=key_digest(self.name), version=self.etag
        ).exists()

    def mark_ingested(self, log_format: str, stats: ParseStats) -> None:
        IngestedObject.objects.create(
            kind=IngestedObject.Kind.S3,
            key=self.name,
            version=self.etag,
            log_format=log_format,
            records=stats.records,
            flows=stats.flows,
            nodata=stats.nodata,
            skipdata=stats.skipdata,
            malformed=stats.malformed,
        )


def parse_s3_url(url: str) -> tuple[str, str]:
    """Split `s3://bucket/prefix` into bucket and prefix."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not bucket:
        raise ValueError(f"{url!r} names no bucket: use s3://bucket/prefix")
    return bucket, prefix


def s3_objects(url: str) -> Iterator[S3Object]:
    """Yield every object under the prefix, page by page, in key order."""
    bucket, prefix = parse_s3_url(url)
    client = aws.client("s3")
    try:
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": LIST_PAGE_SIZE}
        )
        for page in pages:
            for item in page.get("Contents", []):
                if not item["Key"].endswith("/"):
                    yield S3Object(client, bucket, item["Key"], item["ETag"])
    except (BotoCoreError, ClientError) as err:
        raise aws.AwsError(f"listing {url} failed: {err}") from err
