"""The ALB access log format of the ingest pipeline, and its consumer for the local metrics.

Batches are `ParsedBatch[AlbRecord]`. The consumer sums each object's entries into the
CloudWatch datapoints that /api/metrics/alb reads when METRICS_SOURCE=local.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from ingest.formats_lines import line_parser
from ingest.pipeline import register_consumer, register_format
from logparsers.alb import FORMAT_NAME, AlbRecord, detect_alb, parse_alb_lines
from logparsers.results import ParsedBatch
from metrics.cloudwatch.definitions import ALB as ALB_NAMESPACE
from metrics.datapoint_services import datapoints_add
from metrics.models import MetricSeries

logger = logging.getLogger(__name__)

# Five minutes: CloudWatch's basic monitoring period and the dashboard's finest period.
BUCKET_SECONDS = 300

# (load balancer, metric, statistic) -> (bucket start, value) points of that series.
SeriesPoints = dict[tuple[str, str, str], list[tuple[datetime, float]]]


@dataclass
class AlbBucketSums:
    """Sums of one load balancer's access log entries in one five-minute bucket."""

    requests: int = 0
    target_seconds: float = 0.0
    # Entries with a target_processing_time. A request that got no target response logs -1.
    target_responses: int = 0
    target_4xx: int = 0
    target_5xx: int = 0

    def add(self, record: AlbRecord) -> None:
        # NOTE: every entry counts as a request. CloudWatch may leave requests that were
        # rejected before a target was chosen out of RequestCount, so its value can be lower.
        self.requests += 1
        if record.target_processing_time is not None and record.target_processing_time >= 0:
            self.target_seconds += record.target_processing_time
            self.target_responses += 1
        status = record.target_status_code or 0
        self.target_4xx += 400 <= status < 500
        self.target_5xx += 500 <= status < 600


def bucket_start(record: AlbRecord) -> datetime:
    """Return the start of the bucket of the time the load balancer received the request."""
    moment = record.request_creation_time or record.time
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % BUCKET_SECONDS, tz=UTC)


def series_points(buckets: dict[tuple[str, datetime], AlbBucketSums]) -> SeriesPoints:
    """Return the CloudWatch series of the bucket sums, keyed by load balancer and metric.

    TargetResponseTime is stored as Sum and SampleCount, which add up across objects. The
    local source divides them to chart the Average.
    """
    points: SeriesPoints = defaultdict(list)
    for (load_balancer, start), sums in sorted(buckets.items()):
        points[load_balancer, "RequestCount", "Sum"].append((start, sums.requests))
        points[load_balancer, "HTTPCode_Target_4XX_Count", "Sum"].append((start, sums.target_4xx))
        points[load_balancer, "HTTPCode_Target_5XX_Count", "Sum"].append((start, sums.target_5xx))
        if sums.target_responses:
            points[load_balancer, "TargetResponseTime", "Sum"].append((start, sums.target_seconds))
            points[load_balancer, "TargetResponseTime", "SampleCount"].append(
                (start, sums.target_responses)
            )
    return points


class AlbMetricsConsumer:
    """Sums an object's entries per load balancer and bucket, then adds them to the store."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, datetime], AlbBucketSums] = defaultdict(AlbBucketSums)

    def add(self, batch: ParsedBatch[AlbRecord]) -> None:
        for record in batch.records:
            # The elb field ("app/NAME/ID") is the value of CloudWatch's LoadBalancer dimension.
            self.buckets[record.elb, bucket_start(record)].add(record)

    def commit(self) -> None:
        for (load_balancer, metric, statistic), points in series_points(self.buckets).items():
            datapoints_add(
                namespace=ALB_NAMESPACE,
                metric=metric,
                dimensions={"LoadBalancer": load_balancer},
                statistic=statistic,
                points=points,
                origin=MetricSeries.Origin.ACCESS_LOG,
            )
        if self.buckets:
            logger.info("added ALB access log metrics: %d load balancer buckets", len(self.buckets))


register_format(FORMAT_NAME, detect=detect_alb, parse=line_parser(parse_alb_lines))
register_consumer(FORMAT_NAME, AlbMetricsConsumer)
