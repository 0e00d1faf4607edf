"""Streamed CSV export of security events for analysts who work in spreadsheets."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

CSV_COLUMNS = (
    "id",
    "timestamp",
    "type",
    "severity",
    "status",
    "source_ip",
    "destination_ip",
    "description",
    "blocked",
    "count",
    "last_seen",
    "confidence",
    "detector",
    "assignee",
    "is_sample",
)
_QUERY_FIELDS = tuple("assignee__email" if name == "assignee" else name for name in CSV_COLUMNS)
# A spreadsheet evaluates a cell that starts with one of these as a formula, and descriptions
# contain attacker-controlled text, so such cells get a leading apostrophe.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000


class _LineBuffer:
    """A file-like sink for csv.writer that hands each written line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


def _cell(value: object) -> object:
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def event_csv_lines(queryset: QuerySet) -> Iterator[str]:
    """Yield the header and one CSV line per event, reading the rows in chunks."""
    writer = csv.writer(_LineBuffer())
    yield writer.writerow(CSV_COLUMNS)
    rows = queryset.values_list(*_QUERY_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for row in rows:
        yield writer.writerow([_cell(value) for value in row])


def events_csv_response(queryset: QuerySet, *, filename: str = "security-events.csv"):
    """Return a response that streams `queryset` as CSV, so no export is built in memory."""
    response = StreamingHttpResponse(event_csv_lines(queryset), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
