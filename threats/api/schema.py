"""OpenAPI descriptions of the threat endpoints, for drf-spectacular."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from threats.api.serializers import SecurityEventSerializer
from threats.models import CONTRACT_EVENT_TYPES, EventStatus, EventType, Severity

ERROR = inline_serializer("ThreatsError", fields={"message": serializers.CharField()})

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
    parameters=[OpenApiParameter("time_range", str, enum=["1h", "6h", "24h", "7d"])],
    responses={
        200: inline_serializer(
            "ThreatClassifications",
            fields={str(name): serializers.IntegerField() for name in CONTRACT_EVENT_TYPES},
        ),
        400: ERROR,
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
        OpenApiParameter("limit", int, description="Events per page, 1 to 500, default 100."),
        OpenApiParameter("cursor", str, description="Taken from the `Link` header."),
    ],
    responses={200: SecurityEventSerializer(many=True), 400: ERROR},
)

events_csv_schema = extend_schema(
    summary="Export matching security events as CSV",
    parameters=FILTER_PARAMETERS,
    responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Streamed CSV."),
        400: ERROR,
    },
)
