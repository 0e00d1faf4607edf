import logging
import re

import pytest

from siem.observability.context import current_context
from siem.tests.logcapture import json_log_lines

pytestmark = pytest.mark.django_db

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def test_response_carries_generated_request_id(api_client):
    response = api_client.get("/api/health")

    assert response.status_code == 200
    assert GENERATED_ID.match(response["X-Request-ID"])


def test_request_ids_differ_between_requests(api_client):
    first = api_client.get("/api/health")["X-Request-ID"]
    second = api_client.get("/api/health")["X-Request-ID"]

    assert first != second


def test_incoming_request_id_is_returned(api_client):
    response = api_client.get("/api/health", HTTP_X_REQUEST_ID="lb-7f3a.2:9")

    assert response["X-Request-ID"] == "lb-7f3a.2:9"


@pytest.mark.parametrize("unsafe", ["has space", "x" * 129, 'quote"inside', "semi;colon"])
def test_unsafe_incoming_request_id_is_replaced(api_client, unsafe):
    response = api_client.get("/api/health", HTTP_X_REQUEST_ID=unsafe)

    assert GENERATED_ID.match(response["X-Request-ID"])


def test_error_responses_carry_request_id(api_client):
    response = api_client.get("/api/me")

    assert response.status_code == 401
    assert GENERATED_ID.match(response["X-Request-ID"])


def test_cors_preflight_carries_request_id(api_client):
    response = api_client.options(
        "/api/login",
        HTTP_ORIGIN="http://localhost:3000",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert GENERATED_ID.match(response["X-Request-ID"])
    assert "X-Request-ID" in response["Access-Control-Expose-Headers"]


def test_log_lines_inside_request_carry_its_id(api_client):
    with json_log_lines() as lines:
        response = api_client.get("/api/me", HTTP_X_REQUEST_ID="trace-123")

    unauthorized = [line for line in lines if line["logger"] == "django.request"]
    assert response.status_code == 401
    assert unauthorized, lines
    assert unauthorized[0]["request_id"] == "trace-123"
    assert unauthorized[0]["remote_addr"] == "127.0.0.1"


def test_authenticated_user_appears_in_django_warnings(auth_client, user):
    with json_log_lines() as lines:
        response = auth_client.delete("/api/me")

    warnings = [line for line in lines if line["logger"] == "django.request"]
    assert response.status_code == 405
    assert warnings, lines
    assert warnings[0]["user_id"] == str(user.pk)


def test_context_is_cleared_after_request(api_client):
    api_client.get("/api/health", HTTP_X_REQUEST_ID="finished-1")

    assert current_context() == {"request_id": None, "user_id": None, "remote_addr": None}


def test_lines_outside_requests_have_empty_context():
    with json_log_lines() as lines:
        logging.getLogger("siem.tests").warning("outside any request")

    assert lines[0]["request_id"] is None
    assert lines[0]["user_id"] is None
