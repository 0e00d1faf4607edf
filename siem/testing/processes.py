"""Helpers for tests that run the service or its commands as real child processes."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Variables of the developer's shell that would point a child process at other settings or data.
CONFIG_VARIABLES = (
    "SIEM_ENV",
    "FLASK_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CACHE_URI",
    "REDIS_URL",
    "DATABASE_URI",
    "SIEM_DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "METRICS_SOURCE",
    "VPC_STATS_SOURCE",
    "PROMETHEUS_MULTIPROC_DIR",
)


def environment_without_config() -> dict[str, str]:
    """Return a copy of os.environ without the variables that configure the service."""
    return {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until `process` listens on 127.0.0.1:`port`; raise if it exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """Send SIGTERM, then SIGKILL if the process is still running after `timeout` seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def manage(
    env: dict[str, str], *args: str, check: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run `manage.py` with `args` in a child process and capture its text output."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
