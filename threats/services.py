"""State changes of security events: the triage workflow and the detection upsert."""

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from threats.models import (
    SEVERITY_RANK,
    EventStatus,
    EventType,
    SecurityEvent,
    SecurityEventStatusChange,
    Severity,
    SuppressionRule,
)
from threats.selectors import suppression_rules_active

logger = logging.getLogger(__name__)

# Rows per UPDATE ... WHERE id IN (...) and per history insert in bulk status changes.
BULK_CHUNK_SIZE = 500
REOPEN_REASON = "Reopened: the detection fired again after the event was resolved."


def _record_change(
    *, event: SecurityEvent, from_status: str, user: AbstractBaseUser | None, reason: str
) -> SecurityEventStatusChange:
    return SecurityEventStatusChange.objects.create(
        event=event,
        from_status=from_status,
        to_status=event.status,
        changed_by=user,
        reason=reason[:255],
    )


@transaction.atomic
def event_status_change(
    *, event: SecurityEvent, status: str, user: AbstractBaseUser | None, reason: str = ""
) -> bool:
    """Move an event to `status` and append the change to its history.

    Returns False, and records nothing, when the event already has that status.
    Raises ValueError for a status that is not one of EventStatus.
    """
    if status not in EventStatus.values:
        raise ValueError(f"status={status!r} is invalid: use one of {', '.join(EventStatus.values)}.")

    locked = SecurityEvent.objects.select_for_update().only("id", "status").get(pk=event.pk)
    if locked.status == status:
        return False

    previous = locked.status
    SecurityEvent.objects.filter(pk=event.pk).update(status=status)
    event.status = status
    _record_change(event=event, from_status=previous, user=user, reason=reason)
    logger.info("event %s status %s -> %s by user %s", event.pk, previous, status, _user_id(user))
    return True


@transaction.atomic
def events_status_change(
    *,
    events: QuerySet[SecurityEvent],
    status: str,
    user: AbstractBaseUser | None,
    reason: str = "",
) -> int:
    """Move the events to `status` with one history entry each, and return how many changed.

    Events that already have the status are left alone. The update and the history are written
    in chunks, so a bulk action over thousands of events costs a few queries per chunk.
    """
    if status not in EventStatus.values:
        raise ValueError(f"status={status!r} is invalid: use one of {', '.join(EventStatus.values)}.")

    rows = list(
        events.select_for_update().exclude(status=status).order_by().values_list("id", "status")
    )
    for start in range(0, len(rows), BULK_CHUNK_SIZE):
        chunk = rows[start : start + BULK_CHUNK_SIZE]
        SecurityEvent.objects.filter(pk__in=[pk for pk, _ in chunk]).update(status=status)
        SecurityEventStatusChange.objects.bulk_create(
            SecurityEventStatusChange(
                event_id=pk, from_status=previous, to_status=status, changed_by=user,
                reason=reason[:255],
            )
            for pk, previous in chunk
        )
    logger.info("user %s moved %s events to %s", _user_id(user), len(rows), status)
    return len(rows)


@transaction.atomic
def event_reopen(*, event: SecurityEvent, user: AbstractBaseUser | None, reason: str) -> bool:
    """Set a resolved event back to new with `reason` in its history, and return whether it changed."""
    if event.status != EventStatus.RESOLVED:
        return False
    return event_status_change(event=event, status=EventStatus.NEW, user=user, reason=reason)


@transaction.atomic
def events_assign(
    *, events: QuerySet[SecurityEvent], assignee: AbstractBaseUser | None, user: AbstractBaseUser
) -> int:
    """Assign the events to `assignee` (None clears it) and return how many changed."""
    assignee_id = assignee.pk if assignee else None
    unchanged = Q(assignee__isnull=True) if assignee_id is None else Q(assignee_id=assignee_id)
    ids = list(events.exclude(unchanged).order_by().values_list("id", flat=True))
    for start in range(0, len(ids), BULK_CHUNK_SIZE):
        chunk = ids[start : start + BULK_CHUNK_SIZE]
        SecurityEvent.objects.filter(pk__in=chunk).update(assignee_id=assignee_id)
    changed = len(ids)
    logger.info("user %s assigned %s events to user %s", user.pk, changed, assignee_id)
    return changed


