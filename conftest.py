"""Fixtures shared by every app's tests: actors and an API client that sends a real token."""

import os

# Tests never reach AWS: botocore must not probe the instance metadata address, and moto
# accepts any credentials, so dummy ones keep botocore from searching for real ones.
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_SESSION_TOKEN"] = "testing"
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

import pytest  # noqa: E402
from django.core.cache import cache  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

# Records the AWS operations the service performs and checks them against docs/iam-policy.json.
pytest_plugins = ["siem.testing.aws_recorder"]

USER_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _cheap_bcrypt(monkeypatch):
    # The hash stays bcrypt-sha256, with bcrypt's minimum cost of 4 in place of Django's 12,
    # so tests that hash passwords stay fast. Production keeps Django's cost.
    from django.contrib.auth.hashers import BCryptSHA256PasswordHasher

    monkeypatch.setattr(BCryptSHA256PasswordHasher, "rounds", 4)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(
        email="analyst@example.com", password=USER_PASSWORD, name="Ana Lyst"
    )


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def auth_client(user) -> APIClient:
    """An API client that sends a freshly issued access token for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client
