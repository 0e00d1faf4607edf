"""Reads from the local metrics store."""

from datetime import datetime

from metrics.datapoint_services import dimensions_key_compute
from metrics.models import MetricDatapoint, MetricSeries


def series_list(*, namespace: str) -> list[MetricSeries]:
    """Return every stored series of a CloudWatch namespace."""
    return list(MetricSeries.objects.filter(namespace=namespace).order_by("id"))


def datapoints_in_window(
    *,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    statistic: str,
    start: datetime,
    end: datetime,
) -> list[tuple[datetime, float]]:
    """Return the stored (timestamp, value) points of one series in [start, end), oldest first."""
    rows = MetricDatapoint.objects.filter(
        series__namespace=namespace,
        series__metric_name=metric,
        series__statistic=statistic,
        series__dimensions_key=dimensions_key_compute(dimensions),
        timestamp__gte=start,
        timestamp__lt=end,
    ).order_by("timestamp")
    return list(rows.values_list("timestamp", "value"))
