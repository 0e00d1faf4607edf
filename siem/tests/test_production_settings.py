"""Start Django in a child process with production variables, as an operator would."""

import secrets
from pathlib import Path

import pytest

from siem.testing.processes import environment_without_config, manage


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = environment_without_config()
    env.update(
        SIEM_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="siem.example.com",
        CACHE_URI="redis://127.0.0.1:6379/0",
        DATABASE_URI=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_deploy_check_reports_no_issue(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stderr


@pytest.mark.parametrize(
    "environment", [{"SIEM_ENV": "production"}, {"SIEM_ENV": None, "FLASK_ENV": "production"}]
)
def test_production_turns_debug_off(tmp_path, environment):
    env = production_env(tmp_path, SIEM_DEBUG="true", **environment)

    result = manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, settings.SIEM_ENV)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "production"]


def test_production_rejects_missing_secret_key(tmp_path):
    result = manage(production_env(tmp_path, SECRET_KEY=None), "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is missing." in result.stderr


@pytest.mark.parametrize(
    "weak_key",
    ["short-key", "a" * 60, "django-insecure-" + secrets.token_urlsafe(64)],
    ids=["short", "repetitive", "django-insecure"],
)
def test_production_rejects_weak_secret_key(tmp_path, weak_key):
    result = manage(production_env(tmp_path, SECRET_KEY=weak_key), "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is too weak" in result.stderr


def test_production_rejects_missing_cache(tmp_path):
    result = manage(production_env(tmp_path, CACHE_URI=None), "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured: CACHE_URI is missing" in result.stderr


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )

    result = manage(production_env(tmp_path), "shell", "--no-imports", "-c", code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True"]
