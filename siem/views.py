"""Project-wide endpoints: the health check, and JSON responses for unknown paths and crashes."""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from siem.exceptions import SERVER_ERROR_MESSAGE
from siem.serializers import MessageSerializer

logger = logging.getLogger(__name__)


class HealthView(APIView):
    """Report whether the service can reach its database: 200 when it can, 503 when not."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {"status": serializers.CharField(), "database": serializers.CharField()},
            ),
            503: MessageSerializer,
        }
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            logger.warning("health check: database unreachable", exc_info=True)
            return Response(
                {
                    "message": "Database unavailable",
                    "status": "unavailable",
                    "database": "unavailable",
                },
                status=503,
            )
        return Response({"status": "ok", "database": "ok"})


@csrf_exempt
def api_not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Return a JSON 404 for any method on an unknown `/api/` path, whatever DEBUG is."""
    return JsonResponse({"message": f"Not found: {request.path}"}, status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    """Return JSON for a crash outside DRF views under /api/ (DEBUG off), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"message": SERVER_ERROR_MESSAGE}, status=500)
    return defaults.server_error(request)
