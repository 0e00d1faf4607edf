import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from threats.models import SecurityEventStatusChange, SuppressionRule
from threats.tests.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [("type", "worm"), ("severity", "urgent"), ("status", "closed"), ("confidence", 1.01)],
)
def test_database_rejects_invalid_values(field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_event(**{field: value})


@pytest.mark.parametrize(
    ("field", "value"), [("type", "worm"), ("severity", "urgent"), ("confidence", -0.1)]
)
def test_full_clean_rejects_invalid_values(field, value):
    event = make_event()
    setattr(event, field, value)

    with pytest.raises(ValidationError) as raised:
        event.full_clean()

    assert list(raised.value.message_dict) == [field]


def test_port_scan_is_a_valid_type():
    make_event(type="port_scan").full_clean()


def test_status_history_is_append_only():
    change = SecurityEventStatusChange.objects.create(
        event=make_event(), from_status="new", to_status="resolved"
    )
    change.reason = "rewritten"

    with pytest.raises(ValidationError, match="append-only"):
        change.save()


def test_rule_without_criteria_is_invalid():
    rule = SuppressionRule(reason="Everything")

    with pytest.raises(ValidationError, match="at least one criterion"):
        rule.full_clean()


def test_rule_rejects_invalid_cidr():
    rule = SuppressionRule(reason="Scanner", source_cidr="203.0.113.0/33")

    with pytest.raises(ValidationError) as raised:
        rule.full_clean()

    assert raised.value.message_dict["source_cidr"] == [
        "'203.0.113.0/33' is not a valid CIDR: use a network such as 203.0.113.0/24 or 2001:db8::/32."
    ]


@pytest.mark.parametrize(
    ("cidr", "address", "expected"),
    [
        ("203.0.113.0/24", "203.0.113.200", True),
        ("203.0.113.0/24", "203.0.114.1", False),
        ("2001:db8::/32", "2001:db8::1", True),
        ("2001:db8::/32", "203.0.113.1", False),
        ("203.0.113.0/24", None, False),
    ],
)
def test_rule_matches_source_cidr(cidr, address, expected):
    rule = SuppressionRule(reason="Scanner", source_cidr=cidr)

    matched = rule.matches(type="port_scan", detector="d", source_ip=address, destination_ip=None)

    assert matched is expected
