"""State changes of security events: the triage workflow and the detection upsert."""

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime

from siem.telemetry import DETECTIONS_RAISED
from threats.models import (
    SEVERITY_RANK,
    EventStatus,
    EventType,
    SecurityEvent,
    SecurityEventOccurrence,
    SecurityEventStatusChange,
    Severity,
    SuppressionRule,
)
from threats.selectors import suppression_rules_active

if TYPE_CHECKING:
    from threats.detectors.base import Detection

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


# Fields that a repeat of a detection changes.
_REPEAT_FIELDS = [
    "count", "timestamp", "last_seen", "severity", "confidence", "evidence", "blocked",
    "description",
]


def _merge_repeat(
    *, event: SecurityEvent, occurred_at: datetime, fields: dict[str, Any]
) -> SecurityEvent:
    _apply_repeat(event=event, occurred_at=occurred_at, fields=fields)
    event.save(update_fields=_REPEAT_FIELDS)
    event_reopen(event=event, user=None, reason=REOPEN_REASON)
    return event


def _apply_repeat(*, event: SecurityEvent, occurred_at: datetime, fields: dict[str, Any]) -> None:
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


@dataclass
class RecordedDetections:
    """Result of `event_record_detections`: the events touched, and counts of new and known windows."""

    events: list[SecurityEvent] = field(default_factory=list)
    new_windows: int = 0
    known_windows: int = 0


@transaction.atomic
def event_record_detections(*, detections: Sequence["Detection"]) -> RecordedDetections:
    """Store detector results as events, counting each (fingerprint, window) once.

    A detection whose window is new goes through `event_record_detection` (suppression,
    deduplication, reopening) and adds one occurrence. A window already stored, because the
    detectors ran again over the same records or a second file held records of that window,
    only widens the event's first and last seen, so `count` is the number of distinct windows.
    The detection's features are kept in the evidence under `features`.
    """
    recorded = RecordedDetections()
    keys = [_window_key(detection) for detection in detections]
    known = _known_windows(keys=set(keys))
    fresh: dict[str, list[tuple[Detection, str]]] = {}
    for detection, key in zip(detections, keys, strict=True):
        if key in known:
            recorded.events.append(_widen_event(occurrence=known[key], detection=detection))
            recorded.known_windows += 1
        else:
            fresh.setdefault(detection.fingerprint, []).append((detection, key))
    for windows in fresh.values():
        windows.sort(key=lambda item: item[0].occurred_at)
        _record_windows(windows=windows, known=known, recorded=recorded)
    return recorded


def _record_windows(
    *,
    windows: list[tuple["Detection", str]],
    known: dict[str, SecurityEventOccurrence],
    recorded: RecordedDetections,
) -> None:
    """Record new windows of one fingerprint, in time order.

    The first goes through `event_record_detection`. The windows after it that would merge
    into the same event are applied to it in memory and written with one UPDATE and one bulk
    INSERT of occurrences, which gives the same event as one call each.
    """
    detection, key = windows[0]
    event, is_new = _record_window(detection=detection, key=key, known=known)
    recorded.events.append(event)
    recorded.new_windows += is_new
    recorded.known_windows += not is_new
    rest = windows[1:]
    if not rest:
        return
    merged = _merge_following(event=event, windows=rest, known=known) if is_new else 0
    recorded.events.extend([event] * merged)
    recorded.new_windows += merged
    if merged < len(rest):
        _record_windows(windows=rest[merged:], known=known, recorded=recorded)


def _merge_following(
    *, event: SecurityEvent, windows: list[tuple["Detection", str]], known: dict
) -> int:
    """Merge the leading windows that fall within the dedup window of `event`; return how many."""
    dedup = timedelta(seconds=settings.SIEM_THREATS_DEDUP_WINDOW_SECONDS)
    later = SecurityEvent.objects.filter(
        fingerprint=event.fingerprint, last_seen__gt=event.last_seen
    )
    if later.exists():
        # event_record_detection might pick that later event, so it decides window by window.
        return 0
    taken = []
    for detection, key in windows:
        if detection.occurred_at - event.last_seen > dedup:
            break
        taken.append((detection, key))
        fields = _detection_fields(detection)
        _apply_repeat(event=event, occurred_at=detection.occurred_at, fields=fields)
    if not taken:
        return 0
    try:
        with transaction.atomic():
            _save_merged(event=event, windows=taken, known=known)
    except IntegrityError:
        event.refresh_from_db()
        return 0
    for detection, _ in taken:
        _count_raised(detection)
    return len(taken)


