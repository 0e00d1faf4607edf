"""The one exception handler of the API: every error body is `{"message": ...}`."""

import logging

from django.conf import settings
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def api_exception_handler(exc: Exception, context: dict) -> Response:
    """Wrap DRF's handler so errors follow the dashboard's `{"message": ...}` format."""
    response = drf_exception_handler(exc, context)
    if response is None:
        view = context.get("view")
        logger.error(
            "unhandled error in %s", type(view).__name__ if view else "view", exc_info=exc
        )
        body = {"message": "Internal server error"}
        if settings.DEBUG:
            body["error"] = f"{type(exc).__name__}: {exc}"
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    detail = response.data
    message = detail.get("detail") if isinstance(detail, dict) else None
    response.data = {"message": str(message) if message else "Invalid request"}
    return response
