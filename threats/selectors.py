"""Reads of security events for the API, the admin and the detection upsert."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from threats.models import (
    CONTRACT_EVENT_TYPES,
    DISMISSED_STATUSES,
    EventType,
    SecurityEvent,
    SuppressionRule,
)


@dataclass(frozen=True)
class EventCursor:
    """The position after the last event of a page, in (timestamp, id) descending order."""

    timestamp: datetime
    id: int


def events_newest_first() -> QuerySet[SecurityEvent]:
    """Return all events, newest first, with their assignee, for the API to filter and page."""
    return SecurityEvent.objects.select_related("assignee").order_by("-timestamp", "-id")


def events_page(
    *, queryset: QuerySet[SecurityEvent], cursor: EventCursor | None, limit: int
) -> tuple[list[SecurityEvent], EventCursor | None]:
    """Return up to `limit` events of `queryset` after `cursor`, and the next page's cursor or None.

    `queryset` must be ordered by (timestamp, id) descending, as `events_newest_first` is.
    """
    if cursor is not None:
        # The redundant `timestamp <= cursor` bound lets the database start an index range scan
        # at the cursor instead of evaluating the OR on every row.
        queryset = queryset.filter(
            Q(timestamp__lt=cursor.timestamp) | Q(timestamp=cursor.timestamp, id__lt=cursor.id),
            timestamp__lte=cursor.timestamp,
        )
    events = list(queryset[: limit + 1])
    if len(events) <= limit:
        return events, None
    last = events[limit - 1]
    return events[:limit], EventCursor(timestamp=last.timestamp, id=last.id)


def event_classification_counts(*, start: datetime, end: datetime) -> dict[str, int]:
    """Count events per type whose timestamp is in [start, end], leaving out dismissed ones.

    The six types of the dashboard's contract are always present, zero when there are none.
    Other types seen in the range follow in alphabetical order.
    """
    rows = (
        # Every type is valid (a check constraint enforces it), so `type IN (...)` filters
        # nothing out. It lets the database scan the (type, timestamp, status) index once per
        # type instead of sorting every row of the range for the GROUP BY.
        SecurityEvent.objects.filter(
            type__in=EventType.values, timestamp__gte=start, timestamp__lte=end
        )
        .exclude(status__in=DISMISSED_STATUSES)
        .values_list("type")
        .annotate(total=Count("id"))
        .order_by()
    )
    found = dict(rows)
    counts = {str(event_type): found.pop(event_type, 0) for event_type in CONTRACT_EVENT_TYPES}
    counts.update(sorted(found.items()))
    return counts


def suppression_rules_active(*, at: datetime) -> list[SuppressionRule]:
    """Return the enabled suppression rules that have not expired at `at`, oldest first."""
    return list(
        SuppressionRule.objects.filter(is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .order_by("created_at", "id")
    )
