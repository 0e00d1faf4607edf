import json
import logging
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from django.test import override_settings

from conftest import USER_PASSWORD
from siem.observability.jsonlog import JsonFormatter, RequestContextFilter
from siem.observability.logconfig import build_logging_config
from siem.tests.logcapture import json_log_lines

PROJECT_ROOT = Path(__file__).resolve().parents[2]
WRONG_PASSWORD = "Wrong-Password-7731"
REQUIRED_FIELDS = ("time", "level", "logger", "message", "request_id", "user_id", "remote_addr")


def format_record(**extra) -> dict:
    record = logging.LogRecord(
        "siem.demo", logging.INFO, __file__, 1, "ingested %d records", (3,), None
    )
    record.__dict__.update(extra)
    RequestContextFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def lines_with_message(lines: list[dict], message: str) -> list[dict]:
    return [line for line in lines if line["message"] == message]


def assert_no_secret(lines: list[dict], *secrets: str) -> None:
    text = json.dumps(lines)
    for secret in secrets:
        assert secret not in text


def test_formatter_writes_standard_fields():
    line = format_record()

    for field in REQUIRED_FIELDS:
        assert field in line
    assert line["level"] == "INFO"
    assert line["logger"] == "siem.demo"
    assert line["message"] == "ingested 3 records"


def test_formatter_time_is_utc_iso8601():
    line = format_record()

    assert line["time"].endswith("Z")
    parsed = datetime.fromisoformat(line["time"].replace("Z", "+00:00"))
    assert parsed.utcoffset().total_seconds() == 0


def test_formatter_keeps_extra_fields():
    line = format_record(source_file="flows.log.gz", malformed=2)

    assert line["source_file"] == "flows.log.gz"
    assert line["malformed"] == 2


@pytest.mark.parametrize(
    "field", ["password", "token", "access_token", "refresh_token", "authorization", "secret_key"]
)
def test_formatter_redacts_credential_fields(field):
    line = format_record(**{field: "s3cr3t-value"})

    assert line[field] == "[redacted]"


def test_formatter_redacts_nested_credentials():
    line = format_record(details={"password": "s3cr3t-value", "email": "a@example.com"})

    assert line["details"] == {"password": "[redacted]", "email": "a@example.com"}


def test_formatter_includes_exception_text():
    try:
        raise ValueError("bad line 7")
    except ValueError:
        record = logging.LogRecord(
            "siem.demo", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))

    assert "ValueError: bad line 7" in line["exc_info"]


def test_extra_values_win_over_request_context():
    line = format_record(user_id=42, remote_addr="198.51.100.7")

    assert line["user_id"] == 42
    assert line["remote_addr"] == "198.51.100.7"


def test_production_config_selects_json_on_stdout():
    config = build_logging_config(json_output=True, level="INFO")
    handler = config["handlers"]["console"]

    assert handler["formatter"] == "json"
    assert handler["stream"] == "ext://sys.stdout"
    assert "request_context" in handler["filters"]


def test_development_config_is_plain_text():
    config = build_logging_config(json_output=False, level="DEBUG")

    assert config["handlers"]["console"]["formatter"] == "console"


def test_production_settings_print_json_lines(tmp_path):
    env = {
        **os.environ,
        "SIEM_ENV": "production",
        "SECRET_KEY": "p" * 30 + "roduction-key-for-the-logging-test-0123456789",
        "ALLOWED_HOSTS": "siem.example.com",
        "CACHE_URI": "redis://127.0.0.1:6379/15",
        "DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("SIEM_LOG_JSON", None)
    code = (
        "import logging; logging.getLogger('siem.probe').warning('probe', extra={'probe_field': 7})"
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["logger"] == "siem.probe"
    assert line["level"] == "WARNING"
    assert line["probe_field"] == 7


@pytest.mark.django_db
def test_login_failure_is_logged_as_json(api_client, user):
    with json_log_lines() as lines:
        response = api_client.post(
            "/api/login",
            {"email": user.email, "password": WRONG_PASSWORD},
            format="json",
            HTTP_X_REQUEST_ID="login-fail-1",
        )

    failures = lines_with_message(lines, "login failed")
    assert response.status_code == 401
    assert len(failures) == 1
    line = failures[0]
    for field in REQUIRED_FIELDS:
        assert field in line
    assert line["level"] == "WARNING"
    assert line["logger"] == "accounts.api.views"
    assert line["request_id"] == "login-fail-1"
    assert line["remote_addr"] == "127.0.0.1"
    assert line["email"] == user.email
    assert_no_secret(lines, WRONG_PASSWORD, USER_PASSWORD)


@pytest.mark.django_db
@override_settings(SIEM_LOGIN_RATE_PER_EMAIL="2/m")
def test_rate_limited_login_is_logged_as_json(api_client, user):
    body = {"email": user.email, "password": WRONG_PASSWORD}
    with json_log_lines() as lines:
        for _ in range(2):
            api_client.post("/api/login", body, format="json")
        response = api_client.post("/api/login", body, format="json")

    limited = lines_with_message(lines, "rate limit exceeded")
    assert response.status_code == 429
    assert len(limited) == 1
    line = limited[0]
    for field in REQUIRED_FIELDS:
        assert field in line
    assert line["request_id"] == response["X-Request-ID"]
    assert line["remote_addr"] == "127.0.0.1"
    assert line["email"] == user.email
    assert_no_secret(lines, WRONG_PASSWORD, USER_PASSWORD)


@pytest.mark.django_db
def test_login_success_logs_user_without_token(api_client, user):
    with json_log_lines() as lines:
        response = api_client.post(
            "/api/login", {"email": user.email, "password": USER_PASSWORD}, format="json"
        )

    successes = lines_with_message(lines, "login succeeded")
    assert response.status_code == 200
    assert len(successes) == 1
    assert successes[0]["user_id"] == user.pk
    assert_no_secret(lines, response.json()["token"], USER_PASSWORD)


@pytest.mark.django_db
def test_rejected_token_is_logged_without_token(api_client):
    forged = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.forged-signature"
    with json_log_lines() as lines:
        response = api_client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {forged}")

    rejected = lines_with_message(lines, "rejected bearer token")
    assert response.status_code == 401
    assert len(rejected) == 1
    assert rejected[0]["remote_addr"] == "127.0.0.1"
    assert_no_secret(lines, forged)
