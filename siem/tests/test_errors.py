import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.urls("siem.tests.urls")


@pytest.mark.parametrize(
    ("name", "status", "body"),
    [
        ("string", 400, {"message": "time_range='2h' is invalid: use one of 1h, 6h, 24h, 7d."}),
        ("list", 400, {"message": "First problem. Second problem."}),
        (
            "fields",
            400,
            {"message": "email: Enter a valid email address. name: This field is required."},
        ),
        ("non-field", 400, {"message": "Dates are reversed."}),
        ("nested", 400, {"message": "filters: severity: Unknown level."}),
        ("message-body", 500, {"message": "AWS is not configured", "hint": "set AWS_REGION"}),
        ("forbidden", 403, {"message": "You do not have permission to perform this action."}),
        ("not-found", 404, {"message": "Not found."}),
    ],
)
def test_error_body_has_message(api_client, name, status, body):
    response = api_client.get(f"/api/test/{name}")

    assert response.status_code == status
    assert response.json() == body


def test_server_error_hides_detail_in_production(api_client):
    response = api_client.get("/api/test/crash")

    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}


def test_server_error_shows_detail_in_development(api_client, settings):
    settings.DEBUG = True

    response = api_client.get("/api/test/crash")

    assert response.status_code == 500
    assert response.json() == {
        "message": "Internal server error",
        "error": "RuntimeError: secret table users_user is locked",
    }


def test_django_view_crash_returns_json(settings):
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/test/django-crash")

    assert response.status_code == 500
    assert response.json() == {"message": "Internal server error"}


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/unknown", "/api/metrics/unknown", "/api/threats/x/y", "/api/"]
)
def test_unknown_api_path_returns_json_404(api_client, settings, debug, method, path):
    settings.DEBUG = debug

    response = getattr(api_client, method)(path)

    assert response.status_code == 404
    assert response.json() == {"message": f"Not found: {path}"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/login", {"message": 'Method "GET" not allowed.'}),
        ("get", "/api/register", {"message": 'Method "GET" not allowed.'}),
        ("delete", "/api/health", {"message": 'Method "DELETE" not allowed.'}),
    ],
)
def test_wrong_method_returns_405(api_client, method, path, body):
    response = getattr(api_client, method)(path)

    assert response.status_code == 405
    assert response.json() == body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/login", "/api/register"])
def test_malformed_json_returns_400(api_client, path):
    response = api_client.post(path, '{"email": "a@example.com",', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"message": "Malformed JSON in the request body."}


@pytest.mark.django_db
def test_malformed_json_shows_parser_error_in_development(api_client, settings):
    settings.DEBUG = True

    response = api_client.post("/api/login", "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["message"] == "Malformed JSON in the request body."
    assert response.json()["error"].startswith("JSON parse error")


@pytest.mark.django_db
def test_form_body_returns_415(api_client):
    response = api_client.post("/api/login", {"email": "a@example.com", "password": "x"})

    assert response.status_code == 415
    assert response.json() == {
        "message": 'Unsupported media type "multipart/form-data; boundary=BoUnDaRyStRiNg; charset=utf-8" in request.'
    }
