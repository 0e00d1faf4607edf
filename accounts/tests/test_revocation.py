import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from accounts import services
from accounts.tests.conftest import bearer_client, login

UNAUTHORIZED = {"message": "Unauthorized"}


@pytest.mark.django_db
def test_password_change_revokes_login_token(user, login_token):
    user.set_password("a new and long passphrase")
    user.save()

    response = bearer_client(login_token).get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_password_change_revokes_unrecorded_token(user, auth_client):
    user.set_password("a new and long passphrase")
    user.save()

    response = auth_client.get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_password_change_blacklists_recorded_tokens(api_client, user):
    login(api_client, user.email)
    login(api_client, user.email)

    user.set_password("a new and long passphrase")
    user.save()

    assert BlacklistedToken.objects.filter(token__user=user).count() == 2


@pytest.mark.django_db
def test_password_change_allows_new_login(api_client, user):
    user.set_password("a new and long passphrase")
    user.save()

    token = login(api_client, user.email, "a new and long passphrase").json()["token"]

    assert bearer_client(token).get("/api/me").status_code == 200


@pytest.mark.django_db
def test_deactivation_revokes_tokens(user, login_token):
    services.user_deactivate(user=user)

    response = bearer_client(login_token).get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_reactivation_keeps_old_tokens_revoked(user, login_token):
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()

    response = bearer_client(login_token).get("/api/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.django_db
def test_unrelated_save_keeps_tokens(user, login_token):
    user.name = "Ana Renamed"
    user.save()

    response = bearer_client(login_token).get("/api/me")

    assert response.status_code == 200
    assert response.json() == {"name": "Ana Renamed", "email": "analyst@example.com"}


@pytest.mark.django_db
def test_user_tokens_revoke_skips_other_users(api_client, user, django_user_model):
    other = django_user_model.objects.create_user(
        email="other@example.com", password="another long passphrase", name="Other"
    )
    other_token = login(api_client, other.email, "another long passphrase").json()["token"]
    login(api_client, user.email)

    assert services.user_tokens_revoke(user=user) == 1
    assert bearer_client(other_token).get("/api/me").status_code == 200
