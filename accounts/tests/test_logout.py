import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts.tests.conftest import bearer_client, login

UNAUTHORIZED = {"message": "Unauthorized"}


@pytest.mark.django_db
def test_logout_returns_success(login_token):
    response = bearer_client(login_token).post("/api/logout")

    assert response.status_code == 200
    assert response.json() == {"message": "Logout successful"}


@pytest.mark.django_db
def test_logout_blacklists_token(login_token):
    bearer_client(login_token).post("/api/logout")

    assert BlacklistedToken.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), [("get", "/api/me"), ("post", "/api/logout")])
def test_logout_revokes_access_token(login_token, method, url):
    client = bearer_client(login_token)
    client.post("/api/logout")

    response = getattr(client, method)(url)

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_logout_keeps_other_tokens_of_user(api_client, user, login_token):
    other_token = login(api_client, user.email).json()["token"]

    bearer_client(login_token).post("/api/logout")

    response = bearer_client(other_token).get("/api/me")
    assert response.status_code == 200
    assert response.json() == {"name": "Ana Lyst", "email": "analyst@example.com"}


@pytest.mark.django_db
def test_logout_revokes_token_not_issued_by_login(auth_client):
    auth_client.post("/api/logout")

    response = auth_client.get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_logout_requires_token(api_client):
    response = api_client.post("/api/logout")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
