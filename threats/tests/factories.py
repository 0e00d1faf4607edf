"""Factories for threats models: valid defaults, every field overridable."""

import itertools
from datetime import UTC, datetime, timedelta

from threats.models import SecurityEvent, SuppressionRule

BASE_TIME = datetime(2024, 11, 22, 10, 0, 0, tzinfo=UTC)
_sequence = itertools.count(1)


def make_event(**fields) -> SecurityEvent:
    """Create a SecurityEvent; without `timestamp`, each event is one second after the last."""
    number = next(_sequence)
    timestamp = fields.pop("timestamp", BASE_TIME + timedelta(seconds=number))
    values = {
        "timestamp": timestamp,
        "last_seen": timestamp,
        "type": "brute_force",
        "severity": "high",
        "source_ip": "203.0.113.45",
        "destination_ip": "10.0.1.50",
        "description": "Multiple failed SSH login attempts detected",
        "blocked": True,
        "detector": "brute_force_flow",
        "detector_version": "1",
        "fingerprint": f"factory-{number}",
        "evidence": {"attempts": 40, "destination_port": 22},
    }
    values.update(fields)
    return SecurityEvent.objects.create(**values)


def make_rule(**fields) -> SuppressionRule:
    """Create an active SuppressionRule for the known scanner 198.51.100.7."""
    values = {"reason": "Known vulnerability scanner", "source_cidr": "198.51.100.7/32"}
    values.update(fields)
    return SuppressionRule.objects.create(**values)