def _user_id(user: AbstractBaseUser | None) -> object:
    return user.pk if user else "system"


def detection_fingerprint(
    *, type: str, detector: str, source_ip: str | None, destination_ip: str | None
) -> str:
    """Return the default identity of a detection: same type, detector and addresses."""
    key = "|".join([type, detector, source_ip or "", destination_ip or ""])
    return hashlib.sha256(key.encode()).hexdigest()


def _matching_rule(
    *, type: str, detector: str, source_ip: str | None, destination_ip: str | None, at: datetime
) -> SuppressionRule | None:
    for rule in suppression_rules_active(at=at):
        if rule.matches(
            type=type, detector=detector, source_ip=source_ip, destination_ip=destination_ip
        ):
            return rule
    return None


def _validate_detection(*, type: str, severity: str, confidence: float) -> None:
    if type not in EventType.values:
        raise ValueError(f"type={type!r} is invalid: use one of {', '.join(EventType.values)}.")
    if severity not in Severity.values:
        raise ValueError(
            f"severity={severity!r} is invalid: use one of {', '.join(Severity.values)}."
        )
    if not 0.0 <= confidence <= 1.0:
        raise ValueError(f"confidence={confidence!r} is invalid: use a number from 0 to 1.")


@transaction.atomic
def event_record_detection(
    *,
    type: str,
    severity: str,
    source_ip: str | None,
    destination_ip: str | None,
    description: str,
    occurred_at: datetime,
    detector: str,
    blocked: bool = False,
    detector_version: str = "",
    confidence: float = 1.0,
    evidence: dict[str, Any] | None = None,
    fingerprint: str = "",
    dedup_window: timedelta | None = None,
) -> SecurityEvent:
    """Store one detection as a new event, or merge it into the open event for the same detection.

    Signature (keyword-only):
        event_record_detection(*, type, severity, source_ip, destination_ip, description,
            occurred_at, detector, blocked=False, detector_version="", confidence=1.0,
            evidence=None, fingerprint="", dedup_window=None) -> SecurityEvent

    - `fingerprint` identifies repeats of one detection; empty means a hash of type, detector,
      source and destination (`detection_fingerprint`).
    - A detection whose fingerprint matches an event that spans to within `dedup_window` of
      `occurred_at` (default: SIEM_THREATS_DEDUP_WINDOW_SECONDS), on either side, updates that
      event: count + 1, first and last seen, the higher severity and confidence, and the latest
      description, blocked flag and evidence (unless empty). A resolved event is
      reopened (status new) with a history entry. False positives and suppressed events keep
      their status, so an analyst's decision is not undone.
    - Otherwise a new event is created. If an active, unexpired SuppressionRule matches, it is
      stored with status `suppressed` and a history entry naming the rule.

    Raises ValueError for an unknown type or severity, or a confidence outside 0 to 1.
    """
    _validate_detection(type=type, severity=severity, confidence=confidence)
    window = dedup_window or timedelta(seconds=settings.SIEM_THREATS_DEDUP_WINDOW_SECONDS)
    fingerprint = fingerprint or detection_fingerprint(
        type=type, detector=detector, source_ip=source_ip, destination_ip=destination_ip
    )
    existing = (
        SecurityEvent.objects.select_for_update()
        .filter(
            fingerprint=fingerprint,
            last_seen__gte=occurred_at - window,
            # A late-arriving occurrence merges only if it is within the window before the event.
            timestamp__lte=occurred_at + window,
        )
        .order_by("-last_seen", "-id")
        .first()
    )
    fields = {
        "type": type,
        "severity": severity,
        "source_ip": source_ip,
        "destination_ip": destination_ip,
        "description": description,
        "blocked": blocked,
        "detector": detector,
        "detector_version": detector_version,
        "confidence": confidence,
        "evidence": evidence or {},
        "fingerprint": fingerprint,
    }
    if existing is not None:
        return _merge_repeat(event=existing, occurred_at=occurred_at, fields=fields)
    return _create_event(occurred_at=occurred_at, fields=fields)


