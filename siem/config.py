"""Typed readers for environment variables, used only by the settings module."""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Production keys shorter than this, or with fewer distinct characters, are rejected.
# The figures match Django's own `check --deploy` test for a weak SECRET_KEY.
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5
INSECURE_KEY_PREFIX = "django-insecure"


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = env_str(name)
    if not raw:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from err
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if not raw:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def deployment_environment() -> str:
    """Return `development` or `production` from SIEM_ENV, falling back to FLASK_ENV."""
    raw = env_str("SIEM_ENV") or env_str("FLASK_ENV") or "development"
    value = raw.lower()
    if value not in {"development", "production"}:
        raise ImproperlyConfigured(
            f"SIEM_ENV={raw!r} is invalid: set it to 'development' or 'production'."
        )
    return value


def production_secret_key() -> str:
    """Return SECRET_KEY from the environment, or stop start-up when it is missing or weak."""
    key = os.environ.get("SECRET_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing. Production needs a random key of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters, for example from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    weak = (
        len(key) < MIN_SECRET_KEY_LENGTH
        or len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS
        or key.startswith(INSECURE_KEY_PREFIX)
    )
    if weak:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak: production needs at least {MIN_SECRET_KEY_LENGTH} "
            f"random characters with at least {MIN_SECRET_KEY_UNIQUE_CHARACTERS} distinct ones."
        )
    return key


def development_secret_key(path: Path) -> str:
    """Return the checkout's own development key, creating it on first use.

    The key lives in an ignored file so no key is ever committed, and tokens stay valid
    across restarts of the development server.
    """
    from_env = os.environ.get("SECRET_KEY", "")
    if from_env:
        return from_env
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key, encoding="ascii")
    path.chmod(0o600)
    return key
