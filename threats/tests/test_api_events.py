from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from threats.tests.factories import BASE_TIME, make_event

pytestmark = pytest.mark.django_db

URL = "/api/threats/events"


def next_link(response) -> str | None:
    """Return the URL of the `Link: <...>; rel="next"` header, or None."""
    header = response.headers.get("Link")
    if header is None:
        return None
    url, rel = header.split("; ")
    assert rel == 'rel="next"'
    return url.strip("<>")


def ids(response) -> list[int]:
    return [event["id"] for event in response.json()]


def test_events_body_matches_contract(auth_client, user):
    event = make_event(
        timestamp=datetime(2024, 11, 22, 10, 45, 30, tzinfo=UTC),
        last_seen=datetime(2024, 11, 22, 10, 50, 0, 123000, tzinfo=UTC),
        count=7,
        confidence=0.9,
        assignee=user,
    )

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "timestamp": "2024-11-22T10:45:30Z",
            "type": "brute_force",
            "severity": "high",
            "source_ip": "203.0.113.45",
            "destination_ip": "10.0.1.50",
            "description": "Multiple failed SSH login attempts detected",
            "blocked": True,
            "id": event.pk,
            "status": "new",
            "confidence": 0.9,
            "count": 7,
            "last_seen": "2024-11-22T10:50:00.123000Z",
            "detector": "brute_force_flow",
            "detector_version": "1",
            "assignee": "analyst@example.com",
            "is_sample": False,
        }
    ]
    assert "Link" not in response.headers


def test_events_empty_list(auth_client):
    response = auth_client.get(URL)

    assert response.status_code == 200
    assert response.json() == []


def test_events_newest_first_with_id_breaking_ties(auth_client):
    older = make_event(timestamp=BASE_TIME)
    tie_first = make_event(timestamp=BASE_TIME + timedelta(minutes=1))
    tie_second = make_event(timestamp=BASE_TIME + timedelta(minutes=1))
    newest = make_event(timestamp=BASE_TIME + timedelta(minutes=2))

    response = auth_client.get(URL)

    assert ids(response) == [newest.pk, tie_second.pk, tie_first.pk, older.pk]


def test_events_default_limit_is_100(auth_client):
    for _ in range(101):
        make_event()

    response = auth_client.get(URL)

    assert len(response.json()) == 100
    assert next_link(response) is not None


@pytest.mark.parametrize(("limit", "expected"), [("1", 1), ("3", 3), ("500", 4)])
def test_events_limit_within_bounds(auth_client, limit, expected):
    for _ in range(4):
        make_event()

    response = auth_client.get(URL, {"limit": limit})

    assert response.status_code == 200
    assert len(response.json()) == expected


@pytest.mark.parametrize("limit", ["0", "-1", "501", "ten", "1.5"])
def test_events_limit_out_of_bounds_is_400(auth_client, limit):
    response = auth_client.get(URL, {"limit": limit})

    assert response.status_code == 400
    assert response.json() == {
        "message": f"limit={limit!r} is invalid: use a whole number from 1 to 500."
    }


@pytest.mark.parametrize(
    ("params", "matching"),
    [
        ({"type": "ddos"}, {"type": "ddos"}),
        ({"severity": "critical"}, {"severity": "critical"}),
        ({"status": "acknowledged"}, {"status": "acknowledged"}),
        ({"source_ip": "198.51.100.89"}, {"source_ip": "198.51.100.89"}),
        ({"source_ip": "2001:db8::7"}, {"source_ip": "2001:db8::7"}),
        ({"type": "ddos", "severity": "critical"}, {"type": "ddos", "severity": "critical"}),
    ],
)
def test_events_filter(auth_client, params, matching):
    expected = make_event(**matching)
    others = [make_event(type="xss", severity="low", status="new", source_ip="192.0.2.1")]
    if len(matching) > 1:
        others.append(make_event(type="ddos", severity="low"))

    response = auth_client.get(URL, params)

    assert response.status_code == 200
    assert ids(response) == [expected.pk]


