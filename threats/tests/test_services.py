from datetime import timedelta

import pytest

from threats.models import EventStatus, SecurityEvent, SecurityEventStatusChange
from threats.services import (
    REOPEN_REASON,
    detection_fingerprint,
    event_record_detection,
    event_status_change,
    events_assign,
    events_status_change,
)
from threats.tests.factories import BASE_TIME, make_event, make_rule

pytestmark = pytest.mark.django_db

WINDOW = timedelta(minutes=30)


def record(**overrides) -> SecurityEvent:
    values = {
        "type": "port_scan",
        "severity": "medium",
        "source_ip": "203.0.113.9",
        "destination_ip": "10.0.2.10",
        "description": "120 distinct destination ports probed in 60 seconds",
        "blocked": False,
        "detector": "port_scan",
        "detector_version": "1.0",
        "confidence": 0.8,
        "evidence": {"distinct_ports": 120},
        "fingerprint": "scan-203.0.113.9",
        "occurred_at": BASE_TIME,
        "dedup_window": WINDOW,
    }
    values.update(overrides)
    return event_record_detection(**values)


def history(event: SecurityEvent) -> list[tuple]:
    return list(
        event.status_changes.order_by("id").values_list(
            "from_status", "to_status", "changed_by", "reason"
        )
    )


def test_status_change_records_history(user):
    event = make_event()

    changed = event_status_change(
        event=event, status=EventStatus.ACKNOWLEDGED, user=user, reason="Looking into it"
    )

    assert changed is True
    event.refresh_from_db()
    assert event.status == "acknowledged"
    assert history(event) == [("new", "acknowledged", user.pk, "Looking into it")]


def test_status_change_to_same_status_records_nothing(user):
    event = make_event()

    assert event_status_change(event=event, status="new", user=user) is False
    assert history(event) == []


def test_status_change_rejects_unknown_status(user):
    with pytest.raises(ValueError, match="status='closed' is invalid"):
        event_status_change(event=make_event(), status="closed", user=user)


def test_bulk_status_change_skips_events_already_in_status(user):
    fresh = [make_event(), make_event()]
    done = make_event(status="resolved")

    changed = events_status_change(
        events=SecurityEvent.objects.all(), status="resolved", user=user, reason="Patched"
    )

    assert changed == 2
    assert set(SecurityEvent.objects.values_list("status", flat=True)) == {"resolved"}
    assert [history(event) for event in fresh] == [[("new", "resolved", user.pk, "Patched")]] * 2
    assert history(done) == []


def test_assign_sets_assignee_and_counts_changes(user):
    first, second = make_event(), make_event(assignee=user)

    changed = events_assign(events=SecurityEvent.objects.all(), assignee=user, user=user)

    assert changed == 1
    first.refresh_from_db()
    assert first.assignee == user
    assert second.assignee == user


def test_detection_creates_new_event():
    event = record()

    assert SecurityEvent.objects.count() == 1
    stored = SecurityEvent.objects.get()
    assert stored.pk == event.pk
    assert (stored.type, stored.severity, stored.status) == ("port_scan", "medium", "new")
    assert (stored.timestamp, stored.last_seen, stored.count) == (BASE_TIME, BASE_TIME, 1)
    assert (stored.detector, stored.detector_version, stored.confidence) == ("port_scan", "1.0", 0.8)
    assert stored.evidence == {"distinct_ports": 120}
    assert history(stored) == []


def test_repeat_within_window_updates_one_event():
    record()
    later = BASE_TIME + timedelta(minutes=20)

    event = record(
        occurred_at=later, severity="high", confidence=0.6, evidence={"distinct_ports": 300}
    )

    assert SecurityEvent.objects.count() == 1
    event.refresh_from_db()
    assert (event.count, event.timestamp, event.last_seen) == (2, BASE_TIME, later)
    assert event.severity == "high"
    assert event.confidence == 0.8
    assert event.evidence == {"distinct_ports": 300}


def test_repeat_keeps_higher_severity():
    record(severity="critical")

    event = record(occurred_at=BASE_TIME + timedelta(minutes=1), severity="low")

    assert event.severity == "critical"


def test_window_slides_with_last_seen():
    for minutes in (0, 25, 50, 75):
        record(occurred_at=BASE_TIME + timedelta(minutes=minutes))

    assert SecurityEvent.objects.get().count == 4


def test_repeat_after_window_creates_new_event():
    record()

    record(occurred_at=BASE_TIME + WINDOW + timedelta(seconds=1))

    assert SecurityEvent.objects.count() == 2