def _save_merged(
    *, event: SecurityEvent, windows: list[tuple["Detection", str]], known: dict
) -> None:
    event.save(update_fields=_REPEAT_FIELDS)
    event_reopen(event=event, user=None, reason=REOPEN_REASON)
    occurrences = [
        SecurityEventOccurrence(
            event=event, key_hash=key, window_start=_detection_window(detection)[0],
            window_end=_detection_window(detection)[1], occurred_at=detection.occurred_at,
            blocked=detection.blocked,
        )  # fmt: skip
        for detection, key in windows
    ]
    SecurityEventOccurrence.objects.bulk_create(occurrences)
    known.update((occurrence.key_hash, occurrence) for occurrence in occurrences)


def _window_key(detection: "Detection") -> str:
    window_start, _ = _detection_window(detection)
    return hashlib.sha256(f"{detection.fingerprint}|{window_start.isoformat()}".encode()).hexdigest()


def _known_windows(*, keys: set[str]) -> dict[str, SecurityEventOccurrence]:
    """Return the stored occurrences among `keys`, read in chunks of BULK_CHUNK_SIZE."""
    ordered = sorted(keys)
    known: dict[str, SecurityEventOccurrence] = {}
    for start in range(0, len(ordered), BULK_CHUNK_SIZE):
        chunk = ordered[start : start + BULK_CHUNK_SIZE]
        known.update(
            (occurrence.key_hash, occurrence)
            for occurrence in SecurityEventOccurrence.objects.select_related("event").filter(
                key_hash__in=chunk
            )
        )
    return known


def _record_window(
    *, detection: "Detection", key: str, known: dict[str, SecurityEventOccurrence]
) -> tuple[SecurityEvent, bool]:
    window_start, window_end = _detection_window(detection)
    if key in known:
        return _widen_event(occurrence=known[key], detection=detection), False
    try:
        # The savepoint undoes the count increment when a concurrent ingest stored the window first.
        with transaction.atomic():
            event = _record_new_window(detection=detection)
            occurrence = SecurityEventOccurrence.objects.create(
                event=event, key_hash=key, window_start=window_start, window_end=window_end,
                occurred_at=detection.occurred_at, blocked=detection.blocked,
            )  # fmt: skip
    except IntegrityError:
        known[key] = SecurityEventOccurrence.objects.select_related("event").get(key_hash=key)
        return _widen_event(occurrence=known[key], detection=detection), False
    known[key] = occurrence
    _count_raised(detection)
    return event, True


def _record_new_window(*, detection: "Detection") -> SecurityEvent:
    return event_record_detection(occurred_at=detection.occurred_at, **_detection_fields(detection))


def _detection_fields(detection: "Detection") -> dict[str, Any]:
    """Return the event fields of a detection, as event_record_detection builds them."""
    _validate_detection(
        type=str(detection.type), severity=str(detection.severity), confidence=detection.confidence
    )
    return {
        "type": str(detection.type),
        "severity": str(detection.severity),
        "source_ip": detection.source_ip,
        "destination_ip": detection.destination_ip,
        "description": detection.description,
        "blocked": detection.blocked,
        "detector": detection.detector,
        "detector_version": detection.detector_version,
        "confidence": detection.confidence,
        "evidence": {**detection.evidence, "features": detection.features},
        "fingerprint": detection.fingerprint,
    }


def _detection_window(detection: "Detection") -> tuple[datetime, datetime | None]:
    """Return the detection's window from its evidence, or its first record's time when absent."""
    start = parse_datetime(str(detection.evidence.get("window_start", "")))
    end = parse_datetime(str(detection.evidence.get("window_end", "")))
    return start or detection.occurred_at, end


def _widen_event(*, occurrence: SecurityEventOccurrence, detection: "Detection") -> SecurityEvent:
    """Extend an event's first and last seen to a repeat of a window it already counts."""
    event = occurrence.event
    if not event.timestamp <= detection.occurred_at <= event.last_seen:
        event = SecurityEvent.objects.select_for_update().get(pk=occurrence.event_id)
        event.timestamp = min(event.timestamp, detection.occurred_at)
        event.last_seen = max(event.last_seen, detection.occurred_at)
        event.save(update_fields=["timestamp", "last_seen"])
        occurrence.event = event
    if occurrence.blocked and not detection.blocked:
        occurrence.blocked = False
        occurrence.save(update_fields=["blocked"])
    return event


def _count_raised(detection: "Detection") -> None:
    logger.info(
        "detection raised: %s from %s, fingerprint %s",
        detection.type, detection.source_ip, detection.fingerprint,
    )  # fmt: skip
    # Counted after commit, so a rolled-back ingest does not count its detections.
    transaction.on_commit(lambda: DETECTIONS_RAISED.labels(type=str(detection.type)).inc())
