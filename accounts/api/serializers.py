"""Request and response bodies of the account endpoints."""

from rest_framework import serializers

from accounts.models import User

# bcrypt-sha256 hashes any length, but hashing megabytes per request would be a cheap DoS.
MAX_PASSWORD_LENGTH = 1024


class StrictStringMixin:
    """Reject JSON numbers and booleans, which DRF's CharField would quietly turn into text."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StringField(StrictStringMixin, serializers.CharField):
    pass


class EmailAddressField(StrictStringMixin, serializers.EmailField):
    pass


class RegisterSerializer(serializers.Serializer):
    name = StringField(max_length=User._meta.get_field("name").max_length)
    email = EmailAddressField(max_length=User._meta.get_field("email").max_length)
    password = StringField(
        max_length=MAX_PASSWORD_LENGTH,
        trim_whitespace=False,
        help_text=(
            "Checked by Django's password validators: at least 8 characters, not all digits, "
            "not a common password and not too similar to the name or email."
        ),
    )


class LoginSerializer(serializers.Serializer):
    email = StringField(max_length=User._meta.get_field("email").max_length)
    password = StringField(max_length=MAX_PASSWORD_LENGTH, trim_whitespace=False)


class UserSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.EmailField()


class LoginResponseSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Access token for `Authorization: Bearer`, valid for 24 hours."
    )
    user = UserSerializer()
