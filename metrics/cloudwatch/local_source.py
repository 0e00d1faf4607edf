"""Reads an endpoint's series from the datapoints stored by import_metrics and seed_demo."""

from datetime import datetime

from metrics.cloudwatch.queries import SeriesQuery
from metrics.cloudwatch.resources import Candidate, ResourceKind, short_name
from metrics.cloudwatch.series import RawSeries
from metrics.datapoint_selectors import datapoints_in_window, series_list


class LocalSource:
    """Metrics read from the local store, for the resources its stored series name."""

    name = "local"
    where = "the local metrics store (fill it with import_metrics or seed_demo)"

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
        """Return each query's stored points; the series code aggregates them per period."""
        return {
            q.id: datapoints_in_window(
                namespace=q.namespace,
                metric=q.metric_name,
                dimensions=q.dimensions,
                statistic=q.statistic,
                start=start,
                end=end,
            )
            for q in queries
        }
