"""Threat endpoints of the dashboard: classification counts, the events list and its CSV export."""

from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpResponseBase
from django.utils import timezone
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.timeranges import parse_time_range
from threats.api.csv_export import events_csv_response
from threats.api.cursors import cursor_decode, cursor_encode, limit_parse
from threats.api.filters import filter_events
from threats.api.schema import classifications_schema, events_csv_schema, events_schema
from threats.api.serializers import SecurityEventSerializer
from threats.selectors import (
    EventCursor,
    event_classification_counts,
    events_newest_first,
    events_page,
)


class CsvRenderer(BaseRenderer):
    """Renderer that lets `Accept: text/csv` select the CSV export. The view streams the body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        # Never reached for a success, which the view streams itself. Errors are switched to
        # JSON by JsonErrorsMixin, so this is a fallback that keeps any other body readable.
        return JSONRenderer().render(data)


class JsonErrorsMixin:
    """View mixin that renders error responses as JSON `{"message": ...}`, whatever the Accept."""

    def finalize_response(self, request, response, *args, **kwargs) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response


class FirstRendererNegotiation(BaseContentNegotiation):
    """Negotiation that always picks the view's first renderer, so no Accept header gets a 406."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ThreatClassificationsView(APIView):
    """GET /api/threats/classifications: event counts per type over `time_range` (default 24h)."""

    @classifications_schema
    def get(self, request: Request) -> Response:
        time_range = parse_time_range(request.query_params.get("time_range"), default="24h")
        end = timezone.now()
        start = end - timedelta(seconds=time_range.seconds)
        return Response(event_classification_counts(start=start, end=end))


class SecurityEventListView(JsonErrorsMixin, APIView):
    """GET /api/threats/events: newest events as a bare JSON array, or CSV for `Accept: text/csv`.

    The next page is linked from a `Link: <...>; rel="next"` header carrying a cursor.
    """

    renderer_classes = [JSONRenderer, CsvRenderer]

    @events_schema
    def get(self, request: Request) -> HttpResponseBase:
        queryset = filter_events(request.query_params, events_newest_first())
        if request.accepted_renderer.format == CsvRenderer.format:
            return events_csv_response(queryset)

        limit = limit_parse(request.query_params.get("limit"))
        cursor = cursor_decode(request.query_params.get("cursor"))
        events, next_cursor = events_page(queryset=queryset, cursor=cursor, limit=limit)
        response = Response(SecurityEventSerializer(events, many=True).data)
        if next_cursor is not None:
            response["Link"] = f'<{_next_page_url(request, next_cursor)}>; rel="next"'
        return response


class SecurityEventCsvView(JsonErrorsMixin, APIView):
    """GET /api/threats/events.csv: every event matching the list's filters, streamed as CSV."""

    content_negotiation_class = FirstRendererNegotiation

    @events_csv_schema
    def get(self, request: Request) -> HttpResponseBase:
        queryset = filter_events(request.query_params, events_newest_first())
        return events_csv_response(queryset)


def _next_page_url(request: Request, cursor: EventCursor) -> str:
    params = request.query_params.copy()
    params["cursor"] = cursor_encode(cursor)
    return request.build_absolute_uri(f"{request.path}?{urlencode(list(params.lists()), doseq=True)}")
