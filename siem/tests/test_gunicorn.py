"""The production start: gunicorn with production settings against MariaDB and Redis.

Each server these tests start listens on a free loopback port and is stopped by the test.
"""

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import MySQLdb
import pytest

from siem.testing.processes import free_port, stop_process, wait_for_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}
USER_EMAIL = "operator@example.com"
USER_PASSWORD = "gunicorn test password 4417"
METRICS_TOKEN = secrets.token_urlsafe(32)
CLIENT_ADDRESS = "203.0.113.9"
START_TIMEOUT_SECONDS = 60
GRACEFUL_TIMEOUT_SECONDS = 15
WORKERS = 2

pytestmark = pytest.mark.server


@dataclass
class Service:
    """A running gunicorn master and where its output goes."""

    process: subprocess.Popen
    port: int
    output: Path

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ):
        """Send one request as the load balancer would forward it, over plain HTTP."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": CLIENT_ADDRESS,
            "Content-Type": "application/json",
            **(headers or {}),
        }
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
        connection.close()
        return response, content

    def json_lines(self) -> list[dict]:
        lines = []
        for raw in self.output.read_text(encoding="utf-8", errors="replace").splitlines():
            if raw.startswith("{"):
                lines.append(json.loads(raw))
        return lines


def mariadb_available() -> bool:
    try:
        socket.create_connection((MARIADB["host"], MARIADB["port"]), 2).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def redis_uri(tmp_path_factory) -> Iterator[str]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port, process, START_TIMEOUT_SECONDS)
    yield f"redis://127.0.0.1:{port}/0"
    stop_process(process, GRACEFUL_TIMEOUT_SECONDS + 10)


@pytest.fixture(scope="module")
def database_uri() -> Iterator[str]:
    if not mariadb_available():
        if os.environ.get("CI") == "true":
            pytest.fail("MariaDB is not reachable on 127.0.0.1:3306; CI runs this test on it.")
        pytest.skip("MariaDB is not reachable on 127.0.0.1:3306")
    name = f"siem_gunicorn_{uuid.uuid4().hex[:12]}"
    admin = MySQLdb.connect(**MARIADB)
    admin.cursor().execute(
        f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )
    yield f"mysql://root@127.0.0.1:3306/{name}"
    admin.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    admin.close()


@pytest.fixture(scope="module")
def production_env(database_uri: str, redis_uri: str, tmp_path_factory) -> dict[str, str]:
    """Return the docs/deployment.md environment after migrate, collectstatic and a first user."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SIEM_", "DJANGO_", "GUNICORN_", "PROMETHEUS_", "AWS_"))
    }
    env.update(
        {
            "SIEM_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URI": database_uri,
            "CACHE_URI": redis_uri,
            "SIEM_TRUSTED_PROXY_COUNT": "1",
            "SIEM_METRICS_TOKEN": METRICS_TOKEN,
            # The tests sign in more often than the production default of 5 a minute allows.
            "SIEM_LOGIN_RATE_PER_EMAIL": "100/m",
            "SIEM_LOGIN_RATE_PER_IP": "100/m",
            "AWS_EC2_METADATA_DISABLED": "true",
            "GUNICORN_WORKERS": str(WORKERS),
            "GUNICORN_THREADS": "2",
            "GUNICORN_GRACEFUL_TIMEOUT": str(GRACEFUL_TIMEOUT_SECONDS),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path_factory.mktemp("prometheus")),
        }
    )
    create_user = (
        "from django.contrib.auth import get_user_model; "
        f"get_user_model().objects.create_user(email={USER_EMAIL!r}, "
        f"password={USER_PASSWORD!r}, name='Operator')"
    )
    for command in (
        ["migrate", "--no-input"],
        ["collectstatic", "--no-input"],
        ["shell", "-c", create_user],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    return env


def start_gunicorn(env: dict[str, str], output: Path) -> Service:
    port = free_port()
    log = output.open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "siem.wsgi"],
        cwd=PROJECT_ROOT,
        env={**env, "SIEM_BIND": f"127.0.0.1:{port}"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    service = Service(process, port, output)
    try:
        wait_for_port(port, process, START_TIMEOUT_SECONDS)
        wait_until_healthy(service)
    except (RuntimeError, TimeoutError, OSError):
        stop_process(process, GRACEFUL_TIMEOUT_SECONDS + 10)
        raise AssertionError(output.read_text()) from None
    return service


def wait_until_healthy(service: Service) -> None:
    """Wait until every worker has loaded the app: the master listens before workers are ready."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    ready = 0
    while ready < WORKERS and time.monotonic() < deadline:
        time.sleep(0.2)
        ready = service.output.read_text(errors="replace").count("worker ready")
    response, content = service.request("GET", "/api/health")
    assert response.status == 200, content


@pytest.fixture(scope="module")
def service(production_env, tmp_path_factory) -> Iterator[Service]:
    running = start_gunicorn(production_env, tmp_path_factory.mktemp("gunicorn") / "output.log")
    yield running
    stop_process(running.process, GRACEFUL_TIMEOUT_SECONDS + 10)


def login(service: Service) -> str:
    response, content = service.request(
        "POST", "/api/login", {"email": USER_EMAIL, "password": USER_PASSWORD}
    )
    assert response.status == 200, content
    return json.loads(content)["token"]


def test_health_answers(service):
    response, content = service.request("GET", "/api/health")

    assert response.status == 200
    assert json.loads(content)["status"] == "ok"
    assert response.getheader("X-Request-ID")
    assert "max-age" in response.getheader("Strict-Transport-Security")


def test_health_answers_plain_http_without_redirect(service):
    response, _ = service.request("GET", "/api/health", headers={"X-Forwarded-Proto": "http"})

    assert response.status == 200


def test_login_returns_token(service):
    token = login(service)

    assert token.count(".") == 2


def test_metrics_api_call_answers(service):
    token = login(service)

    response, content = service.request(
        "GET", "/api/metrics/vpc?time_range=1h", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status == 200, content
    assert "total_flows" in json.loads(content)


def test_static_files_are_served(service):
    response, _ = service.request("GET", "/static/admin/css/base.css")

    assert response.status == 200


def test_prometheus_scrape_needs_token(service):
    response, _ = service.request("GET", "/metrics")

    assert response.status == 401


def scrape(service: Service) -> str:
    response, content = service.request(
        "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert response.status == 200, content
    return content.decode()


def sample_line_value(text: str, name: str, *label_pairs: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(pair in line for pair in label_pairs):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_prometheus_scrape_sums_all_workers(service):
    for _ in range(4):
        login(service)

    text = scrape(service)

    name = "django_http_responses_total_by_status_view_method_total"
    assert sample_line_value(text, name, 'view="login"', 'status="200"') >= 4


def test_prometheus_scrape_includes_scheduled_ingest(service, production_env, tmp_path):
    # A scheduled `manage.py ingest` on the same host shares PROMETHEUS_MULTIPROC_DIR, so its
    # counters reach the service's scrape after the command has exited.
    flow_log = tmp_path / "flows.log"
    header = (
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end action log-status"
    )
    records = [
        f"2 123456789012 eni-1 10.0.0.{i} 172.16.0.1 {4000 + i} 443 6 2 120 "
        "1733300000 1733300060 ACCEPT OK"
        for i in range(3)
    ]
    flow_log.write_text("\n".join([header, *records, "2 123456789012 not-a-flow-record"]) + "\n")

    subprocess.run(
        [sys.executable, "manage.py", "ingest", str(flow_log)],
        cwd=PROJECT_ROOT,
        env=production_env,
        check=True,
        capture_output=True,
        timeout=120,
    )

    text = scrape(service)
    assert sample_line_value(text, "siem_records_ingested_total", 'format="vpc-flow"') == 3
    assert sample_line_value(text, "siem_records_malformed_total", 'format="vpc-flow"') == 1


def test_logs_are_json_lines_with_request_context(service):
    response, _ = service.request(
        "POST",
        "/api/login",
        {"email": USER_EMAIL, "password": "not the password"},
        headers={"X-Request-ID": "gunicorn-login-fail"},
    )
    time.sleep(0.5)

    failures = [
        line for line in service.json_lines() if line.get("request_id") == "gunicorn-login-fail"
    ]
    app_lines = [line for line in failures if line["message"] == "login failed"]
    assert response.status == 401
    assert app_lines, service.output.read_text()
    assert app_lines[0]["remote_addr"] == CLIENT_ADDRESS
    assert app_lines[0]["time"].endswith("Z")
    assert "not the password" not in service.output.read_text()


def test_access_log_carries_request_id(service):
    service.request("GET", "/api/health", headers={"X-Request-ID": "gunicorn-access-1"})
    time.sleep(0.5)

    access = [line for line in service.json_lines() if line["logger"] == "gunicorn.access"]
    assert any("request_id=gunicorn-access-1" in line["message"] for line in access)


def test_sigterm_finishes_in_flight_request(production_env, tmp_path):
    draining = start_gunicorn(production_env, tmp_path / "output.log")
    body = json.dumps({"email": USER_EMAIL, "password": USER_PASSWORD}).encode()
    head = (
        "POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()

    with socket.create_connection(("127.0.0.1", draining.port), 30) as client:
        # The first bytes of the body reach the view, which then waits for the rest in the worker.
        client.sendall(head + body[:10])
        time.sleep(1.0)
        draining.process.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        still_running = draining.process.poll() is None
        client.sendall(body[10:])
        response = b""
        while chunk := client.recv(65536):
            response += chunk

    exit_code = draining.process.wait(timeout=GRACEFUL_TIMEOUT_SECONDS + 10)
    assert still_running
    assert response.startswith(b"HTTP/1.1 200"), response
    assert b'"token"' in response
    assert exit_code == 0
