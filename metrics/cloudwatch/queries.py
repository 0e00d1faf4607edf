"""The series one endpoint reads, as source-neutral queries and as GetMetricData queries."""

from dataclasses import dataclass

from metrics.cloudwatch.definitions import ChartMetric, Endpoint, Scope
from metrics.cloudwatch.resources import Resource


@dataclass(frozen=True)
class SeriesQuery:
    """One stored or CloudWatch series: a metric, its dimensions and statistic, under an Id."""

    id: str
    chart_key: str
    namespace: str
    metric_name: str
    dimensions: dict[str, str]
    statistic: str


def queries_build(endpoint: Endpoint, resource: Resource) -> list[SeriesQuery]:
    """Return every series the endpoint's charts need for `resource`, in chart order."""
    queries = []
    for chart in endpoint.charts:
        queries.extend(_chart_queries(chart, resource))
    return queries


def _chart_queries(chart: ChartMetric, resource: Resource) -> list[SeriesQuery]:
    dimension_sets = resource.parts if chart.scope is Scope.PARTS else (resource.dimensions,)
    queries = []
    for source_index, source in enumerate(chart.sources):
        for part_index, dimensions in enumerate(dimension_sets):
            queries.append(
                SeriesQuery(
                    # GetMetricData Ids must start with a lower-case letter.
                    id=f"{chart.key}_{source_index}_{part_index}",
                    chart_key=chart.key,
                    namespace=source.namespace,
                    metric_name=source.metric_name,
                    dimensions=dimensions,
                    statistic=chart.statistic,
                )
            )
    return queries


def metric_data_query(query: SeriesQuery, period_seconds: int) -> dict:
    """Return `query` as one entry of GetMetricData's MetricDataQueries."""
    return {
        "Id": query.id,
        "MetricStat": {
            "Metric": {
                "Namespace": query.namespace,
                "MetricName": query.metric_name,
                "Dimensions": [{"Name": k, "Value": v} for k, v in query.dimensions.items()],
            },
            "Period": period_seconds,
            "Stat": query.statistic,
        },
        "ReturnData": True,
    }
