from datetime import timedelta

import pytest
from django.utils import timezone

from threats.tests.factories import make_event

pytestmark = pytest.mark.django_db

URL = "/api/threats/classifications"
ZEROS = {
    "malware": 0,
    "phishing": 0,
    "ddos": 0,
    "brute_force": 0,
    "sql_injection": 0,
    "xss": 0,
}


def ago(**delta) -> timezone.datetime:
    return timezone.now() - timedelta(**delta)


def test_classifications_zero_filled_when_empty(auth_client):
    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == ZEROS
    assert list(response.json()) == list(ZEROS)


def test_classifications_count_each_type(auth_client):
    for event_type in ("malware", "malware", "ddos", "xss"):
        make_event(type=event_type, timestamp=ago(hours=1))

    response = auth_client.get(URL)

    assert response.json() == {**ZEROS, "malware": 2, "ddos": 1, "xss": 1}


def test_classifications_default_range_is_24h(auth_client):
    make_event(type="phishing", timestamp=ago(hours=23))
    make_event(type="phishing", timestamp=ago(hours=25))

    response = auth_client.get(URL)

    assert response.json() == {**ZEROS, "phishing": 1}


@pytest.mark.parametrize(
    ("time_range", "expected"), [("1h", 1), ("6h", 2), ("24h", 3), ("7d", 4)]
)
def test_classifications_filter_by_time_range(auth_client, time_range, expected):
    for age in (timedelta(minutes=30), timedelta(hours=5), timedelta(hours=20), timedelta(days=6)):
        make_event(type="sql_injection", timestamp=timezone.now() - age)
    make_event(type="sql_injection", timestamp=ago(days=8))

    response = auth_client.get(URL, {"time_range": time_range})

    assert response.json() == {**ZEROS, "sql_injection": expected}


@pytest.mark.parametrize("status", ["false_positive", "suppressed"])
def test_classifications_exclude_dismissed_events(auth_client, status):
    make_event(type="malware", timestamp=ago(minutes=5), status=status)
    make_event(type="malware", timestamp=ago(minutes=5), status="resolved")

    response = auth_client.get(URL)

    assert response.json() == {**ZEROS, "malware": 1}


def test_classifications_add_other_types_as_extra_keys(auth_client):
    make_event(type="port_scan", timestamp=ago(minutes=5))

    response = auth_client.get(URL)

    assert response.json() == {**ZEROS, "port_scan": 1}
    assert list(response.json())[-1] == "port_scan"


def test_classifications_reject_unknown_time_range(auth_client):
    response = auth_client.get(URL, {"time_range": "2d"})

    assert response.status_code == 400
    assert response.json() == {
        "message": "time_range='2d' is invalid: use one of 1h, 6h, 24h, 7d."
    }


def test_classifications_require_token(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
