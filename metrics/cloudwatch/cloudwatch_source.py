"""Reads an endpoint's series from CloudWatch with one GetMetricData request."""

import logging
from datetime import datetime

from django.conf import settings

from metrics.cloudwatch import discovery
from metrics.cloudwatch.queries import SeriesQuery, metric_data_query
from metrics.cloudwatch.resources import Candidate, ResourceKind
from metrics.cloudwatch.series import RawSeries
from siem import aws
from siem.telemetry import CLOUDWATCH_CALLS

logger = logging.getLogger(__name__)

GET_METRIC_DATA = "cloudwatch:GetMetricData"


class CloudWatchSource:
    """Metrics read from CloudWatch, for resources found through the AWS describe calls."""

    name = "cloudwatch"

    @property
    def where(self) -> str:
        return f"AWS region {settings.AWS_REGION or '(unset)'}"

    def candidates(self, kind: ResourceKind) -> list[Candidate]:
        return discovery.candidates_discover(kind)

    def part_values(self, kind: ResourceKind, candidate: Candidate) -> list[str]:
        return discovery.part_values_discover(kind, candidate)

    def fetch(
        self,
        queries: list[SeriesQuery],
        *,
        endpoint: str,
        start: datetime,
        end: datetime,
        period_seconds: int,
    ) -> RawSeries:
        """Return each query's (timestamp, value) points, following NextToken to the end."""
        client = aws.client("cloudwatch")
        request = {
            "MetricDataQueries": [metric_data_query(q, period_seconds) for q in queries],
            "StartTime": start,
            "EndTime": end,
            "ScanBy": "TimestampAscending",
        }
        points: RawSeries = {q.id: [] for q in queries}
        with aws.translated_errors(GET_METRIC_DATA, endpoint=endpoint, start=start.isoformat()):
            while True:
                CLOUDWATCH_CALLS.labels(endpoint=endpoint).inc()
                page = client.get_metric_data(**request)
                _page_collect(page, points)
                if not page.get("NextToken"):
                    return points
                request["NextToken"] = page["NextToken"]


def _page_collect(page: dict, points: RawSeries) -> None:
    for message in page.get("Messages", []):
        logger.warning("GetMetricData message: code=%s", message.get("Code"))
    for result in page.get("MetricDataResults", []):
        if result.get("StatusCode") not in (None, "Complete", "PartialData"):
            logger.warning(
                "GetMetricData result incomplete: id=%s status=%s",
                result["Id"],
                result["StatusCode"],
            )
        points.setdefault(result["Id"], []).extend(
            zip(result["Timestamps"], result["Values"], strict=True)
        )
