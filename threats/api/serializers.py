"""JSON shape of a security event: the contract's seven fields, then triage fields."""

from rest_framework import serializers

from threats.models import SecurityEvent


class SecurityEventSerializer(serializers.ModelSerializer):
    """A security event; timestamps are ISO 8601 in UTC with a `Z` suffix."""

    assignee = serializers.EmailField(
        source="assignee.email", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = SecurityEvent
        fields = [
            # The dashboard's contract.
            "timestamp",
            "type",
            "severity",
            "source_ip",
            "destination_ip",
            "description",
            "blocked",
            # Triage and detection details.
            "id",
            "status",
            "confidence",
            "count",
            "last_seen",
            "detector",
            "detector_version",
            "assignee",
            "is_sample",
        ]
        read_only_fields = fields
