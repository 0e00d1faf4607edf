import pytest
from django.test import Client, RequestFactory

from accounts.ratelimit import client_ip
from accounts.tests.conftest import login


def assert_too_many_requests(response):
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 3600
    unit = "second" if retry_after == 1 else "seconds"
    assert response.json() == {"message": f"Too many requests. Try again in {retry_after} {unit}."}


@pytest.fixture
def tight_login_limits(settings):
    settings.SIEM_LOGIN_RATE_PER_IP = "3/m"
    settings.SIEM_LOGIN_RATE_PER_EMAIL = "2/m"


@pytest.mark.django_db
def test_login_limit_per_email(api_client, user, tight_login_limits):
    for _ in range(2):
        assert login(api_client, user.email, "wrong password").status_code == 401

    assert_too_many_requests(login(api_client, user.email))


@pytest.mark.django_db
def test_login_limit_per_email_ignores_case(api_client, user, tight_login_limits):
    login(api_client, "analyst@example.com", "wrong password")
    login(api_client, "ANALYST@example.com", "wrong password")

    assert_too_many_requests(login(api_client, "Analyst@Example.com"))


@pytest.mark.django_db
def test_login_limit_per_ip(api_client, user, tight_login_limits):
    for index in range(3):
        assert login(api_client, f"nobody{index}@example.com", "x").status_code == 401

    assert_too_many_requests(login(api_client, user.email))


@pytest.mark.django_db
def test_login_limit_per_ip_ignores_forged_forwarded_for(api_client, user, tight_login_limits):
    for index in range(3):
        login(api_client, f"nobody{index}@example.com", "x")

    api_client.credentials(HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert_too_many_requests(login(api_client, user.email))


@pytest.mark.django_db
def test_login_limit_behind_proxy_ignores_forged_entry(
    api_client, user, settings, tight_login_limits
):
    settings.SIEM_TRUSTED_PROXY_COUNT = 1
    for index in range(3):
        api_client.credentials(HTTP_X_FORWARDED_FOR=f"10.9.9.{index}, 198.51.100.7")
        login(api_client, f"nobody{index}@example.com", "x")

    api_client.credentials(HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.7")
    assert_too_many_requests(login(api_client, user.email))


@pytest.mark.django_db
def test_login_limit_behind_proxy_separates_clients(api_client, user, settings, tight_login_limits):
    settings.SIEM_TRUSTED_PROXY_COUNT = 1
    api_client.credentials(HTTP_X_FORWARDED_FOR="198.51.100.7")
    for index in range(3):
        login(api_client, f"nobody{index}@example.com", "x")

    api_client.credentials(HTTP_X_FORWARDED_FOR="198.51.100.8")
    assert login(api_client, user.email).status_code == 200


@pytest.mark.django_db
def test_login_limit_can_be_disabled(api_client, user, settings, tight_login_limits):
    settings.RATELIMIT_ENABLE = False

    statuses = {login(api_client, user.email, "wrong password").status_code for _ in range(5)}

    assert statuses == {401}


@pytest.mark.django_db
def test_register_limit_per_ip(api_client, settings):
    settings.SIEM_REGISTER_RATE_PER_IP = "2/h"
    for index in range(2):
        body = {"name": "N", "email": f"user{index}@example.com", "password": "long passphrase 1"}
        assert api_client.post("/api/register", body, format="json").status_code == 201

    body = {"name": "N", "email": "user9@example.com", "password": "long passphrase 1"}
    assert_too_many_requests(api_client.post("/api/register", body, format="json"))


@pytest.mark.django_db
def test_rate_limited_response_has_cors_headers(api_client, user, tight_login_limits):
    api_client.credentials(HTTP_ORIGIN="http://localhost:3000")
    for _ in range(2):
        login(api_client, user.email, "wrong password")

    response = login(api_client, user.email)

    assert response.status_code == 429
    assert response["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Retry-After" in response["Access-Control-Expose-Headers"]


@pytest.mark.django_db
def test_admin_login_limit_per_email(settings):
    settings.SIEM_LOGIN_RATE_PER_EMAIL = "2/m"
    client = Client()
    for _ in range(2):
        response = client.post("/admin/login/", {"username": "a@example.com", "password": "x"})
        assert response.status_code == 200

    response = client.post("/admin/login/", {"username": "A@example.com", "password": "x"})

    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response.content.decode().startswith("Too many sign-in attempts.")


@pytest.mark.django_db
def test_admin_and_api_share_login_limit(api_client, settings):
    settings.SIEM_LOGIN_RATE_PER_IP = "2/m"
    login(api_client, "a@example.com", "x")
    login(api_client, "b@example.com", "x")

    response = Client().post("/admin/login/", {"username": "c@example.com", "password": "x"})

    assert response.status_code == 429


@pytest.mark.parametrize(
    ("proxy_count", "forwarded_for", "expected"),
    [
        (0, None, "127.0.0.9"),
        (0, "203.0.113.5", "127.0.0.9"),
        (1, None, "127.0.0.9"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (1, " 6.6.6.6 ,203.0.113.5 ", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "10.0.0.2", "127.0.0.9"),
        (1, "not-an-address", "127.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(settings, proxy_count, forwarded_for, expected):
    settings.SIEM_TRUSTED_PROXY_COUNT = proxy_count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.9", **headers)

    assert client_ip(request) == expected
