"""`manage.py ingest` of ALB access logs: detection, counts with line numbers, gzip, S3, re-ingest."""

import gzip
import shutil
from datetime import datetime
from io import StringIO
from pathlib import Path

import boto3
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum
from moto import mock_aws

from ingest.models import IngestedObject
from logparsers.alb import detect_alb
from metrics.models import MetricDatapoint

SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "samples" / "alb"
LOAD_BALANCER = "app/my-alb/50dc6c495c0c9188"

# Sample -> (records, numbers of the malformed lines), as the ALB parser tests count them.
SAMPLE_COUNTS = {
    "beats-alb-460-504-200.log": (10, []),
    "beats-alb-protocols-errors-malformed.log": (8, [5]),
    "elastic-elb-mixed-alb-nlb-connlog.log": (3, [3, 4, 5, 6, 7, 8, 9]),
}

pytestmark = pytest.mark.django_db


def alb_line(
    time: str = "2026-11-30T09:12:00.100000Z",
    *,
    load_balancer: str = LOAD_BALANCER,
    target: str = "10.0.0.1:80",
    target_seconds: str = "0.100",
    elb_status: str = "200",
    target_status: str = "200",
    created: str = "",
) -> str:
    """Return an https access log line with the given values and plausible others."""
    return (
        f"https {time} {load_balancer} 192.0.2.10:52044 {target} 0.001 {target_seconds} 0.000 "
        f"{elb_status} {target_status} 120 512 "
        '"GET https://shop.example.com:443/cart?id=7 HTTP/1.1" "Mozilla/5.0" '
        "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067 "
        '"Root=1-6720a0c1-0f1e2d3c4b5a69788796a5b4" "shop.example.com" "-" 0 '
        f'{created or time} "forward" "-" "-" "{target}" "{target_status}" "-" "-" TID_01'
    )


def ingest(*sources: str, **options) -> str:
    out = StringIO()
    call_command("ingest", *sources, stdout=out, **options)
    return out.getvalue()


def request_count() -> int:
    stored = MetricDatapoint.objects.filter(
        series__metric_name="RequestCount", series__statistic="Sum"
    )
    return int(stored.aggregate(total=Sum("value"))["total"] or 0)


@pytest.mark.parametrize(("name", "expected"), SAMPLE_COUNTS.items())
def test_sample_counts_and_malformed_line_numbers(name, expected):
    records, malformed_lines = expected

    output = ingest(str(SAMPLES / name))

    row = IngestedObject.objects.get()
    assert (row.log_format, row.records, row.malformed) == ("alb", records, len(malformed_lines))
    for number in malformed_lines:
        assert f"{(SAMPLES / name).resolve()} line {number}: " in output
    assert output.count(" line ") == len(malformed_lines)
    assert f"  alb: 1 object, {records} record" in output


def test_summary_leaves_out_flow_counts():
    output = ingest(str(SAMPLES / "beats-alb-460-504-200.log"))

    assert "records: 10" in output
    assert "flows:" not in output
    assert "NODATA" not in output


def test_malformed_reason_names_other_elb_logs():
    output = ingest(str(SAMPLES / "elastic-elb-mixed-alb-nlb-connlog.log"))

    assert "line 3: Network Load Balancer TLS log line" in output
    assert "line 7: ALB connection log line" in output


def test_gzip_file_counts_as_plain(tmp_path):
    plain = SAMPLES / "beats-alb-protocols-errors-malformed.log"
    packed = tmp_path / "alb.log.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))

    output = ingest(str(packed))

    row = IngestedObject.objects.get()
    assert (row.log_format, row.records, row.malformed) == ("alb", 8, 1)
    assert f"{packed.resolve()} line 5: " in output


def test_crafted_file_numbers_lines_from_one(tmp_path):
    lines = [alb_line(), "", "tls 2.0 2026-11-30T09:12:00 net/x/y", alb_line(), "not a log line"]
    path = tmp_path / "crafted.log"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())

    output = ingest(str(path))

    row = IngestedObject.objects.get()
    assert (row.records, row.malformed) == (2, 2)
    assert f"{path.resolve()} line 3: Network Load Balancer" in output
    assert f"{path.resolve()} line 5: " in output


