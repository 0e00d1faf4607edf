from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from prometheus_client.parser import text_string_to_metric_families

from metrics.datapoint_services import series_get_or_create
from siem import telemetry

METRICS_TOKEN = "test-metrics-token-0123456789abcdefghijkl"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("metrics_token")]


@pytest.fixture
def metrics_token():
    with override_settings(SIEM_METRICS_TOKEN=METRICS_TOKEN):
        yield METRICS_TOKEN


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def sample_value(text: str, name: str, **labels: str) -> float:
    """Return the value of one sample in a Prometheus text exposition, 0.0 when absent."""
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def test_anonymous_scrape_is_rejected(api_client):
    response = api_client.get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert response.json() == {"message": "Unauthorized"}


@pytest.mark.parametrize(
    "header",
    ["Bearer wrong-token", f"Basic {METRICS_TOKEN}", f"Bearer {METRICS_TOKEN}x", "Bearer"],
)
def test_wrong_credentials_are_rejected(api_client, header):
    response = api_client.get("/metrics", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401


def test_api_access_token_does_not_open_metrics(auth_client):
    response = auth_client.get("/metrics")

    assert response.status_code == 401


def test_endpoint_is_disabled_without_token(api_client):
    with override_settings(SIEM_METRICS_TOKEN=""):
        response = api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer ")

    assert response.status_code == 403
    assert "SIEM_METRICS_TOKEN" in response.json()["message"]


def test_post_is_not_allowed(api_client):
    response = api_client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    assert response.status_code == 405


def test_scrape_lists_product_counters(api_client):
    text = scrape(api_client)

    for name in (
        "siem_records_ingested_total",
        "siem_records_malformed_total",
        "siem_detections_raised_total",
        "siem_cloudwatch_calls_total",
        "siem_metrics_cache_hits_total",
    ):
        assert f"# TYPE {name} counter" in text


def test_requests_are_counted_by_view_and_status(api_client):
    labels = {"view": "health", "method": "GET", "status": "200"}
    before = sample_value(
        scrape(api_client), "django_http_responses_total_by_status_view_method_total", **labels
    )

    api_client.get("/api/health")
    api_client.get("/api/health")

    after = sample_value(
        scrape(api_client), "django_http_responses_total_by_status_view_method_total", **labels
    )
    assert after - before == 2


def test_request_latency_is_recorded_by_view(api_client):
    name = "django_http_requests_latency_seconds_by_view_method_count"
    before = sample_value(scrape(api_client), name, view="health", method="GET")

    api_client.get("/api/health")

    after = sample_value(scrape(api_client), name, view="health", method="GET")
    assert after - before == 1


def test_unauthorized_responses_are_counted(api_client):
    labels = {"view": "me", "method": "GET", "status": "401"}
    before = sample_value(
        scrape(api_client), "django_http_responses_total_by_status_view_method_total", **labels
    )

    api_client.get("/api/me")

    after = sample_value(
        scrape(api_client), "django_http_responses_total_by_status_view_method_total", **labels
    )
    assert after - before == 1


def test_product_counter_increments_appear_in_scrape(api_client):
    before = sample_value(scrape(api_client), "siem_detections_raised_total", type="port_scan")

    telemetry.DETECTIONS_RAISED.labels(type="port_scan").inc(3)

    after = sample_value(scrape(api_client), "siem_detections_raised_total", type="port_scan")
    assert after - before == 3


@override_settings(METRICS_SOURCE="local")
def test_metrics_cache_hit_counter_moves(api_client, auth_client):
    series_get_or_create(
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dimensions={"DBInstanceIdentifier": "siem-db"},
        statistic="Average",
    )
    before = sample_value(scrape(api_client), "siem_metrics_cache_hits_total", endpoint="rds")

    first = auth_client.get("/api/metrics/rds?time_range=1h")
    second = auth_client.get("/api/metrics/rds?time_range=1h")

    after = sample_value(scrape(api_client), "siem_metrics_cache_hits_total", endpoint="rds")
    assert first.status_code == 200
    assert second.status_code == 200
    assert after - before == 1


def write_flow_log(path, good_lines: int) -> None:
    header = (
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end action log-status"
    )
    records = [
        f"2 123456789012 eni-1 10.0.0.{i} 172.16.0.1 {4000 + i} 443 6 2 120 "
        "1733300000 1733300060 ACCEPT OK"
        for i in range(good_lines)
    ]
    path.write_text("\n".join([header, *records, "2 123456789012 not-a-flow-record"]) + "\n")


def test_ingest_moves_record_counters(api_client, tmp_path):
    flow_log = tmp_path / "flows.log"
    write_flow_log(flow_log, good_lines=3)
    text = scrape(api_client)
    ingested_before = sample_value(text, "siem_records_ingested_total", format="vpc-flow")
    malformed_before = sample_value(text, "siem_records_malformed_total", format="vpc-flow")

    call_command("ingest", str(flow_log), stdout=StringIO())

    text = scrape(api_client)
    assert (
        sample_value(text, "siem_records_ingested_total", format="vpc-flow") - ingested_before == 3
    )
    assert (
        sample_value(text, "siem_records_malformed_total", format="vpc-flow") - malformed_before
        == 1
    )


def test_repeated_ingest_leaves_counters_unchanged(api_client, tmp_path):
    flow_log = tmp_path / "flows.log"
    write_flow_log(flow_log, good_lines=2)
    call_command("ingest", str(flow_log), stdout=StringIO())
    before = sample_value(scrape(api_client), "siem_records_ingested_total", format="vpc-flow")

    call_command("ingest", str(flow_log), stdout=StringIO())

    after = sample_value(scrape(api_client), "siem_records_ingested_total", format="vpc-flow")
    assert after == before
