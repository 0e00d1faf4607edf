"""JSON log lines for production, and the filter that adds the request context to each record."""

import logging
import re
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from siem.observability.context import current_context

CONTEXT_FIELDS = ("request_id", "user_id", "remote_addr")

# Extra fields whose names mark a credential are replaced before the line is written, as a
# second line of defence: call sites must not pass secrets in the first place.
SENSITIVE_FIELD = re.compile(
    r"(^|_)(password|passwd|token|secret|authorization|cookie|api_key|signature)s?($|_)",
    re.IGNORECASE,
)
REDACTED = "[redacted]"


class RequestContextFilter(logging.Filter):
    """Add request_id, user_id and remote_addr from the current request to every record.

    Values passed in `extra` win over the context, so a log call can name another user.
    Attach it to handlers, not loggers: handler filters also see records from child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        for field, value in current_context().items():
            if getattr(record, field, None) is None:
                setattr(record, field, value)
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per record: time (UTC), level, logger, message, context and extra fields."""

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        log_data["time"] = utc_timestamp(record.created)
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        for field in CONTEXT_FIELDS:
            log_data[field] = getattr(record, field, None)
        super().add_fields(log_data, record, message_dict)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return redact(log_data)


def utc_timestamp(created: float) -> str:
    """Format a creation time as ISO 8601 in UTC with milliseconds, e.g. `...T20:01:02.345Z`."""
    moment = datetime.fromtimestamp(created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def redact(data: dict[str, Any]) -> dict[str, Any]:
    """Replace the values of credential-like keys, including inside nested dictionaries."""
    cleaned: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(key, str) and SENSITIVE_FIELD.search(key):
            cleaned[key] = REDACTED
        elif isinstance(value, dict):
            cleaned[key] = redact(value)
        else:
            cleaned[key] = value
    return cleaned
