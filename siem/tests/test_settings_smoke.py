from django.conf import settings


def test_user_model_is_custom():
    assert settings.AUTH_USER_MODEL == "accounts.User"
