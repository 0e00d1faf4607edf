import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.conftest import bearer_client
from accounts.tokens import RevocableAccessToken

UNAUTHORIZED = {"message": "Unauthorized"}
PROFILE = {"name": "Ana Lyst", "email": "analyst@example.com"}


def claims_for(user) -> dict:
    return dict(RevocableAccessToken.for_user(user).payload)


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def expired_token(user) -> str:
    token = RevocableAccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def other_key_token(user) -> str:
    return jwt.encode(claims_for(user), "another-secret-key-" + "x" * 40, algorithm="HS256")


def alg_none_token(user) -> str:
    return f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{b64url(claims_for(user))}."


def hs512_token(user) -> str:
    return jwt.encode(claims_for(user), settings.SECRET_KEY, algorithm="HS512")


def refresh_token(user) -> str:
    return str(RefreshToken.for_user(user))


def unknown_user_id_token(user) -> str:
    return jwt.encode(
        {**claims_for(user), "user_id": "not-a-number"}, settings.SECRET_KEY, algorithm="HS256"
    )


def missing_user_id_token(user) -> str:
    claims = claims_for(user)
    del claims["user_id"]
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")


def tampered_token(user) -> str:
    header, payload, signature = str(RevocableAccessToken.for_user(user)).split(".")
    claims = {**claims_for(user), "user_id": "999999"}
    return f"{header}.{b64url(claims)}.{signature}"


@pytest.mark.django_db
def test_me_returns_profile(auth_client):
    response = auth_client.get("/api/me")

    assert response.status_code == 200
    assert response.json() == PROFILE


@pytest.mark.django_db
def test_me_accepts_login_token(login_token):
    response = bearer_client(login_token).get("/api/me")

    assert response.status_code == 200
    assert response.json() == PROFILE


@pytest.mark.django_db
@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_me_matches_bearer_scheme_in_any_case(user, scheme):
    response = bearer_client(str(RevocableAccessToken.for_user(user)), scheme).get("/api/me")

    assert response.status_code == 200


@pytest.mark.django_db
def test_me_requires_token(api_client):
    response = api_client.get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_token",
    [
        expired_token,
        other_key_token,
        alg_none_token,
        hs512_token,
        refresh_token,
        unknown_user_id_token,
        missing_user_id_token,
        tampered_token,
        lambda user: "not-a-jwt",
        lambda user: "a.b.c",
    ],
    ids=[
        "expired",
        "wrongly-signed",
        "alg-none",
        "re-signed-hs512",
        "refresh-token",
        "non-numeric-user-id",
        "no-user-id",
        "tampered-payload",
        "malformed",
        "malformed-segments",
    ],
)
def test_me_rejects_bad_token(user, make_token):
    response = bearer_client(make_token(user)).get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer  ",
        "Bearer one two",
        "Basic YW5hOnB3",
        "Token abc",
        "JWT abc",
        "Bearerabc",
    ],
)
def test_me_rejects_malformed_authorization_header(api_client, user, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_me_rejects_non_latin1_header(api_client, user):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer tökén-✓")

    response = api_client.get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_me_rejects_token_of_deleted_user(auth_client, user):
    user.delete()

    response = auth_client.get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_me_rejects_token_of_deleted_user_after_login(login_token, user):
    user.delete()

    response = bearer_client(login_token).get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_me_shows_token_error_in_development(settings, login_token):
    settings.DEBUG = True
    client = bearer_client(login_token)
    client.post("/api/logout")

    response = client.get("/api/me")

    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized", "error": "Token is blacklisted"}


@pytest.mark.django_db
def test_me_rejects_post(auth_client):
    response = auth_client.post("/api/me")

    assert response.status_code == 405
    assert response.json() == {"message": 'Method "POST" not allowed.'}
