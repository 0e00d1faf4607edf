import pytest

ALLOWED_ORIGIN = "http://localhost:3000"


def preflight(client, origin: str):
    return client.options(
        "/api/login",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="Authorization, Content-Type",
    )


def test_preflight_from_allowed_origin_succeeds(api_client):
    response = preflight(api_client, ALLOWED_ORIGIN)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    allowed_headers = {
        h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")
    }
    assert {"authorization", "content-type"} <= allowed_headers
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_preflight_from_other_origin_gets_no_allow_origin(api_client):
    response = preflight(api_client, "http://evil.example")

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
def test_request_from_other_origin_gets_no_allow_origin(api_client):
    response = api_client.get("/api/me", HTTP_ORIGIN="http://evil.example")

    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status"), [("/api/me", 401), ("/api/nowhere", 404), ("/api/health", 200)]
)
def test_responses_carry_cors_headers(api_client, path, status):
    response = api_client.get(path, HTTP_ORIGIN=ALLOWED_ORIGIN)

    assert response.status_code == status
    assert response["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


@pytest.mark.urls("siem.tests.urls")
def test_server_error_carries_cors_headers(api_client):
    response = api_client.get("/api/test/crash", HTTP_ORIGIN=ALLOWED_ORIGIN)

    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
    ],
)
@pytest.mark.parametrize("path", ["/api/health", "/api/me", "/api/nowhere"])
def test_responses_carry_security_headers(api_client, path, header, value):
    response = api_client.get(path)

    assert response[header] == value
