"""The dashboard's view of the API: a real browser on http://localhost:3000 calls every endpoint."""

import functools
import http.server
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from metrics.flows.selectors import rollup_vpc_stats
from metrics.timeranges import TIME_RANGES
from siem.testing.browser import launch_chromium
from threats.models import SecurityEvent

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_DIR = Path(__file__).parent / "dashboard"
CONTRACT_PATHS = [
    "/api/register",
    "/api/login",
    "/api/me",
    "/api/metrics/alb?time_range=1h",
    "/api/metrics/rds?time_range=6h",
    "/api/metrics/vpc?time_range=24h",
    "/api/metrics/asg?time_range=1h",
    "/api/metrics/sagemaker?time_range=7d",
    "/api/threats/classifications",
    "/api/threats/events",
    "/api/logout",
    "/api/me",
]

METRIC_KEYS = {
    "/api/metrics/alb?time_range=1h": [
        "request_count",
        "target_response_time",
        "healthy_host_count",
        "http_code_4xx",
        "http_code_5xx",
    ],
    "/api/metrics/rds?time_range=6h": [
        "cpu_utilization",
        "database_connections",
        "read_latency",
        "write_latency",
        "freeable_memory",
    ],
    "/api/metrics/asg?time_range=1h": [
        "desired_capacity",
        "group_in_service_instances",
        "cpu_utilization",
    ],
    "/api/metrics/sagemaker?time_range=7d": ["invocations", "model_latency", "invocation_errors"],
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (signature fixed by http.server)
        pass


@pytest.fixture
def page_server(request):
    """Serve the stand-in dashboard page on localhost at the port given by the test's param."""
    port = request.param
    handler = functools.partial(_QuietHandler, directory=str(PAGE_DIR))
    server = http.server.ThreadingHTTPServer(("localhost", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://localhost:{port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def stocked_database():
    """Fill the local metric source and the events table the way the demo does."""
    call_command("seed_demo", verbosity=0)
    call_command("seed_events", count=200, days=1, seed=7, verbosity=0)


def _run_page(origin: str, api_url: str) -> list[dict]:
    """Open the page in headless Chromium and return what its calls got.

    Playwright's sync API runs an event loop in this thread, and Django refuses database
    queries while one runs, so the browser is closed before the tests read the database.
    """
    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.goto(f"{origin}/index.html?api={api_url}")
            page.wait_for_selector("body[data-done='true']", timeout=30_000)
            return page.evaluate("window.dashboardResults")
        finally:
            browser.close()


def _by_path(results: list[dict]) -> dict[str, dict]:
    """Index the page's results by path; the second /api/me call is the one after logout."""
    indexed = {}
    for result in results:
        key = result.get("label") or result["path"]
        indexed[key] = result
    return indexed


@pytest.fixture
def flow_logs(tmp_path):
    """Ingest two hours of generated VPC Flow Logs ending now, so the 24h statistics are live."""
    now = timezone.now().replace(second=0, microsecond=0)
    start = now - timedelta(hours=2)
    out = tmp_path / "logs"
    call_command(
        "generate_logs", out=str(out), start=start.strftime("%Y-%m-%dT%H:%M:%SZ"), hours=2, seed=3
    )
    # Only the flow logs: the generated ALB logs would add a second load balancer to the
    # local metrics store beside seed_demo's, and /api/metrics/alb then asks which one to chart.
    for flow_log_folder in out.glob("AWSLogs/*/vpcflowlogs"):
        call_command("ingest", str(flow_log_folder), verbosity=0)


@pytest.mark.parametrize("page_server", [3000], indirect=True)
def test_dashboard_calls_every_endpoint(live_server, page_server, stocked_database, flow_logs):
    results = _by_path(_run_page(page_server, live_server.url))

    assert [result["path"] for result in results.values()] == CONTRACT_PATHS
    assert results["/api/register"]["status"] == 201
    assert results["/api/register"]["body"] == {"message": "User registered successfully"}
    assert results["/api/login"]["status"] == 200
    assert results["/api/login"]["body"]["user"] == {
        "name": "Browser User",
        "email": "browser.user@example.com",
    }
    assert results["/api/me"]["status"] == 200
    assert results["/api/me"]["body"] == {"name": "Browser User", "email": "browser.user@example.com"}
    assert results["/api/logout"]["body"] == {"message": "Logout successful"}
    assert results["me after logout"]["status"] == 401
    assert results["me after logout"]["body"] == {"message": "Unauthorized"}


@pytest.mark.parametrize("page_server", [3000], indirect=True)
def test_dashboard_metrics_match_database(
    live_server, page_server, stocked_database, flow_logs
):
    results = _by_path(_run_page(page_server, live_server.url))

    for path, keys in METRIC_KEYS.items():
        body = results[path]["body"]
        assert results[path]["status"] == 200, path
        assert set(keys) <= set(body), path
        for key in keys:
            assert any(value is not None for value in body[key]["Values"]), (path, key)
            assert len(body[key]["Values"]) == len(body[key]["Timestamps"]), (path, key)

    window = TIME_RANGES["24h"].aligned_window(timezone.now())
    expected_vpc = rollup_vpc_stats(start=window[0], end=window[1])
    vpc = results["/api/metrics/vpc?time_range=24h"]["body"]
    assert vpc == expected_vpc
    assert vpc["total_flows"] > 0
    assert sum(vpc["protocol_distribution"].values()) == 100


@pytest.mark.parametrize("page_server", [3000], indirect=True)
def test_dashboard_threats_match_database(
    live_server, page_server, stocked_database, flow_logs
):
    results = _by_path(_run_page(page_server, live_server.url))

    since = timezone.now() - timedelta(hours=24)
    counted = SecurityEvent.objects.filter(timestamp__gte=since).exclude(
        status__in=["false_positive", "suppressed"]
    )
    classifications = results["/api/threats/classifications"]["body"]
    for threat_type in ("malware", "phishing", "ddos", "brute_force", "sql_injection", "xss"):
        assert classifications[threat_type] == counted.filter(type=threat_type).count(), threat_type

    events = results["/api/threats/events"]["body"]
    newest = SecurityEvent.objects.order_by("-timestamp", "-id")[: len(events)]
    assert len(events) == min(100, SecurityEvent.objects.count())
    assert [event["source_ip"] for event in events] == [event.source_ip for event in newest]
    assert [event["type"] for event in events] == [event.type for event in newest]


@pytest.mark.parametrize("page_server", [3001], indirect=True)
def test_unlisted_origin_is_refused_by_browser(live_server, page_server):
    results = _run_page(page_server, live_server.url)

    assert len(results) == len(CONTRACT_PATHS)
    for result in results:
        assert result["status"] == 0, result["path"]
        assert "Failed to fetch" in result["error"], result["path"]
    # The JSON POST needs a preflight, which fails, so the browser never sends the register call.
    assert not get_user_model().objects.filter(email="browser.user@example.com").exists()


@pytest.mark.parametrize("page_server", [3000], indirect=True)
def test_dashboard_fails_without_cors(live_server, page_server, settings):
    settings.CORS_ALLOWED_ORIGINS = []

    results = _run_page(page_server, live_server.url)

    assert [result["status"] for result in results] == [0] * len(CONTRACT_PATHS)
