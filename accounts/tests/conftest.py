"""Helpers for the account tests: sign in through the API as a real client would."""

import pytest
from rest_framework.test import APIClient

from conftest import USER_PASSWORD


def login(client: APIClient, email: str, password: str = USER_PASSWORD):
    return client.post("/api/login", {"email": email, "password": password}, format="json")


def bearer_client(token: str, scheme: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}")
    return client


@pytest.fixture
def login_token(api_client, user) -> str:
    """An access token for `user`, issued by `POST /api/login`."""
    response = login(api_client, user.email)
    assert response.status_code == 200
    return response.json()["token"]
