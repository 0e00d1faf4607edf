"""Turns raw datapoints into chart series: one point per period, gap-filled and converted."""

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from metrics.cloudwatch.definitions import ChartMetric
from metrics.cloudwatch.queries import SeriesQuery

# Query Id -> (timestamp, value) points in any order, as CloudWatch or the local store return them.
RawSeries = dict[str, list[tuple[datetime, float]]]

# Decimal places kept after unit conversion (ms to the microsecond, GB to the megabyte).
VALUE_DECIMALS = 3

# Aggregate function per statistic, for several points of one series in one period. CloudWatch
# returns one point per period already, but stored datapoints can be finer than the period.
STATISTIC_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "Sum": sum,
    # NOTE: averaging stored averages weights every point equally, whatever its sample count.
    "Average": lambda values: sum(values) / len(values),
    "Minimum": min,
    "Maximum": max,
}


def period_starts(start: datetime, end: datetime, period_seconds: int) -> list[datetime]:
    """Return the start of every period in [start, end), oldest first."""
    count = int((end - start).total_seconds()) // period_seconds
    return [start + timedelta(seconds=i * period_seconds) for i in range(count)]


def bucket_values(
    points: list[tuple[datetime, float]],
    statistic: str,
    starts: list[datetime],
    period_seconds: int,
) -> dict[datetime, float]:
    """Return the value of each period that has points; points outside the window are dropped."""
    first, grouped = starts[0], defaultdict(list)
    for timestamp, value in points:
        index = int((timestamp - first).total_seconds()) // period_seconds
        if 0 <= index < len(starts):
            grouped[starts[index]].append(value)
    aggregate = STATISTIC_AGGREGATES[statistic]
    return {start: aggregate(values) for start, values in grouped.items()}


def chart_values(
    chart: ChartMetric, per_query: list[dict[datetime, float]], starts: list[datetime]
) -> list[float | None]:
    """Return one value per period: the chart's queries combined, gap-filled and converted.

    A period without any point is 0 for a count (Sum), because CloudWatch publishes no
    datapoint when nothing happened, and None for a gauge, which has no value to show.
    """
    values: list[float | None] = []
    for start in starts:
        present = [buckets[start] for buckets in per_query if start in buckets]
        if not present:
            values.append(0 if chart.is_count else None)
            continue
        combined = sum(present) if chart.combine == "sum" else sum(present) / len(present)
        values.append(round(combined * chart.scale, VALUE_DECIMALS))
    return values


def chart_series(
    chart: ChartMetric,
    queries: list[SeriesQuery],
    raw: RawSeries,
    starts: list[datetime],
    period_seconds: int,
    display_zone: ZoneInfo,
    source_name: str = "",
) -> dict:
    """Return the contract's metric object for one chart, plus ISO timestamps and any hint.

    `source_name` ("local" or "cloudwatch") picks the hint shown when the chart has no data.
    """
    own = [q for q in queries if q.chart_key == chart.key]
    per_query = [bucket_values(raw.get(q.id, []), q.statistic, starts, period_seconds) for q in own]
    series = {
        "Label": chart.label,
        "Values": chart_values(chart, per_query, starts),
        "Timestamps": [start.astimezone(display_zone).strftime("%H:%M") for start in starts],
        "Timestamps_iso": [
            start.astimezone(UTC).isoformat().replace("+00:00", "Z") for start in starts
        ],
    }
    hint = chart.hint_for(source_name)
    if hint and not any(per_query):
        series["Hint"] = hint
    return series
