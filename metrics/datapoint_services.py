"""Writes to the local metrics store: series, and datapoints either replaced or added to."""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from metrics.models import MetricDatapoint, MetricSeries

# Rows per INSERT statement; keeps each statement well under SQLite's and MySQL's limits.
UPSERT_BATCH_SIZE = 1000
# Statistics whose values over parts of a period add up to the value of the whole period.
ADDITIVE_STATISTICS = frozenset({"Sum", "SampleCount"})


def dimensions_key_compute(dimensions: dict[str, str]) -> str:
    """Return the SHA-256 hex digest of `dimensions` in canonical (sorted, compact) JSON."""
    canonical = json.dumps(dimensions, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def series_get_or_create(
    *,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    statistic: str,
    origin: str = MetricSeries.Origin.IMPORT,
) -> MetricSeries:
    """Return the stored series for this metric, dimensions and statistic, creating it if new."""
    series, _ = MetricSeries.objects.get_or_create(
        namespace=namespace,
        metric_name=metric,
        statistic=statistic,
        dimensions_key=dimensions_key_compute(dimensions),
        defaults={"dimensions": dimensions, "origin": origin},
    )
    return series


@transaction.atomic
def datapoints_upsert(
    *,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    statistic: str,
    points: Iterable[tuple[datetime, float]],
    origin: str = MetricSeries.Origin.IMPORT,
) -> int:
    """Store `points` (aware timestamp, value in CloudWatch's unit) for one series.

    A point at a timestamp the series already has replaces the stored value, so importing the
    same data twice changes nothing. Returns the number of points written.
    """
    series = series_get_or_create(
        namespace=namespace,
        metric=metric,
        dimensions=dimensions,
        statistic=statistic,
        origin=origin,
    )
    rows = [MetricDatapoint(series=series, timestamp=ts, value=value) for ts, value in points]
    # MySQL picks the conflicting unique index itself and rejects an explicit target.
    target = (
        ["series", "timestamp"]
        if connection.features.supports_update_conflicts_with_target
        else None
    )
    MetricDatapoint.objects.bulk_create(
        rows,
        batch_size=UPSERT_BATCH_SIZE,
        update_conflicts=True,
        unique_fields=target,
        update_fields=["value"],
    )
    return len(rows)


@transaction.atomic
def datapoints_add(
    *,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    statistic: str,
    points: Iterable[tuple[datetime, float]],
    origin: str = MetricSeries.Origin.IMPORT,
) -> int:
    """Add `points` (aware timestamp, delta) to the stored values of one Sum or SampleCount series.

    A timestamp the series does not have yet is inserted with the delta as its value. Unlike
    `datapoints_upsert`, storing the same points twice counts them twice, so callers add each
    delta once (the ingest checkpoint ensures that). Returns the number of points written.
    """
    if statistic not in ADDITIVE_STATISTICS:
        raise ValueError(f"statistic {statistic!r} cannot be added up: use Sum or SampleCount")
    series = series_get_or_create(
        namespace=namespace,
        metric=metric,
        dimensions=dimensions,
        statistic=statistic,
        origin=origin,
    )
    count = 0
    for timestamp, delta in points:
        _datapoint_add(series, timestamp, delta)
        count += 1
    return count


def _datapoint_add(series: MetricSeries, timestamp: datetime, delta: float) -> None:
    stored = MetricDatapoint.objects.filter(series=series, timestamp=timestamp)
    if stored.update(value=F("value") + delta):
        return
    try:
        with transaction.atomic():
            MetricDatapoint.objects.create(series=series, timestamp=timestamp, value=delta)
    except IntegrityError:
        # A concurrent ingest inserted the point between the update and the insert.
        stored.update(value=F("value") + delta)


@transaction.atomic
def demo_series_delete() -> int:
    """Delete every series written by seed_demo with its datapoints; return how many series."""
    demo = MetricSeries.objects.filter(origin=MetricSeries.Origin.DEMO)
    count = demo.count()
    MetricDatapoint.objects.filter(series__in=demo).delete()
    demo.delete()
    return count
