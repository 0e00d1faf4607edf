"""ALB access logs feed /api/metrics/alb with METRICS_SOURCE=local: sums, averages, hints."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ingest.tests.test_ingest_alb import alb_line
from metrics.cloudwatch.definitions import ALB_HEALTHY_HOSTS_LOCAL_HINT, ENDPOINTS
from metrics.datapoint_services import datapoints_add
from metrics.models import MetricDatapoint
from metrics.tests.cloudwatch_fixtures import fixed_now  # noqa: F401

pytestmark = pytest.mark.django_db

OTHER_BALANCER = "app/other-alb/0123456789abcdef"


@pytest.fixture
def local_settings(settings, fixed_now):  # noqa: F811
    settings.METRICS_SOURCE = "local"
    settings.SIEM_DISPLAY_TIME_ZONE = "UTC"
    settings.SIEM_ALB_NAME = ""
    settings.SIEM_ALB_TARGET_GROUP = ""
    return settings


@pytest.fixture
def access_logs(tmp_path, local_settings):
    """Two log objects that share the 09:10 bucket, so their sums must add up."""
    first = [
        alb_line("2026-11-30T09:12:00.000000Z", target_seconds="0.100", target_status="200"),
        alb_line("2026-11-30T09:12:30.000000Z", target_seconds="0.200", target_status="404"),
        # The target sent no response: no response time and no target status code.
        alb_line(
            "2026-11-30T09:13:00.000000Z",
            target_seconds="-1",
            elb_status="502",
            target_status="-",
        ),
        alb_line("2026-11-30T09:47:00.000000Z", target_seconds="0.050", target_status="500"),
    ]
    second = [
        alb_line("2026-11-30T09:14:00.000000Z", target_seconds="0.300", target_status="503"),
        alb_line("2026-11-30T09:14:30.000000Z", target_seconds="0.000", target_status="200"),
        alb_line(
            "2026-11-30T09:12:00.000000Z",
            load_balancer=OTHER_BALANCER,
            target_seconds="0.900",
            target_status="500",
        ),
    ]
    (tmp_path / "a.log").write_text("\n".join(first) + "\n")
    (tmp_path / "b.log").write_text("\n".join(second) + "\n")
    call_command("ingest", str(tmp_path), stdout=StringIO())


def alb_metrics(client, time_range: str, resource: str = "my-alb") -> dict:
    response = client.get(reverse("metrics-alb"), {"time_range": time_range, "resource": resource})
    assert response.status_code == 200, response.content
    assert response["X-Metrics-Source"] == "local"
    return response.json()


def test_counts_per_five_minute_period(access_logs, auth_client):
    body = alb_metrics(auth_client, "1h")

    assert body["request_count"]["Timestamps"][0] == "09:10"
    assert body["request_count"]["Values"] == [5, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    assert body["http_code_4xx"]["Values"] == [1] + [0] * 11
    assert body["http_code_5xx"]["Values"] == [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]


def test_response_time_mean_in_ms(access_logs, auth_client):
    body = alb_metrics(auth_client, "1h")

    # (0.100 + 0.200 + 0.300 + 0.000) s / 4 target responses. The 502 has no target time.
    assert body["target_response_time"]["Values"] == [150.0] + [None] * 6 + [50.0] + [None] * 4


def test_response_time_weighs_requests_across_buckets(access_logs, auth_client):
    body = alb_metrics(auth_client, "24h")

    # The 09:00 hour contains buckets of 4 and 1 target responses: 0.65 s / 5, not (150 + 50) / 2.
    assert body["target_response_time"]["Timestamps"][22] == "09:00"
    assert body["target_response_time"]["Values"][22] == 130.0
    assert body["request_count"]["Values"][22] == 6


def test_load_balancers_are_separate_resources(access_logs, auth_client):
    body = alb_metrics(auth_client, "1h", resource="other-alb")

    assert body["request_count"]["Values"] == [1] + [0] * 11
    assert body["http_code_5xx"]["Values"] == [1] + [0] * 11
    assert body["target_response_time"]["Values"][0] == 900.0


def test_healthy_hosts_are_null_with_hint(access_logs, auth_client):
    chart = alb_metrics(auth_client, "1h")["healthy_host_count"]

    assert chart["Values"] == [None] * 12
    assert chart["Hint"] == ALB_HEALTHY_HOSTS_LOCAL_HINT


def test_only_load_balancer_is_picked_without_resource(tmp_path, local_settings, auth_client):
    (tmp_path / "one.log").write_text(alb_line("2026-11-30T09:12:00.000000Z") + "\n")
    call_command("ingest", str(tmp_path), stdout=StringIO())

    response = auth_client.get(reverse("metrics-alb"), {"time_range": "1h"})

    assert response.status_code == 200
    assert response.json()["request_count"]["Values"][0] == 1


@pytest.mark.parametrize(
    ("source", "expected"), [("local", ALB_HEALTHY_HOSTS_LOCAL_HINT), ("cloudwatch", "")]
)
def test_healthy_host_hint_is_only_for_local_source(source, expected):
    chart = next(c for c in ENDPOINTS["alb"].charts if c.key == "healthy_host_count")

    assert chart.hint_for(source) == expected


def test_datapoints_add_sums_repeated_timestamps():
    moment = datetime(2026, 11, 30, 9, 10, tzinfo=UTC)
    series = {"namespace": "AWS/ApplicationELB", "metric": "RequestCount", "statistic": "Sum"}

    datapoints_add(**series, dimensions={"LoadBalancer": "app/a/1"}, points=[(moment, 3.0)])
    datapoints_add(**series, dimensions={"LoadBalancer": "app/a/1"}, points=[(moment, 4.0)])

    assert list(MetricDatapoint.objects.values_list("timestamp", "value")) == [(moment, 7.0)]


def test_datapoints_add_rejects_average():
    with pytest.raises(ValueError, match="'Average' cannot be added up"):
        datapoints_add(
            namespace="AWS/ApplicationELB",
            metric="TargetResponseTime",
            dimensions={"LoadBalancer": "app/a/1"},
            statistic="Average",
            points=[],
        )
