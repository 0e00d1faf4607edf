"""Datapoints of the local metrics source, in the shape CloudWatch returns them."""

from django.db import models


class MetricSeries(models.Model):
    """One CloudWatch series: a metric with its dimensions, aggregated by one statistic."""

    class Origin(models.TextChoices):
        IMPORT = "import", "imported from get-metric-data output"
        DEMO = "demo", "demo data written by seed_demo"
        ACCESS_LOG = "access_log", "computed from ALB access logs"

    namespace = models.CharField(max_length=255)
    metric_name = models.CharField(max_length=255)
    # {"Name": "Value", ...} exactly as CloudWatch names the dimensions.
    dimensions = models.JSONField(default=dict)
    # SHA-256 of the canonical dimensions JSON, because MySQL cannot index a JSON column.
    dimensions_key = models.CharField(max_length=64)
    statistic = models.CharField(max_length=32)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.IMPORT)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "metric_name", "statistic", "dimensions_key"],
                name="metrics_series_unique_metric",
            )
        ]
        verbose_name_plural = "metric series"

    def __str__(self) -> str:
        return f"{self.namespace} {self.metric_name} {self.statistic} {self.dimensions}"


class MetricDatapoint(models.Model):
    """The value of a series at one timestamp, in CloudWatch's unit for the metric."""

    series = models.ForeignKey(MetricSeries, on_delete=models.CASCADE, related_name="datapoints")
    timestamp = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "timestamp"], name="metrics_datapoint_unique_time"
            )
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.timestamp.isoformat()} {self.value}"
