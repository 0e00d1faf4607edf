"""The logging configuration shared by Django's settings and gunicorn.conf.py.

It imports nothing from Django, so gunicorn's master process can use it before the app loads.
"""

from typing import Any

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def build_logging_config(*, json_output: bool, level: str) -> dict[str, Any]:
    """Return a `logging.config.dictConfig` mapping that writes to stdout.

    `json_output` selects one JSON object per line (production); otherwise lines are plain text.
    """
    formatter = "json" if json_output else "console"
    handler = {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
        "formatter": formatter,
        "filters": ["request_context"],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_context": {"()": "siem.observability.jsonlog.RequestContextFilter"},
        },
        "formatters": {
            "console": {"format": CONSOLE_FORMAT},
            "json": {"()": "siem.observability.jsonlog.JsonFormatter"},
        },
        "handlers": {"console": handler},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "botocore": {"level": "WARNING"},
            "urllib3": {"level": "WARNING"},
        },
    }
