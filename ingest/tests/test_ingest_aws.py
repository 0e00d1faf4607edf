"""Ingest from an S3 prefix and a CloudWatch Logs group, against moto's AWS mock."""

import gzip
import time
from io import StringIO

import boto3
import pytest
from django.core.management import call_command
from django.db.models import Sum
from moto import mock_aws

from ingest.models import IngestedObject, LogStreamCheckpoint
from ingest.sources import cloudwatch, s3
from metrics.models import FlowTrafficRollup

REGION = "us-east-1"
BUCKET = "flow-logs"
PREFIX = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/12/04/"
GROUP = "/vpc/flow-logs"
HEADER = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status"
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def aws(settings):
    settings.AWS_REGION = REGION
    with mock_aws():
        yield


def record(index: int, start: int = 1733300000) -> str:
    return (
        f"2 123456789012 eni-{index % 3} 10.0.0.{index % 9} 10.1.0.{index % 4} {3000 + index} 22 6 "
        f"1 60 {start + index} {start + index + 30} {'REJECT' if index % 5 == 0 else 'ACCEPT'} OK"
    )


def ingest(*sources: str) -> str:
    out = StringIO()
    call_command("ingest", *sources, stdout=out)
    return out.getvalue()


def flow_total() -> int:
    total = FlowTrafficRollup.objects.filter(resolution=300).aggregate(n=Sum("flows"))["n"]
    return int(total or 0)


def put_flow_objects(count: int, records_each: int) -> None:
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET)
    for number in range(count):
        lines = [HEADER] + [record(number * records_each + i) for i in range(records_each)]
        body = gzip.compress(("\n".join(lines) + "\n").encode())
        client.put_object(Bucket=BUCKET, Key=f"{PREFIX}flows-{number:03}.log.gz", Body=body)
    client.put_object(Bucket=BUCKET, Key="AWSLogs/elsewhere.log.gz", Body=b"")


def test_s3_prefix_across_pages(monkeypatch):
    monkeypatch.setattr(s3, "LIST_PAGE_SIZE", 2)
    put_flow_objects(5, 40)

    output = ingest(f"s3://{BUCKET}/{PREFIX}")

    assert "objects ingested: 5" in output
    assert flow_total() == 200
    assert IngestedObject.objects.filter(kind="s3").count() == 5


def test_s3_reingest_skips_known_etags(monkeypatch):
    monkeypatch.setattr(s3, "LIST_PAGE_SIZE", 2)
    put_flow_objects(3, 10)
    ingest(f"s3://{BUCKET}/{PREFIX}")

    output = ingest(f"s3://{BUCKET}/{PREFIX}")

    assert "duplicate objects skipped: 3" in output
    assert flow_total() == 30


def test_s3_rewritten_object_is_ingested_again():
    put_flow_objects(1, 10)
    ingest(f"s3://{BUCKET}/{PREFIX}")
    body = gzip.compress(("\n".join([HEADER, record(99)]) + "\n").encode())
    boto3.client("s3", region_name=REGION).put_object(
        Bucket=BUCKET, Key=f"{PREFIX}flows-000.log.gz", Body=body
    )

    ingest(f"s3://{BUCKET}/{PREFIX}")

    assert flow_total() == 11


def put_log_events(stream: str, first: int, count: int, timestamp_ms: int) -> None:
    client = boto3.client("logs", region_name=REGION)
    try:
        client.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    except client.exceptions.ResourceAlreadyExistsException:
        pass
    events = [{"timestamp": timestamp_ms + i, "message": record(first + i)} for i in range(count)]
    client.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)


# CloudWatch Logs rejects events older than 14 days, so event times are taken from the clock.
NOW_MS = int(time.time() * 1000) - 3_600_000


@pytest.fixture
def log_group():
    boto3.client("logs", region_name=REGION).create_log_group(logGroupName=GROUP)
    put_log_events("eni-1-all", 0, 12, NOW_MS)
    put_log_events("eni-2-all", 100, 9, NOW_MS + 500)


def test_log_group_across_pages(monkeypatch, log_group, caplog):
    monkeypatch.setattr(cloudwatch, "PAGE_LIMIT", 5)
    caplog.set_level("INFO", logger="ingest.pipeline")

    output = ingest(f"logs://{GROUP}")

    assert "page 5 as vpc-flow" in caplog.text  # 21 events in pages of at most 5
    assert flow_total() == 21
    assert "flows: 21" in output
    assert LogStreamCheckpoint.objects.count() == 2


def test_log_group_rerun_reads_only_new_events(monkeypatch, log_group):
    monkeypatch.setattr(cloudwatch, "PAGE_LIMIT", 5)
    ingest(f"logs://{GROUP}")
    put_log_events("eni-1-all", 200, 4, NOW_MS + 100_000)

    output = ingest(f"logs://{GROUP}")

    assert flow_total() == 25
    assert "flows: 4" in output
