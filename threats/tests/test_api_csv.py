import csv
import io
from datetime import UTC, datetime

import pytest
from django.http import StreamingHttpResponse

from threats.api.csv_export import CSV_COLUMNS
from threats.tests.factories import make_event

pytestmark = pytest.mark.django_db

CSV_URL = "/api/threats/events.csv"
EVENTS_URL = "/api/threats/events"


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_csv_lists_every_field(auth_client, user):
    event = make_event(
        timestamp=datetime(2024, 11, 22, 10, 45, 30, tzinfo=UTC),
        last_seen=datetime(2024, 11, 22, 10, 46, 0, tzinfo=UTC),
        count=3,
        confidence=0.75,
        assignee=user,
    )

    response = auth_client.get(CSV_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="security-events.csv"'
    assert csv_rows(response) == [
        list(CSV_COLUMNS),
        [
            str(event.pk), "2024-11-22T10:45:30Z", "brute_force", "high", "new", "203.0.113.45",
            "10.0.1.50", "Multiple failed SSH login attempts detected", "True", "3",
            "2024-11-22T10:46:00Z", "0.75", "brute_force_flow", "analyst@example.com", "False",
        ],
    ]


def test_csv_returns_every_match_beyond_page_limit(auth_client):
    for _ in range(502):
        make_event(type="ddos")
    make_event(type="xss")

    rows = csv_rows(auth_client.get(CSV_URL, {"type": "ddos"}))

    assert len(rows) == 503
    assert {row[2] for row in rows[1:]} == {"ddos"}


def test_csv_newest_first(auth_client):
    older, newer = make_event(), make_event()

    rows = csv_rows(auth_client.get(CSV_URL))

    assert [row[0] for row in rows[1:]] == [str(newer.pk), str(older.pk)]


@pytest.mark.parametrize("description", ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-2"])
def test_csv_defuses_spreadsheet_formulas(auth_client, description):
    make_event(description=description)

    rows = csv_rows(auth_client.get(CSV_URL))

    assert rows[1][7] == "'" + description


def test_events_accept_text_csv_streams_csv(auth_client):
    make_event(severity="critical")
    make_event(severity="low")

    response = auth_client.get(EVENTS_URL, {"severity": "critical"}, HTTP_ACCEPT="text/csv")

    assert response["Content-Type"] == "text/csv"
    rows = csv_rows(response)
    assert [row[3] for row in rows[1:]] == ["critical"]


@pytest.mark.parametrize(
    ("url", "headers"),
    [(CSV_URL, {}), (CSV_URL, {"HTTP_ACCEPT": "text/csv"}), (EVENTS_URL, {"HTTP_ACCEPT": "text/csv"})],
)
def test_csv_bad_filter_answers_json_400(auth_client, url, headers):
    response = auth_client.get(url, {"severity": "urgent"}, **headers)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "message": "severity='urgent' is invalid: use one of low, medium, high, critical."
    }


def test_csv_requires_token(api_client):
    response = api_client.get(CSV_URL, HTTP_ACCEPT="text/csv")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}