def test_sample_requests_reach_metrics_store():
    ingest(str(SAMPLES))

    assert request_count() == sum(records for records, _ in SAMPLE_COUNTS.values())


def test_reingest_changes_nothing(tmp_path):
    shutil.copytree(SAMPLES, tmp_path / "alb")
    ingest(str(tmp_path / "alb"))
    before = list(
        MetricDatapoint.objects.order_by("pk").values_list("series_id", "timestamp", "value")
    )

    output = ingest(str(tmp_path / "alb"))

    after = list(
        MetricDatapoint.objects.order_by("pk").values_list("series_id", "timestamp", "value")
    )
    assert after == before
    assert f"duplicate objects skipped: {len(SAMPLE_COUNTS)}" in output
    assert IngestedObject.objects.count() == len(SAMPLE_COUNTS)


def test_format_option_reads_waf_json_as_malformed_alb():
    path = SAMPLES / "elastic-waf-sqli-xss-labelled.ndjson"

    output = ingest(str(path), format="alb")

    row = IngestedObject.objects.get()
    assert (row.log_format, row.records, row.malformed) == ("alb", 0, 4)
    assert f"{path.resolve()} line 4: JSON record" in output


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"\n\n",
        b"2 123456789012 eni-1 10.0.0.1 10.0.0.2 443 5000 6 1 60 1733300000 1733300060 ACCEPT OK\n",
        b"tls 2.0 2018-12-20T02:59:40 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341\n",
        b'2024-03-01T00:00:00.000000Z my-alb 192.0.2.1 443 - - Success "-" - - -\n',
        b'{"timestamp":1576280412771,"formatVersion":1,"webaclId":"arn:aws:wafv2:x","action":"BLOCK"}\n',
        b"http 2019-10-11T15:01:12Z app/x/y too few fields\n",
        b"\x1f\x8b\x08\x00 binary",
    ],
)
def test_detect_rejects_other_content(head):
    assert not detect_alb(head)


def test_detect_accepts_access_log_after_blank_lines():
    assert detect_alb(b"\n" + alb_line().encode() + b"\n")


@pytest.fixture
def s3_bucket(settings):
    settings.AWS_REGION = "us-east-1"
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="alb-logs")
        yield client


def test_s3_prefix_of_elb_layout(s3_bucket):
    prefix = "AWSLogs/123456789012/elasticloadbalancing/us-east-1/2026/11/30/"
    for number, minute in enumerate(["09:12", "09:17"]):
        key = (
            f"{prefix}123456789012_elasticloadbalancing_us-east-1_app.my-alb.50dc6c495c0c9188_"
            f"20261130T09{minute[-2:]}Z_192.0.2.5_{number}.log.gz"
        )
        lines = [alb_line(f"2026-11-30T{minute}:0{i}.000000Z") for i in range(3)]
        s3_bucket.put_object(
            Bucket="alb-logs", Key=key, Body=gzip.compress("\n".join(lines).encode())
        )

    output = ingest(f"s3://alb-logs/{prefix}")

    assert "  alb: 2 objects, 6 records" in output
    assert set(IngestedObject.objects.values_list("kind", "log_format")) == {("s3", "alb")}
    assert request_count() == 6
    assert "duplicate objects skipped: 2" in ingest(f"s3://alb-logs/{prefix}")
    assert request_count() == 6


def test_bucket_uses_request_creation_time(tmp_path):
    path = tmp_path / "late.log"
    path.write_text(alb_line("2026-11-30T09:15:01.000000Z", created="2026-11-30T09:14:59.000000Z"))

    ingest(str(path))

    point = MetricDatapoint.objects.get(series__metric_name="RequestCount")
    assert point.timestamp == datetime.fromisoformat("2026-11-30T09:10:00+00:00")