def test_late_occurrence_merges_only_within_window():
    record(occurred_at=BASE_TIME)

    merged = record(occurred_at=BASE_TIME - WINDOW + timedelta(seconds=1))
    separate = record(occurred_at=BASE_TIME - 2 * WINDOW - timedelta(minutes=1))

    assert merged.timestamp == BASE_TIME - WINDOW + timedelta(seconds=1)
    assert (merged.count, merged.last_seen) == (2, BASE_TIME)
    assert separate.pk != merged.pk
    assert SecurityEvent.objects.count() == 2


def test_repeat_without_evidence_keeps_previous_evidence():
    record()

    event = record(occurred_at=BASE_TIME + timedelta(minutes=1), evidence=None)

    assert event.evidence == {"distinct_ports": 120}


def test_other_fingerprint_creates_new_event():
    record()

    record(fingerprint="scan-other")

    assert SecurityEvent.objects.count() == 2


def test_empty_fingerprint_defaults_to_type_detector_and_addresses():
    first = record(fingerprint="")

    second = record(fingerprint="", occurred_at=BASE_TIME + timedelta(minutes=1))

    assert first.pk == second.pk
    assert first.fingerprint == detection_fingerprint(
        type="port_scan", detector="port_scan", source_ip="203.0.113.9", destination_ip="10.0.2.10"
    )


def test_resolved_event_reopens_on_repeat(user):
    event = record()
    event_status_change(event=event, status="resolved", user=user, reason="Blocked upstream")

    record(occurred_at=BASE_TIME + timedelta(minutes=5))

    event.refresh_from_db()
    assert (event.status, event.count) == ("new", 2)
    assert history(event) == [
        ("new", "resolved", user.pk, "Blocked upstream"),
        ("resolved", "new", None, REOPEN_REASON),
    ]


@pytest.mark.parametrize("status", ["false_positive", "suppressed", "acknowledged"])
def test_repeat_keeps_analyst_decision(user, status):
    event = record()
    event_status_change(event=event, status=status, user=user)

    record(occurred_at=BASE_TIME + timedelta(minutes=5))

    event.refresh_from_db()
    assert (event.status, event.count) == (status, 2)
    assert len(history(event)) == 1


@pytest.mark.parametrize(
    "rule_fields",
    [
        {"source_cidr": "203.0.113.0/24"},
        {"source_cidr": "", "destination_cidr": "10.0.2.0/24"},
        {"source_cidr": "", "type": "port_scan"},
        {"source_cidr": "", "detector": "port_scan"},
        {"source_cidr": "203.0.113.9/32", "type": "port_scan", "detector": "port_scan"},
    ],
)
def test_matching_rule_stores_event_suppressed(rule_fields):
    rule = make_rule(**rule_fields)

    event = record()

    assert event.status == "suppressed"
    assert history(event) == [
        ("", "suppressed", None, f"Suppressed by rule {rule.pk}: Known vulnerability scanner")
    ]


@pytest.mark.parametrize(
    "rule_fields",
    [
        {"source_cidr": "198.51.100.0/24"},
        {"source_cidr": "203.0.113.0/24", "type": "ddos"},
        {"source_cidr": "", "detector": "brute_force_flow"},
        {"source_cidr": "2001:db8::/32"},
        {"source_cidr": "203.0.113.0/24", "is_active": False},
        {"source_cidr": "203.0.113.0/24", "expires_at": BASE_TIME},
        {"source_cidr": ""},
    ],
    ids=["other-cidr", "other-type", "other-detector", "ipv6", "inactive", "expired", "empty"],
)
def test_non_matching_rule_leaves_event_new(rule_fields):
    make_rule(**rule_fields)

    assert record().status == "new"


def test_rule_expiring_after_detection_still_applies():
    make_rule(source_cidr="203.0.113.0/24", expires_at=BASE_TIME + timedelta(seconds=1))

    assert record().status == "suppressed"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("type", "worm", "type='worm' is invalid"),
        ("severity", "urgent", "severity='urgent' is invalid"),
        ("confidence", 1.5, "confidence=1.5 is invalid"),
    ],
)
def test_detection_rejects_invalid_values(field, value, message):
    with pytest.raises(ValueError, match=message):
        record(**{field: value})
    assert SecurityEvent.objects.count() == 0
    assert SecurityEventStatusChange.objects.count() == 0


def test_default_window_comes_from_settings(settings):
    settings.SIEM_THREATS_DEDUP_WINDOW_SECONDS = 60
    record(dedup_window=None)

    record(dedup_window=None, occurred_at=BASE_TIME + timedelta(seconds=61))

    assert SecurityEvent.objects.count() == 2