@pytest.mark.parametrize(
    ("params", "expected_minutes"),
    [
        ({"since": "2024-11-22T10:01:00Z"}, [2, 1]),
        ({"until": "2024-11-22T10:01:00Z"}, [1, 0]),
        ({"since": "2024-11-22T10:01:00Z", "until": "2024-11-22T10:01:00Z"}, [1]),
        ({"since": "2024-11-22T11:01:00+01:00"}, [2, 1]),
        ({"since": "2024-11-22T10:00:30"}, [2, 1]),
    ],
)
def test_events_filter_by_time(auth_client, params, expected_minutes):
    events = {
        minutes: make_event(timestamp=BASE_TIME + timedelta(minutes=minutes))
        for minutes in (0, 1, 2)
    }

    response = auth_client.get(URL, params)

    assert response.status_code == 200
    assert ids(response) == [events[minutes].pk for minutes in expected_minutes]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"since": "yesterday"},
            "since='yesterday' is invalid: use an ISO 8601 date and time such as "
            "2024-11-22T10:45:30Z.",
        ),
        (
            {"until": "2024-13-01T00:00:00Z"},
            "until='2024-13-01T00:00:00Z' is invalid: use an ISO 8601 date and time such as "
            "2024-11-22T10:45:30Z.",
        ),
        (
            {"since": "2024-11-23T00:00:00Z", "until": "2024-11-22T00:00:00Z"},
            "since must not be later than until.",
        ),
        (
            {"type": "worm"},
            "type='worm' is invalid: use one of malware, phishing, ddos, brute_force, "
            "sql_injection, xss, port_scan.",
        ),
        ({"severity": "urgent"}, "severity='urgent' is invalid: use one of low, medium, high, critical."),
        (
            {"status": "closed"},
            "status='closed' is invalid: use one of new, acknowledged, resolved, "
            "false_positive, suppressed.",
        ),
        (
            {"source_ip": "10.0.0.256"},
            "source_ip='10.0.0.256' is invalid: use an IPv4 or IPv6 address such as 203.0.113.45.",
        ),
    ],
)
def test_events_bad_parameter_is_400(auth_client, params, message):
    response = auth_client.get(URL, params)

    assert response.status_code == 400
    assert response.json() == {"message": message}


def test_events_cursor_walks_all_pages_without_repeats(auth_client):
    # Ties on the timestamp straddle page boundaries, so the cursor must use the id too.
    created = []
    for index in range(23):
        created.append(make_event(timestamp=BASE_TIME + timedelta(minutes=index // 4)))
    expected = [event.pk for event in sorted(created, key=lambda e: (e.timestamp, e.pk), reverse=True)]

    seen, pages, url = [], 0, f"{URL}?limit=5"
    while url:
        response = auth_client.get(url)
        assert response.status_code == 200
        seen.extend(ids(response))
        pages += 1
        url = next_link(response)

    assert seen == expected
    assert pages == 5


def test_events_cursor_keeps_filters_and_limit(auth_client):
    for _ in range(3):
        make_event(type="ddos")
    make_event(type="xss")

    first = auth_client.get(URL, {"type": "ddos", "limit": "2"})
    link = next_link(first)
    query = parse_qs(urlsplit(link).query)

    assert urlsplit(link).path == URL
    assert link.startswith("http://testserver/")
    assert (query["type"], query["limit"]) == (["ddos"], ["2"])
    second = auth_client.get(link)
    assert len(second.json()) == 1
    assert next_link(second) is None


def test_events_last_full_page_has_no_link(auth_client):
    for _ in range(4):
        make_event()

    response = auth_client.get(URL, {"limit": "4"})

    assert len(response.json()) == 4
    assert next_link(response) is None


@pytest.mark.parametrize("cursor", ["garbage!", "eyJ0IjoxfQ", "e30"])
def test_events_bad_cursor_is_400(auth_client, cursor):
    response = auth_client.get(URL, {"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {
        "message": f"cursor={cursor!r} is invalid: follow the Link header of the previous "
        "page, or drop cursor to start from the newest event."
    }


def test_events_sample_flag_is_shown(auth_client):
    make_event(is_sample=True)

    response = auth_client.get(URL)

    assert response.json()[0]["is_sample"] is True


def test_events_require_token(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