def _merge_repeat(
    *, event: SecurityEvent, occurred_at: datetime, fields: dict[str, Any]
) -> SecurityEvent:
    event.count += 1
    event.timestamp = min(event.timestamp, occurred_at)
    event.last_seen = max(event.last_seen, occurred_at)
    if SEVERITY_RANK[fields["severity"]] > SEVERITY_RANK[event.severity]:
        event.severity = fields["severity"]
    event.confidence = max(event.confidence, fields["confidence"])
    if fields["evidence"]:
        event.evidence = fields["evidence"]
    event.blocked = fields["blocked"]
    event.description = fields["description"]
    event.save(
        update_fields=[
            "count", "timestamp", "last_seen", "severity", "confidence", "evidence", "blocked",
            "description",
        ]
    )
    event_reopen(event=event, user=None, reason=REOPEN_REASON)
    return event


def _create_event(*, occurred_at: datetime, fields: dict[str, Any]) -> SecurityEvent:
    rule = _matching_rule(
        type=fields["type"],
        detector=fields["detector"],
        source_ip=fields["source_ip"],
        destination_ip=fields["destination_ip"],
        at=occurred_at,
    )
    status = EventStatus.SUPPRESSED if rule else EventStatus.NEW
    event = SecurityEvent.objects.create(
        timestamp=occurred_at, last_seen=occurred_at, status=status, **fields
    )
    if rule is not None:
        reason = f"Suppressed by rule {rule.pk}: {rule.reason}"
        _record_change(event=event, from_status="", user=None, reason=reason)
    logger.info(
        "event %s raised: %s from %s by %s (%s)",
        event.pk, event.type, event.source_ip, event.detector, event.status,
    )
    return event


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# Columns written by events_samples_insert. The others get their database defaults or NULL.
_SAMPLE_COLUMNS = (
    "timestamp", "last_seen", "count", "type", "severity", "confidence", "source_ip",
    "destination_ip", "description", "blocked", "detector", "detector_version", "fingerprint",
    "evidence", "status", "notes", "is_sample",
)


def events_samples_insert(
    *,
    events: Iterable[dict[str, Any]],
    batch_size: int,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Insert sample events (flagged `is_sample`) in batches, and return how many were inserted.

    `events` are dicts as `threats.samples.sample_events` yields them. Rows go through one
    executemany per batch rather than bulk_create, whose per-value preparation made 100,000
    rows take about 40 s instead of a few. Each batch commits on its own, so an interrupted run
    keeps the batches already written. `on_batch` receives the running total after each batch.
    """
    statement = _sample_insert_statement()
    inserted = 0
    for batch in _batches(events, batch_size):
        rows = [_sample_row(fields) for fields in batch]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(statement, rows)
        inserted += len(rows)
        if on_batch is not None:
            on_batch(inserted)
    logger.info("inserted %s sample events", inserted)
    return inserted


def _sample_insert_statement() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _SAMPLE_COLUMNS)
    placeholders = ", ".join(["%s"] * len(_SAMPLE_COLUMNS))
    return f"INSERT INTO {quote(SecurityEvent._meta.db_table)} ({columns}) VALUES ({placeholders})"


def _sample_row(fields: dict[str, Any]) -> tuple:
    adapt_datetime = connection.ops.adapt_datetimefield_value
    values = {
        **fields,
        "timestamp": adapt_datetime(fields["timestamp"]),
        "last_seen": adapt_datetime(fields["last_seen"]),
        "evidence": json.dumps(fields["evidence"]),
        "fingerprint": fields.get("fingerprint", ""),
        "notes": "",
        "is_sample": True,
    }
    return tuple(values[name] for name in _SAMPLE_COLUMNS)


def events_samples_delete(
    *, batch_size: int, on_batch: Callable[[int], None] | None = None
) -> int:
    """Delete every sample event and its history in batches. Events without `is_sample` stay."""
    deleted = 0
    while True:
        ids = list(
            SecurityEvent.objects.filter(is_sample=True).values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            break
        with transaction.atomic():
            SecurityEventStatusChange.objects.filter(event_id__in=ids).delete()
            SecurityEvent.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
        if on_batch is not None:
            on_batch(deleted)
    logger.info("deleted %s sample events", deleted)
    return deleted
