import json

import pytest

from accounts.models import User

REGISTER_URL = "/api/register"
VALID_BODY = {"name": "John Doe", "email": "john@example.com", "password": "securePassword123"}


def register(client, **overrides):
    body = {**VALID_BODY, **overrides}
    return client.post(REGISTER_URL, body, format="json")


@pytest.mark.django_db
def test_register_creates_user(api_client):
    response = register(api_client)

    assert response.status_code == 201
    assert response.json() == {"message": "User registered successfully"}
    user = User.objects.get(email="john@example.com")
    assert user.name == "John Doe"
    assert user.is_active


@pytest.mark.django_db
def test_register_hashes_password_with_bcrypt_sha256(api_client):
    register(api_client)

    user = User.objects.get(email="john@example.com")
    assert user.password.startswith("bcrypt_sha256$")
    assert user.check_password("securePassword123")


@pytest.mark.django_db
def test_register_stores_email_lower_cased(api_client):
    register(api_client, email="John.Doe@Example.COM")

    assert User.objects.filter(email="john.doe@example.com").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second_email", ["john@example.com", "John@Example.com", "JOHN@EXAMPLE.COM"]
)
def test_register_rejects_duplicate_email_in_any_case(api_client, second_email):
    register(api_client, email="John@Example.com")

    response = register(api_client, email=second_email)

    assert response.status_code == 400
    assert response.json() == {"message": "User already exists"}
    assert User.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"email": "a@example.com", "password": "securePassword123"},
            "name: This field is required.",
        ),
        ({**VALID_BODY, "name": ""}, "name: This field may not be blank."),
        ({**VALID_BODY, "name": "   "}, "name: This field may not be blank."),
        ({**VALID_BODY, "name": 42}, "name: Must be a string."),
        ({**VALID_BODY, "name": None}, "name: This field may not be null."),
        (
            {**VALID_BODY, "name": "x" * 151},
            "name: Ensure this field has no more than 150 characters.",
        ),
        ({"name": "John", "password": "securePassword123"}, "email: This field is required."),
        ({**VALID_BODY, "email": ""}, "email: This field may not be blank."),
        ({**VALID_BODY, "email": "not-an-address"}, "email: Enter a valid email address."),
        ({**VALID_BODY, "email": ["john@example.com"]}, "email: Must be a string."),
        ({**VALID_BODY, "email": True}, "email: Must be a string."),
        ({"name": "John", "email": "a@example.com"}, "password: This field is required."),
        ({**VALID_BODY, "password": ""}, "password: This field may not be blank."),
        ({**VALID_BODY, "password": 12345678901}, "password: Must be a string."),
        (
            {**VALID_BODY, "password": "x" * 1025},
            "password: Ensure this field has no more than 1024 characters.",
        ),
        (
            {"email": "", "password": ""},
            "name: This field is required. email: This field may not be blank. "
            "password: This field may not be blank.",
        ),
    ],
)
def test_register_rejects_invalid_field(api_client, body, message):
    response = api_client.post(REGISTER_URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        (
            "1234",
            "password: This password is too short. It must contain at least 8 characters. "
            "This password is too common. This password is entirely numeric.",
        ),
        ("password", "password: This password is too common."),
        ("john.doe.example", "password: The password is too similar to the email."),
    ],
)
def test_register_rejects_weak_password(api_client, password, message):
    response = register(api_client, email="john.doe@example.com", password=password)

    assert response.status_code == 400
    assert response.json() == {"message": message}
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", [["john@example.com"], "john@example.com", 42, None])
def test_register_rejects_body_that_is_not_object(api_client, body):
    response = api_client.post(REGISTER_URL, json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "message": "The request body must be a JSON object with name, email, password."
    }


@pytest.mark.django_db
def test_register_accepts_extra_fields(api_client):
    response = register(api_client, role="admin", is_staff=True)

    assert response.status_code == 201
    assert not User.objects.get(email="john@example.com").is_staff
