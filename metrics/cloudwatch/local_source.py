"""Reads an endpoint's series from the datapoints stored by import_metrics, seed_demo and ingest."""

from datetime import datetime

from metrics.cloudwatch.queries import SeriesQuery
from metrics.cloudwatch.resources import Candidate, ResourceKind, short_name
from metrics.cloudwatch.series import RawSeries, bucket_values, period_starts
from metrics.datapoint_selectors import datapoints_in_window, series_list


class LocalSource:
    """Metrics read from the local store, for the resources its stored series name."""

    name = "local"
    where = "the local metrics store (fill it with import_metrics, seed_demo, or ingest)"

    def candidates(self, kind: ResourceKind) -> list[Candidate]:
        values = set()
        for namespace in kind.namespaces:
            for series in series_list(namespace=namespace):
                if kind.dimension in series.dimensions:
                    values.add(series.dimensions[kind.dimension])
        return [Candidate(short_name(value), value) for value in sorted(values)]

    def part_values(self, kind: ResourceKind, candidate: Candidate) -> list[str]:
        if not kind.part_dimension:
            return []
        values = set()
        for namespace in kind.namespaces:
            for series in series_list(namespace=namespace):
                dimensions = series.dimensions
                if dimensions.get(kind.dimension) == candidate.dimension_value:
                    values.add(dimensions.get(kind.part_dimension))
        return sorted(value for value in values if value)

    def fetch(
        self,
        queries: list[SeriesQuery],
        *,
        endpoint: str,
        start: datetime,
        end: datetime,
        period_seconds: int,
    ) -> RawSeries:
        """Return each query's stored points; the series code aggregates them per period.

        An Average query without stored points is computed per period from stored Sum and
        SampleCount series, which the ALB access log ingest writes.
        """
        return {q.id: _query_points(q, start, end, period_seconds) for q in queries}


def _query_points(
    query: SeriesQuery, start: datetime, end: datetime, period_seconds: int
) -> list[tuple[datetime, float]]:
    points = _stored_points(query, query.statistic, start, end)
    if points or query.statistic != "Average":
        return points
    return _average_from_sums(query, start, end, period_seconds)


def _average_from_sums(
    query: SeriesQuery, start: datetime, end: datetime, period_seconds: int
) -> list[tuple[datetime, float]]:
    """Return one Average point per period with samples: the period's Sum over its SampleCount.

    Dividing the sums of a whole period weighs every sample equally, which averaging the
    averages of its five-minute buckets would not.
    """
    starts = period_starts(start, end, period_seconds)
    if not starts:
        return []
    sums = bucket_values(_stored_points(query, "Sum", start, end), "Sum", starts, period_seconds)
    counts = bucket_values(
        _stored_points(query, "SampleCount", start, end), "Sum", starts, period_seconds
    )
    return [(period, sums.get(period, 0.0) / count) for period, count in counts.items() if count]


def _stored_points(
    query: SeriesQuery, statistic: str, start: datetime, end: datetime
) -> list[tuple[datetime, float]]:
    return datapoints_in_window(
        namespace=query.namespace,
        metric=query.metric_name,
        dimensions=query.dimensions,
        statistic=statistic,
        start=start,
        end=end,
    )
