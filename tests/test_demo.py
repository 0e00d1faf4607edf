"""`manage.py demo` twice on one database: the same numbers, a working analyst, non-empty data."""

import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from siem.demo.account import DEMO_EMAIL, PASSWORD_FILE_NAME

pytestmark = pytest.mark.django_db

DEMO_HOURS = 2
METRIC_PATHS = [
    "/api/metrics/alb?time_range=1h",
    "/api/metrics/rds?time_range=6h",
    "/api/metrics/asg?time_range=24h",
    "/api/metrics/sagemaker?time_range=7d",
]
DATA_PATHS = [
    *METRIC_PATHS,
    "/api/metrics/vpc?time_range=24h",
    "/api/threats/classifications",
    "/api/threats/events",
]
# Enough for both demo runs and both rounds of requests, which took 6 to 12 s here.
MIN_SECONDS_BEFORE_PERIOD_END = 60
PERIOD_SECONDS = 300


@pytest.fixture
def demo_var(settings, tmp_path: Path) -> Path:
    """Keep the demo's password file and logs out of the project's own var/ folder."""
    settings.VAR_DIR = tmp_path / "var"
    return settings.VAR_DIR


def _wait_for_fresh_period() -> None:
    """Sleep past the next five-minute boundary if it is near.

    Charts end at the current five-minute period, so two rounds of requests on either side
    of a boundary would differ by one period of data without anything being duplicated.
    """
    remaining = PERIOD_SECONDS - time.time() % PERIOD_SECONDS
    if remaining < MIN_SECONDS_BEFORE_PERIOD_END:
        time.sleep(remaining + 1)


def _run_demo(logs_dir: Path) -> str:
    output = io.StringIO()
    call_command("demo", logs_dir=logs_dir, hours=DEMO_HOURS, stdout=output)
    return output.getvalue()


def _printed_password(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip().startswith("password:")]
    assert len(lines) == 1, output
    return lines[0].split(":", 1)[1].strip()


def _contract_round(password: str, new_email: str) -> dict[str, object]:
    """Call all eleven endpoints of the contract, as the dashboard does, and return the bodies."""
    client = APIClient()
    bodies: dict[str, object] = {}
    registered = client.post(
        "/api/register",
        {"name": "New User", "email": new_email, "password": "correct horse battery staple"},
        format="json",
    )
    assert registered.status_code == 201, registered.json()

    login = client.post("/api/login", {"email": DEMO_EMAIL, "password": password}, format="json")
    assert login.status_code == 200, login.json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {login.json()['token']}")
    bodies["/api/me"] = client.get("/api/me").json()
    for path in DATA_PATHS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.json())
        bodies[path] = response.json()

    logout = client.post("/api/logout")
    assert logout.status_code == 200
    assert client.get("/api/me").status_code == 401
    return bodies


def _empty_charts(body: dict) -> list[str]:
    """Return the keys of the charts whose values are all null."""
    return [key for key, chart in body.items() if all(v is None for v in chart["Values"])]


def _row_counts() -> dict[str, int]:
    from django.apps import apps

    labels = [
        "accounts.User",
        "ingest.IngestedObject",
        "metrics.MetricSeries",
        "metrics.MetricDatapoint",
        "metrics.FlowTrafficRollup",
        "threats.SecurityEvent",
    ]
    return {label: apps.get_model(label).objects.count() for label in labels}


@pytest.fixture
def demo_twice(demo_var: Path, tmp_path: Path) -> dict[str, list]:
    """Run the demo twice on one database; after each run, record the output and API bodies."""
    _wait_for_fresh_period()
    runs: dict[str, list] = {"outputs": [], "bodies": [], "counts": []}
    for number in (1, 2):
        output = _run_demo(tmp_path / "logs")
        runs["outputs"].append(output)
        runs["counts"].append(_row_counts())
        bodies = _contract_round(_printed_password(output), f"new-user-{number}@example.com")
        runs["bodies"].append(bodies)
    return runs


@pytest.fixture
def demo_once(demo_var: Path, tmp_path: Path) -> dict[str, object]:
    """Run the demo once; return its output and the API bodies of one round of requests."""
    output = _run_demo(tmp_path / "logs")
    bodies = _contract_round(_printed_password(output), "new-user@example.com")
    return {"output": output, "bodies": bodies}


def test_demo_twice_same_numbers(demo_twice):
    first, second = demo_twice["bodies"]
    for path in first:
        assert first[path] == second[path], path


def test_demo_twice_adds_no_rows(demo_twice):
    first, second = demo_twice["counts"]
    # The only new row is the user that the second round of requests registered.
    assert second.pop("accounts.User") == first.pop("accounts.User") + 1
    assert first == second


def test_demo_second_run_reuses_password_and_logs(demo_twice, demo_var):
    first, second = demo_twice["outputs"]
    stored = (demo_var / "demo" / PASSWORD_FILE_NAME).read_text().strip()
    assert _printed_password(first) == stored
    assert _printed_password(second) == stored
    assert "Reusing the logs" in second
    assert "objects ingested: 0" in second


def test_demo_metrics_not_empty(demo_once):
    bodies = demo_once["bodies"]
    for path in METRIC_PATHS:
        assert _empty_charts(bodies[path]) == [], path
    assert bodies["/api/metrics/vpc?time_range=24h"]["total_flows"] > 0


def test_demo_threats_not_empty(demo_once):
    bodies = demo_once["bodies"]
    events = bodies["/api/threats/events"]
    assert events
    assert not any(event["is_sample"] for event in events)
    assert sum(bodies["/api/threats/classifications"].values()) > 0


def test_demo_analyst_opens_admin(demo_once, client):
    password = _printed_password(demo_once["output"])
    assert client.login(email=DEMO_EMAIL, password=password)
    response = client.get("/admin/threats/securityevent/")
    assert response.status_code == 200


def test_demo_reset_keeps_other_data(demo_var, tmp_path, django_user_model):
    django_user_model.objects.create_user(email="keep@example.com", password="x", name="Keep")
    logs_dir = tmp_path / "logs"
    _run_demo(logs_dir)

    call_command("demo", logs_dir=logs_dir, reset=True, stdout=io.StringIO())

    counts = _row_counts()
    assert counts.pop("accounts.User") == 1
    assert set(counts.values()) == {0}
    assert not logs_dir.exists()
    assert not (demo_var / "demo" / PASSWORD_FILE_NAME).exists()
