"""Every shared sample file goes through `manage.py ingest` and is recognised, or reported not."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from ingest.models import IngestedObject

SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "samples"

# Sample path -> the format auto-detection picks, or None for a file no format claims.
EXPECTED_FORMATS = {
    "SOURCES.md": None,
    "alb/beats-alb-460-504-200.log": "alb",
    "alb/beats-alb-protocols-errors-malformed.log": "alb",
    "alb/elastic-elb-mixed-alb-nlb-connlog.log": "alb",
    # AWS WAF logs are JSON, not ALB access logs, even when the WAF guards a load balancer.
    "alb/elastic-waf-sqli-xss-labelled.ndjson": None,
    "cloudtrail/elastic-console-login.ndjson": None,
    "guardduty/elastic-sample-findings-ec2-network-subset.ndjson": None,
    "route53-resolver/elastic-resolver-query-logs.ndjson": "route53-resolver",
    "threat-intel/blocklistproject-ransomware-hosts-excerpt.txt": None,
    "threat-intel/ipsum-head500.tsv": None,
    "threat-intel/ipsum-level5-ips.txt": None,
    "vpc-flow/beats-bad-unsupported-format.log": None,
    "vpc-flow/beats-custom-nat-gateway-header.log": "vpc-flow",
    "vpc-flow/elastic-mixed-v2-v3-malformed-eni.log": "vpc-flow",
    "vpc-flow/elastic-v2-default-extra-samples.log": "vpc-flow",
    "vpc-flow/elastic-v2-message-wrapped.ndjson": "vpc-flow",
    "vpc-flow/elastic-v3-ecs-fields.log": "vpc-flow",
    "vpc-flow/elastic-v3-header-tcp-flags.log": "vpc-flow",
    "vpc-flow/elastic-v3-transit-gateway.log": "vpc-flow",
    "vpc-flow/elastic-v5-all-fields.log": "vpc-flow",
    "vpc-flow/elastic-v8-ecs-reject-reason.log": "vpc-flow",
    "vpc-flow/flowlogs-reader-v2-pandas.parquet": "vpc-flow",
    "vpc-flow/own-v2-default-with-header.log": "vpc-flow",
    "vpc-flow/own-v2-default-with-header.log.gz": "vpc-flow",
}

pytestmark = pytest.mark.django_db


def ingest(*sources: str) -> str:
    out = StringIO()
    call_command("ingest", *sources, stdout=out)
    return out.getvalue()


def test_table_lists_every_sample_file():
    found = {str(path.relative_to(SAMPLES)) for path in SAMPLES.rglob("*") if path.is_file()}

    assert found == set(EXPECTED_FORMATS)


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_FORMATS.items()))
def test_sample_file_is_recognised_as_expected(name, expected):
    path = SAMPLES / name

    output = ingest(str(path))

    if expected is None:
        assert not IngestedObject.objects.exists()
        assert "objects in no known format: 1" in output
        assert f"  {path.resolve()}" in output
    else:
        assert IngestedObject.objects.get().log_format == expected
        assert "objects in no known format" not in output


def test_sample_folder_counts_objects_per_format():
    output = ingest(str(SAMPLES))

    assert "objects ingested: 16" in output
    assert "  alb: 3 objects, 21 records" in output
    assert "  route53-resolver: 1 object, 34 records" in output
    assert "  vpc-flow: 12 objects," in output
    assert "objects in no known format: 8" in output
    # The own-*.log and own-*.log.gz files have the same content but are separate objects.
    assert IngestedObject.objects.filter(log_format="vpc-flow").count() == 12


def test_sample_folder_reingest_skips_every_object():
    ingest(str(SAMPLES))

    output = ingest(str(SAMPLES))

    assert "objects ingested: 0" in output
    assert "duplicate objects skipped: 16" in output
    assert "records: 0" in output
