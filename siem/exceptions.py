"""The one exception handler of the API: every error body is `{"message": ...}`.

Development responses (DEBUG on) may add an `"error"` key with detail for the developer.
Production responses never carry a traceback, an exception text or a database name.
"""

import logging

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

UNAUTHORIZED_MESSAGE = "Unauthorized"
SERVER_ERROR_MESSAGE = "Internal server error"
MALFORMED_JSON_MESSAGE = "Malformed JSON in the request body."


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """Wrap DRF's handler so errors follow the dashboard's `{"message": ...}` format."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error_response(exc, context)

    if isinstance(response.data, dict) and "message" in response.data:
        # The raiser already chose the body, possibly with extra keys, so it is kept whole.
        return response

    message, error = _describe(exc, response.data)
    body = {"message": message}
    if settings.DEBUG and error and error != message:
        body["error"] = error
    response.data = body
    return response


def _server_error_response(exc: Exception, context: dict) -> Response:
    view = context.get("view")
    logger.error("unhandled error in %s", type(view).__name__ if view else "view", exc_info=exc)
    body = {"message": SERVER_ERROR_MESSAGE}
    if settings.DEBUG:
        body["error"] = f"{type(exc).__name__}: {exc}"
    return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _describe(exc: Exception, data: object) -> tuple[str, str]:
    """Return the public message and the development-only detail for a handled exception."""
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return UNAUTHORIZED_MESSAGE, _authentication_detail(data)
    if isinstance(exc, exceptions.ParseError):
        return MALFORMED_JSON_MESSAGE, _flatten(data)
    return _flatten(data) or "Invalid request", ""


def _authentication_detail(data: object) -> str:
    """Return SimpleJWT's reason, such as "Token is expired", from an authentication error."""
    if isinstance(data, dict):
        for entry in data.get("messages") or []:
            if isinstance(entry, dict) and entry.get("message"):
                return str(entry["message"])
    return _flatten(data)


def _flatten(data: object) -> str:
    """Join every message of a DRF error detail, prefixing field errors with the field name.

    `{"email": ["Enter a valid email address."]}` becomes "email: Enter a valid email address.",
    and a plain string, a list or `{"detail": ...}` becomes its text.
    """
    if isinstance(data, list):
        return " ".join(part for part in map(_flatten, data) if part)
    if not isinstance(data, dict):
        return str(data)

    parts = []
    for key, value in data.items():
        text = _flatten(value)
        if not text or key in {"code", "messages"}:
            continue
        parts.append(text if key in {"detail", "non_field_errors"} else f"{key}: {text}")
    return " ".join(parts)
