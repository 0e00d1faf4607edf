"""Opaque cursors for keyset pagination of the events list, and the `limit` parameter."""

import base64
import binascii
import json
from datetime import datetime

from django.conf import settings
from rest_framework.exceptions import ValidationError

from threats.selectors import EventCursor


def _bad_request(message: str) -> ValidationError:
    return ValidationError({"detail": message})


def cursor_encode(cursor: EventCursor) -> str:
    """Return the URL-safe token of a position in (timestamp, id) descending order."""
    payload = json.dumps({"t": cursor.timestamp.isoformat(), "i": cursor.id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def cursor_decode(token: str | None) -> EventCursor | None:
    """Return the position in a token from a `Link` header, None for no token, or raise a 400."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        timestamp = datetime.fromisoformat(payload["t"])
        event_id = int(payload["i"])
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise _bad_request(
            f"cursor={token!r} is invalid: follow the Link header of the previous page, "
            "or drop cursor to start from the newest event."
        ) from None
    if timestamp.tzinfo is None:
        raise _bad_request(f"cursor={token!r} is invalid: its timestamp has no time zone.")
    return EventCursor(timestamp=timestamp, id=event_id)


def limit_parse(raw: str | None) -> int:
    """Return the page size from the `limit` parameter, or raise a 400 naming the bounds."""
    maximum = settings.SIEM_THREATS_EVENTS_MAX_LIMIT
    if raw in (None, ""):
        return settings.SIEM_THREATS_EVENTS_DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= maximum:
        raise _bad_request(f"limit={raw!r} is invalid: use a whole number from 1 to {maximum}.")
    return limit
