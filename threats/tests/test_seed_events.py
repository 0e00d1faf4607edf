import ipaddress
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from threats.models import EventType, SecurityEvent
from threats.tests.factories import make_event

pytestmark = pytest.mark.django_db

NOW = datetime(2024, 11, 22, 10, 45, 30, tzinfo=UTC)
DOCUMENTATION_NETWORKS = [
    ipaddress.ip_network(cidr) for cidr in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]
INSIDE_NETWORK = ipaddress.ip_network("10.0.0.0/16")


@pytest.fixture(autouse=True)
def _fixed_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def seed(*args: str) -> str:
    output = StringIO()
    call_command("seed_events", *args, stdout=output)
    return output.getvalue()


def snapshot() -> list[tuple]:
    fields = ("timestamp", "type", "severity", "source_ip", "destination_ip", "description",
              "blocked", "status", "count", "evidence")
    return list(SecurityEvent.objects.order_by("id").values_list(*fields))


def test_seed_inserts_count_samples_with_progress():
    output = seed("--count", "1200", "--batch-size", "500", "--seed", "1")

    assert SecurityEvent.objects.count() == 1200
    assert not SecurityEvent.objects.filter(is_sample=False).exists()
    assert "  500/1200 events inserted\n  1000/1200 events inserted\n  1200/1200 events inserted\n" in output
    assert "Inserted 1200 sample events in " in output


def test_seed_same_seed_same_events():
    seed("--count", "300", "--seed", "7")
    first = snapshot()
    SecurityEvent.objects.all().delete()

    seed("--count", "300", "--seed", "7")

    assert snapshot() == first


def test_seed_other_seed_other_events():
    seed("--count", "300", "--seed", "7")
    first = snapshot()
    SecurityEvent.objects.all().delete()

    seed("--count", "300", "--seed", "8")

    assert snapshot() != first


def test_seed_events_are_realistic():
    seed("--count", "2000", "--days", "3", "--seed", "3")
    events = list(SecurityEvent.objects.all())

    assert {event.type for event in events} == set(EventType.values)
    assert {event.severity for event in events} == {"low", "medium", "high", "critical"}
    assert {event.blocked for event in events} == {True, False}
    assert all(NOW - timedelta(days=3) <= event.timestamp <= NOW for event in events)
    assert all(event.timestamp <= event.last_seen <= NOW for event in events)
    for event in events:
        addresses = {ipaddress.ip_address(event.source_ip), ipaddress.ip_address(event.destination_ip)}
        assert any(address in INSIDE_NETWORK for address in addresses)
        assert any(
            address in network for address in addresses for network in DOCUMENTATION_NETWORKS
        )


def test_seed_events_come_in_bursts():
    seed("--count", "2000", "--seed", "5")

    sources = SecurityEvent.objects.exclude(type="ddos").values_list("source_ip", flat=True)

    # About 2,000 events from a pool of 762 outside and 2,024 inside addresses: repeats prove bursts.
    assert len(set(sources)) < len(sources) / 3


def test_clear_removes_only_samples():
    seed("--count", "50", "--seed", "1")
    real = make_event()

    output = seed("--clear")

    assert list(SecurityEvent.objects.all()) == [real]
    assert "Deleted 50 sample events." in output


def test_clear_then_seed():
    seed("--count", "50", "--seed", "1")

    seed("--clear", "--count", "20", "--seed", "2")

    assert SecurityEvent.objects.filter(is_sample=True).count() == 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--count", "-1"), "--count=-1 is invalid: use 0 or more."),
        (("--days", "0"), "--days=0.0 is invalid: use a number of days above 0."),
        (("--batch-size", "0"), "--batch-size=0 is invalid: use 1 or more."),
    ],
)
def test_seed_rejects_invalid_options(args, message):
    with pytest.raises(CommandError, match=message):
        seed(*args)
