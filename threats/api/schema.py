"""OpenAPI descriptions of the threat endpoints, for drf-spectacular."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from siem.serializers import MessageSerializer
from threats.api.serializers import SecurityEventSerializer
from threats.models import CONTRACT_EVENT_TYPES, EventStatus, EventType, Severity

# Every endpoint here requires a bearer token and returns 400 for an invalid query parameter.
# Errors are JSON whatever the Accept header, so their media type is given explicitly.
ERRORS = {
    (400, "application/json"): MessageSerializer,
    (401, "application/json"): MessageSerializer,
}

FILTER_PARAMETERS = [
    OpenApiParameter("type", str, enum=EventType.values),
    OpenApiParameter("severity", str, enum=Severity.values),
    OpenApiParameter("status", str, enum=EventStatus.values),
    OpenApiParameter("source_ip", str, description="One IPv4 or IPv6 address."),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description="ISO 8601, inclusive."),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description="ISO 8601, inclusive."),
]

classifications_schema = extend_schema(
    summary="Count events per threat type",
    parameters=[OpenApiParameter("time_range", str, enum=["1h", "6h", "24h", "7d"], default="24h")],
    responses={
        200: inline_serializer(
            "ThreatClassifications",
            fields={str(name): serializers.IntegerField() for name in CONTRACT_EVENT_TYPES},
        ),
        **ERRORS,
    },
)

events_schema = extend_schema(
    summary="List security events, newest first",
    description=(
        "A bare JSON array. When more events match, the `Link` header carries the URL of the "
        'next page (`rel="next"`). `Accept: text/csv` returns the CSV export instead.'
    ),
    parameters=[
        *FILTER_PARAMETERS,
        OpenApiParameter(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": settings.SIEM_THREATS_EVENTS_MAX_LIMIT},
            description=f"Events per page, default {settings.SIEM_THREATS_EVENTS_DEFAULT_LIMIT}.",
        ),
        OpenApiParameter("cursor", str, description="Taken from the `Link` header."),
        OpenApiParameter(
            "Link",
            str,
            OpenApiParameter.HEADER,
            response=[200],
            description='`<URL of the next page>; rel="next"`, absent on the last page.',
        ),
    ],
    responses={
        (200, "application/json"): SecurityEventSerializer(many=True),
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Streamed CSV."),
        **ERRORS,
        (404, "application/json"): OpenApiResponse(
            MessageSerializer, description="`format` is neither json nor csv."
        ),
    },
)

events_csv_schema = extend_schema(
    summary="Export matching security events as CSV",
    parameters=FILTER_PARAMETERS,
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Streamed CSV."),
        **ERRORS,
    },
)
