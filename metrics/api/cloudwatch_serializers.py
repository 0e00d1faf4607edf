"""Response shapes of the CloudWatch metrics endpoints, for the OpenAPI schema."""

from rest_framework import serializers

from metrics.cloudwatch.definitions import ENDPOINTS


class MetricSeriesSerializer(serializers.Serializer):
    """One chart: a value per period, with HH:MM labels and the same times in ISO 8601 UTC."""

    Label = serializers.CharField()
    Values = serializers.ListField(child=serializers.FloatField(allow_null=True))
    Timestamps = serializers.ListField(child=serializers.CharField())
    Timestamps_iso = serializers.ListField(child=serializers.DateTimeField())
    Hint = serializers.CharField(
        required=False, help_text="Why the chart is empty, when the reason is known."
    )


def _endpoint_serializer(name: str) -> type[serializers.Serializer]:
    fields = {chart.key: MetricSeriesSerializer() for chart in ENDPOINTS[name].charts}
    return type(f"{name.capitalize()}MetricsSerializer", (serializers.Serializer,), fields)


ENDPOINT_SERIALIZERS = {name: _endpoint_serializer(name) for name in ENDPOINTS}
