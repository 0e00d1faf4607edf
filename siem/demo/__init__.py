"""The one-command demo: an analyst account, a generated day of AWS logs, and local metrics.

`manage.py demo` calls these modules in order. Every step reuses what an earlier run made, so
running the demo again adds no rows.
"""

from pathlib import Path

from django.conf import settings


def demo_dir() -> Path:
    """Return the folder that stores the demo's password file and, by default, its logs."""
    return Path(settings.VAR_DIR) / "demo"


def default_logs_dir() -> Path:
    """Return the folder the demo generates its logs into unless --logs-dir names another."""
    return demo_dir() / "logs"
