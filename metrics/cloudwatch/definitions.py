"""The CloudWatch metrics behind each dashboard endpoint, their statistics and unit conversions."""

from dataclasses import dataclass
from enum import Enum

SECONDS_TO_MS = 1000.0
MICROSECONDS_TO_MS = 0.001
BYTES_TO_GB = 1e-9  # decimal gigabytes (10^9 bytes), matching the "GB" in the label


class Scope(Enum):
    """Dimension set a metric is published under."""

    # The resource's own dimensions, e.g. {"DBInstanceIdentifier": "db-1"}.
    RESOURCE = "resource"
    # One series per part of the resource (ALB target group, SageMaker variant), combined.
    PARTS = "parts"


@dataclass(frozen=True)
class MetricSource:
    """A CloudWatch metric read for a chart."""

    namespace: str
    metric_name: str


@dataclass(frozen=True)
class ChartMetric:
    """One chart of an endpoint: the contract key and label, and how its values are computed.

    The values of all `sources` (and of all parts when the scope is PARTS) in one period are
    combined by `combine`, "sum" or "mean", then multiplied by `scale`.
    """

    key: str
    label: str
    statistic: str
    sources: tuple[MetricSource, ...]
    scope: Scope = Scope.RESOURCE
    scale: float = 1.0
    combine: str = "sum"
    # Shown beside the chart when the series has no datapoints in the whole window.
    empty_hint: str = ""
    # Shown in place of `empty_hint` when the local source has no datapoints.
    local_empty_hint: str = ""

    def hint_for(self, source_name: str) -> str:
        """Return the hint for an empty chart read from the source named `source_name`."""
        if source_name == "local" and self.local_empty_hint:
            return self.local_empty_hint
        return self.empty_hint

    @property
    def is_count(self) -> bool:
        """True for Sum metrics, whose missing periods mean zero events rather than no data."""
        return self.statistic == "Sum"


@dataclass(frozen=True)
class Endpoint:
    """A metrics endpoint: the resource kind it describes and its charts, in contract order."""

    name: str
    resource_kind: str
    charts: tuple[ChartMetric, ...]


ALB = "AWS/ApplicationELB"
RDS = "AWS/RDS"
AUTO_SCALING = "AWS/AutoScaling"
EC2 = "AWS/EC2"
SAGEMAKER = "AWS/SageMaker"

ASG_COLLECTION_HINT = (
    "No datapoints: Auto Scaling publishes group metrics only while metrics collection is "
    "enabled on the group (aws autoscaling enable-metrics-collection "
    "--auto-scaling-group-name NAME --granularity 1Minute)."
)

ALB_HEALTHY_HOSTS_LOCAL_HINT = (
    "No datapoints: ALB access logs do not record the healthy host count, so the local store "
    "has HealthyHostCount only when it is imported from CloudWatch with import_metrics."
)


def _chart(key, label, statistic, *metric_names, namespace, **options) -> ChartMetric:
    sources = tuple(MetricSource(namespace, name) for name in metric_names)
    return ChartMetric(key, label, statistic, sources, **options)


ENDPOINTS: dict[str, Endpoint] = {
    "alb": Endpoint(
        "alb",
        "alb",
        (
            _chart("request_count", "Request Count", "Sum", "RequestCount", namespace=ALB),
            _chart(
                "target_response_time",
                "Target Response Time (ms)",
                "Average",
                "TargetResponseTime",
                namespace=ALB,
                scale=SECONDS_TO_MS,
            ),
            # Minimum shows the worst moment of each period: a host that failed its health
            # check for one minute of a six-hour period still shows as a dip. With several
            # target groups the chart adds their healthy hosts together.
            _chart(
                "healthy_host_count",
                "Healthy Hosts",
                "Minimum",
                "HealthyHostCount",
                namespace=ALB,
                scope=Scope.PARTS,
                local_empty_hint=ALB_HEALTHY_HOSTS_LOCAL_HINT,
            ),
            _chart(
                "http_code_4xx", "4xx Errors", "Sum", "HTTPCode_Target_4XX_Count", namespace=ALB
            ),
            _chart(
                "http_code_5xx", "5xx Errors", "Sum", "HTTPCode_Target_5XX_Count", namespace=ALB
            ),
        ),
    ),
    "rds": Endpoint(
        "rds",
        "rds",
        (
            _chart(
                "cpu_utilization", "CPU Utilization (%)", "Average", "CPUUtilization", namespace=RDS
            ),
            _chart(
                "database_connections",
                "Database Connections",
                "Average",
                "DatabaseConnections",
                namespace=RDS,
            ),
            _chart(
                "read_latency",
                "Read Latency (ms)",
                "Average",
                "ReadLatency",
                namespace=RDS,
                scale=SECONDS_TO_MS,
            ),
            _chart(
                "write_latency",
                "Write Latency (ms)",
                "Average",
                "WriteLatency",
                namespace=RDS,
                scale=SECONDS_TO_MS,
            ),
            _chart(
                "freeable_memory",
                "Freeable Memory (GB)",
                "Average",
                "FreeableMemory",
                namespace=RDS,
                scale=BYTES_TO_GB,
            ),
        ),
    ),
    "asg": Endpoint(
        "asg",
        "asg",
        (
            _chart(
                "desired_capacity",
                "Desired Capacity",
                "Average",
                "GroupDesiredCapacity",
                namespace=AUTO_SCALING,
                empty_hint=ASG_COLLECTION_HINT,
            ),
            _chart(
                "group_in_service_instances",
                "In-Service Instances",
                "Average",
                "GroupInServiceInstances",
                namespace=AUTO_SCALING,
                empty_hint=ASG_COLLECTION_HINT,
            ),
            _chart(
                "cpu_utilization", "Average CPU (%)", "Average", "CPUUtilization", namespace=EC2
            ),
        ),
    ),
    "sagemaker": Endpoint(
        "sagemaker",
        "sagemaker",
        (
            _chart(
                "invocations",
                "Model Invocations",
                "Sum",
                "Invocations",
                namespace=SAGEMAKER,
                scope=Scope.PARTS,
            ),
            _chart(
                "model_latency",
                "Model Latency (ms)",
                "Average",
                "ModelLatency",
                namespace=SAGEMAKER,
                scope=Scope.PARTS,
                scale=MICROSECONDS_TO_MS,
                combine="mean",
            ),
            _chart(
                "invocation_errors",
                "Invocation Errors",
                "Sum",
                "Invocation4XXErrors",
                "Invocation5XXErrors",
                namespace=SAGEMAKER,
                scope=Scope.PARTS,
            ),
        ),
    ),
}
