import jwt
import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password

from accounts.models import User
from accounts.tests.conftest import bearer_client, login

INVALID_CREDENTIALS = {"message": "Invalid credentials"}


@pytest.mark.django_db
def test_login_returns_token_and_user(api_client, user):
    response = login(api_client, "analyst@example.com")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "user"}
    assert body["user"] == {"name": "Ana Lyst", "email": "analyst@example.com"}


@pytest.mark.django_db
def test_login_token_is_valid_for_24_hours(api_client, user):
    token = login(api_client, user.email).json()["token"]

    claims = jwt.decode(token, settings.SECRET_KEY, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 86400
    assert claims["token_type"] == "access"
    assert claims["user_id"] == str(user.pk)


@pytest.mark.django_db
def test_login_accepts_email_in_any_case(api_client, user):
    response = login(api_client, "Analyst@EXAMPLE.com")

    assert response.status_code == 200
    assert response.json()["user"]["email"] == "analyst@example.com"


@pytest.mark.django_db
def test_login_records_last_login(api_client, user):
    login(api_client, user.email)

    user.refresh_from_db()
    assert user.last_login is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("analyst@example.com", "wrong password"),
        ("nobody@example.com", "correct horse battery staple"),
        ("analyst@example.com", "Correct horse battery staple"),
    ],
)
def test_login_rejects_bad_credentials_alike(api_client, user, email, password):
    response = login(api_client, email, password)

    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


@pytest.mark.django_db
def test_login_rejects_inactive_user(api_client, user):
    user.is_active = False
    user.save()

    response = login(api_client, user.email)

    assert response.status_code == 401
    assert response.json() == INVALID_CREDENTIALS


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "email: This field is required. password: This field is required."),
        ({"email": "analyst@example.com"}, "password: This field is required."),
        ({"email": 7, "password": "x"}, "email: Must be a string."),
        (
            {"email": "analyst@example.com", "password": ""},
            "password: This field may not be blank.",
        ),
    ],
)
def test_login_rejects_invalid_body(api_client, user, body, message):
    response = api_client.post("/api/login", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"message": message}


@pytest.mark.django_db
def test_login_ignores_bad_authorization_header(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = login(api_client, user.email)

    assert response.status_code == 200


@pytest.mark.django_db
def test_login_counts_every_password_byte(api_client):
    """bcrypt alone reads only 72 bytes; bcrypt-sha256 must count every byte."""
    password = "long-passphrase-" + "x" * 84
    User.objects.create_user(email="long@example.com", password=password, name="Long")

    truncated = password.encode()[:72].decode()
    assert login(api_client, "long@example.com", truncated).status_code == 401
    assert login(api_client, "long@example.com", password).status_code == 200


@pytest.mark.django_db
def test_login_with_non_ascii_password(api_client):
    password = "pässwörd-日本語-🔒-Ωμέγα"
    response = api_client.post(
        "/api/register",
        {"name": "Zoë", "email": "zoe@example.com", "password": password},
        format="json",
    )
    assert response.status_code == 201

    assert login(api_client, "zoe@example.com", password).status_code == 200
    assert login(api_client, "zoe@example.com", "passwOrd-日本語-🔒-Ωμέγα").status_code == 401


@pytest.mark.django_db
def test_login_upgrades_old_hash_and_token_works(api_client):
    user = User.objects.create_user(email="old@example.com", name="Old", password=None)
    user.password = make_password("an older passphrase", hasher="pbkdf2_sha256")
    user.save()

    response = login(api_client, "old@example.com", "an older passphrase")

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.password.startswith("bcrypt_sha256$")
    assert bearer_client(response.json()["token"]).get("/api/me").status_code == 200


@pytest.mark.django_db
def test_login_success_log_omits_secrets(api_client, user, caplog):
    token = login(api_client, user.email).json()["token"]

    records = [r for r in caplog.records if r.getMessage() == "login succeeded"]
    assert len(records) == 1
    assert records[0].user_id == user.pk
    assert records[0].email == "analyst@example.com"
    assert "correct horse battery staple" not in caplog.text
    assert token not in caplog.text
