"""Serializers shared by every app's OpenAPI schema."""

from rest_framework import serializers


class MessageSerializer(serializers.Serializer):
    """The body of every error, and of responses that only confirm an action."""

    message = serializers.CharField()
    error = serializers.CharField(
        required=False, help_text="Detail for developers, development only."
    )
