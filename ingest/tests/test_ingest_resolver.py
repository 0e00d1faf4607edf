"""`manage.py ingest` of Route 53 Resolver query logs: files, gzip, S3, CloudWatch Logs."""

import gzip
import json
import time
from io import StringIO
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.core.management import call_command
from moto import mock_aws

from ingest.models import IngestedObject, LogStreamCheckpoint
from ingest.sources import cloudwatch
from logparsers.resolver import detect_resolver

SAMPLE = (
    Path(settings.BASE_DIR).parent
    / "shared"
    / "samples"
    / "route53-resolver"
    / "elastic-resolver-query-logs.ndjson"
)
REGION = "us-east-1"
GROUP = "/aws/route53resolver/query-logs"

pytestmark = pytest.mark.django_db


def query_line(number: int, **changes) -> str:
    query = {
        "version": "1.100000",
        "account_id": "111122223333",
        "region": REGION,
        "vpc_id": "vpc-0a1b2c3d",
        "query_timestamp": f"2026-11-30T09:12:{number % 60:02}Z",
        "query_name": f"host{number}.example.com.",
        "query_type": "A",
        "query_class": "IN",
        "rcode": "NOERROR",
        "answers": [{"Rdata": "192.0.2.44", "Type": "A", "Class": "IN"}],
        "srcaddr": f"10.0.0.{number % 250}",
        "srcport": "53001",
        "transport": "UDP",
        "srcids": {"instance": "i-0123456789abcdef0"},
    }
    query.update(changes)
    return json.dumps({key: value for key, value in query.items() if value is not None})


def ingest(*sources: str) -> str:
    out = StringIO()
    call_command("ingest", *sources, stdout=out)
    return out.getvalue()


def test_sample_file_counts():
    output = ingest(str(SAMPLE))

    row = IngestedObject.objects.get()
    # 34 JSON objects with no trailing newline; every one is a valid query.
    assert (row.log_format, row.records, row.malformed) == ("route53-resolver", 34, 0)
    assert "  route53-resolver: 1 object, 34 records" in output
    assert "flows:" not in output


def test_gzip_sample_counts_as_plain(tmp_path):
    packed = tmp_path / "queries.log.gz"
    packed.write_bytes(gzip.compress(SAMPLE.read_bytes()))

    ingest(str(packed))

    row = IngestedObject.objects.get()
    assert (row.log_format, row.records, row.malformed) == ("route53-resolver", 34, 0)


def test_malformed_lines_are_numbered(tmp_path):
    lines = [
        query_line(1),
        "",
        '{"version": "1.100000", "query_name": "cut.example.com.", "srcaddr": "10.0.0',
        query_line(2, srcaddr=None),
        query_line(3),
        "[1, 2]",
    ]
    path = tmp_path / "queries.log"
    path.write_bytes(("\r\n".join(lines)).encode())

    output = ingest(str(path))

    row = IngestedObject.objects.get()
    assert (row.records, row.malformed) == (2, 3)
    assert f"{path.resolve()} line 3: invalid JSON" in output
    assert f"{path.resolve()} line 4: missing field 'srcaddr'" in output
    assert f"{path.resolve()} line 6: expected a JSON object, found list" in output


def test_reingest_changes_nothing():
    ingest(str(SAMPLE))

    output = ingest(str(SAMPLE))

    assert "duplicate objects skipped: 1" in output
    assert IngestedObject.objects.count() == 1


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"not json\n",
        b"[]\n",
        b'{"query_name": "example.com.", "srcaddr": "10.0.0.1"}\n',
        b'{"schemaVersion": "2.0", "accountId": "111122223333", "type": "Recon:EC2/Portscan"}\n',
        b'{"eventVersion": "1.05", "eventName": "ConsoleLogin", "sourceIPAddress": "192.0.2.1"}\n',
        b'{"message": "2 123456789012 eni-1 - - - - - - - 1 2 - NODATA"}\n',
    ],
)
def test_detect_rejects_other_content(head):
    assert not detect_resolver(head)


def test_detect_accepts_query_after_blank_line():
    assert detect_resolver(b"\n" + query_line(1).encode() + b"\n")


@pytest.fixture
def aws(settings):
    settings.AWS_REGION = REGION
    with mock_aws():
        yield


# CloudWatch Logs rejects events older than 14 days, so event times are taken from the clock.
NOW_MS = int(time.time() * 1000) - 3_600_000


def put_query_events(stream: str, messages: list[str], timestamp_ms: int) -> None:
    client = boto3.client("logs", region_name=REGION)
    try:
        client.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    except client.exceptions.ResourceAlreadyExistsException:
        pass
    events = [{"timestamp": timestamp_ms + i, "message": m} for i, m in enumerate(messages)]
    client.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)


def test_log_group_pages_and_rerun(aws, monkeypatch, caplog):
    monkeypatch.setattr(cloudwatch, "PAGE_LIMIT", 4)
    caplog.set_level("INFO", logger="ingest.pipeline")
    boto3.client("logs", region_name=REGION).create_log_group(logGroupName=GROUP)
    put_query_events("vpc-0a1b2c3d_a", [query_line(i) for i in range(5)], NOW_MS)
    put_query_events("vpc-0a1b2c3d_b", [query_line(9), "{oops"], NOW_MS + 100)

    output = ingest(f"logs://{GROUP}")

    assert "page 2 as route53-resolver" in caplog.text  # 7 events in pages of at most 4
    assert "records: 6" in output
    assert f"logs://{GROUP} page 2 line 3: invalid JSON" in output
    assert LogStreamCheckpoint.objects.count() == 2

    put_query_events("vpc-0a1b2c3d_a", [query_line(20)], NOW_MS + 1000)
    assert "records: 1" in ingest(f"logs://{GROUP}")


def test_s3_prefix_of_query_log_layout(aws):
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket="dns-logs")
    prefix = "AWSLogs/111122223333/vpcdnsquerylogs/vpc-0a1b2c3d/2026/11/30/"
    body = gzip.compress("\n".join(query_line(i) for i in range(4)).encode())
    client.put_object(
        Bucket="dns-logs", Key=f"{prefix}vpc-0a1b2c3d_20261130T0915Z_a1.log.gz", Body=body
    )

    output = ingest(f"s3://dns-logs/{prefix}")

    assert "  route53-resolver: 1 object, 4 records" in output
    assert IngestedObject.objects.get().kind == "s3"
