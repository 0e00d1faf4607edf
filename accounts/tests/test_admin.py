import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.conftest import bearer_client

ADMIN_PASSWORD = "admin passphrase for tests"


@pytest.fixture
def admin_client(db) -> Client:
    admin = User.objects.create_superuser(
        email="admin@example.com", password=ADMIN_PASSWORD, name="Admin"
    )
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_admin_lists_users(admin_client, user):
    response = admin_client.get("/admin/accounts/user/")

    assert response.status_code == 200
    assert b"analyst@example.com" in response.content


@pytest.mark.django_db
def test_admin_searches_users_by_name(admin_client, user):
    response = admin_client.get("/admin/accounts/user/", {"q": "Lyst"})

    assert response.status_code == 200
    assert b"analyst@example.com" in response.content


@pytest.mark.django_db
def test_admin_creates_user_with_lower_cased_email(admin_client):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "New.User@Example.COM",
            "name": "New User",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="new.user@example.com").exists()


@pytest.mark.django_db
def test_admin_rejects_duplicate_email_in_other_case(admin_client, user):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "ANALYST@example.com",
            "name": "Copy",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
        },
    )

    assert response.status_code == 200
    assert User.objects.filter(email="analyst@example.com").count() == 1


@pytest.mark.django_db
def test_admin_password_change_revokes_tokens(admin_client, user, login_token):
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {
            "usable_password": "true",
            "password1": "a brand new passphrase",
            "password2": "a brand new passphrase",
        },
    )
    assert response.status_code == 302

    assert bearer_client(login_token).get("/api/me").status_code == 401


@pytest.mark.django_db
def test_admin_deactivate_action_revokes_tokens(admin_client, user, login_token):
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "deactivate_selected", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302

    user.refresh_from_db()
    assert not user.is_active
    assert bearer_client(login_token).get("/api/me").status_code == 401


@pytest.mark.django_db
def test_admin_login_page_still_signs_in(db):
    User.objects.create_superuser(email="admin@example.com", password=ADMIN_PASSWORD, name="Admin")
    client = Client()

    response = client.post(
        "/admin/login/", {"username": "Admin@Example.com", "password": ADMIN_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_admin_login_failure_is_logged(caplog):
    Client().post("/admin/login/", {"username": "Who@Example.com", "password": "secret-guess"})

    records = [r for r in caplog.records if r.getMessage() == "admin login failed"]
    assert len(records) == 1
    assert records[0].email == "who@example.com"
    assert records[0].remote_addr == "127.0.0.1"
    assert "secret-guess" not in caplog.text


@pytest.mark.django_db
def test_api_login_failure_is_logged_once(api_client, caplog):
    api_client.post("/api/login", {"email": "who@example.com", "password": "x"}, format="json")

    records = [r for r in caplog.records if "login failed" in r.getMessage()]
    assert [r.getMessage() for r in records] == ["login failed"]
    assert records[0].email == "who@example.com"
