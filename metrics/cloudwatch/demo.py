"""A demo data set for the local source: plausible CloudWatch series with a daily pattern.

Every resource name contains "siem-demo" so demo charts are never mistaken for real ones.
Values depend only on the metric and the timestamp, so writing the set twice stores the same
numbers.
"""

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from metrics.cloudwatch import definitions as d

DEMO_STEP_SECONDS = 300  # one datapoint per five minutes, like CloudWatch's basic monitoring

DEMO_LOAD_BALANCER = "app/siem-demo-alb/50dc6c495c0c9188"
DEMO_TARGET_GROUP = "targetgroup/siem-demo-targets/73e2d6bc24d8a067"
DEMO_DB_INSTANCE = "siem-demo-db"
DEMO_AUTO_SCALING_GROUP = "siem-demo-asg"
DEMO_SAGEMAKER_ENDPOINT = "siem-demo-endpoint"
DEMO_SAGEMAKER_VARIANT = "AllTraffic"


@dataclass(frozen=True)
class DemoSeries:
    """One demo series and the function that gives its value from load (0..1) and noise (0..1)."""

    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str
    value: Callable[[float, float], float]


def daily_load(moment: datetime) -> float:
    """Return the demo traffic level between 0.2 (04:00 UTC) and 1.0 (16:00 UTC)."""
    hours = moment.hour + moment.minute / 60
    return 0.6 - 0.4 * math.cos(2 * math.pi * (hours - 4) / 24)


def _noise(metric: str, moment: datetime) -> float:
    return random.Random(f"{metric}:{int(moment.timestamp())}").random()


def _capacity(load: float) -> float:
    return float(2 + round(3 * load))


ALB_DIMENSIONS = {"LoadBalancer": DEMO_LOAD_BALANCER}
DB_DIMENSIONS = {"DBInstanceIdentifier": DEMO_DB_INSTANCE}
ASG_DIMENSIONS = {"AutoScalingGroupName": DEMO_AUTO_SCALING_GROUP}
VARIANT_DIMENSIONS = {
    "EndpointName": DEMO_SAGEMAKER_ENDPOINT,
    "VariantName": DEMO_SAGEMAKER_VARIANT,
}

DEMO_SERIES = (
    DemoSeries(d.ALB, "RequestCount", ALB_DIMENSIONS, "Sum", lambda x, n: round(1400 * x + 80 * n)),
    # Seconds, as CloudWatch reports it; the endpoint shows milliseconds.
    DemoSeries(
        d.ALB,
        "TargetResponseTime",
        ALB_DIMENSIONS,
        "Average",
        lambda x, n: 0.035 + 0.02 * x + 0.006 * n,
    ),
    DemoSeries(
        d.ALB,
        "HealthyHostCount",
        ALB_DIMENSIONS | {"TargetGroup": DEMO_TARGET_GROUP},
        "Minimum",
        lambda x, n: 3.0 if n > 0.95 else 4.0,
    ),
    DemoSeries(
        d.ALB, "HTTPCode_Target_4XX_Count", ALB_DIMENSIONS, "Sum", lambda x, n: round(8 * x + 4 * n)
    ),
    DemoSeries(
        d.ALB, "HTTPCode_Target_5XX_Count", ALB_DIMENSIONS, "Sum", lambda x, n: round(2 * x * n + n)
    ),
    DemoSeries(d.RDS, "CPUUtilization", DB_DIMENSIONS, "Average", lambda x, n: 18 + 30 * x + 4 * n),
    DemoSeries(
        d.RDS,
        "DatabaseConnections",
        DB_DIMENSIONS,
        "Average",
        lambda x, n: round(20 + 35 * x + 5 * n),
    ),
    DemoSeries(
        d.RDS,
        "ReadLatency",
        DB_DIMENSIONS,
        "Average",
        lambda x, n: 0.0018 + 0.0014 * x + 0.0004 * n,
    ),
    DemoSeries(
        d.RDS,
        "WriteLatency",
        DB_DIMENSIONS,
        "Average",
        lambda x, n: 0.0028 + 0.0016 * x + 0.0004 * n,
    ),
    # Bytes of a 4 GiB instance.
    DemoSeries(
        d.RDS,
        "FreeableMemory",
        DB_DIMENSIONS,
        "Average",
        lambda x, n: 2.7e9 - 0.5e9 * x - 0.1e9 * n,
    ),
    DemoSeries(
        d.AUTO_SCALING, "GroupDesiredCapacity", ASG_DIMENSIONS, "Average", lambda x, n: _capacity(x)
    ),
    DemoSeries(
        d.AUTO_SCALING,
        "GroupInServiceInstances",
        ASG_DIMENSIONS,
        "Average",
        lambda x, n: _capacity(x),
    ),
    DemoSeries(
        d.EC2, "CPUUtilization", ASG_DIMENSIONS, "Average", lambda x, n: 25 + 45 * x + 6 * n
    ),
    DemoSeries(
        d.SAGEMAKER, "Invocations", VARIANT_DIMENSIONS, "Sum", lambda x, n: round(500 * x + 40 * n)
    ),
    # Microseconds, as SageMaker reports it.
    DemoSeries(
        d.SAGEMAKER,
        "ModelLatency",
        VARIANT_DIMENSIONS,
        "Average",
        lambda x, n: 110_000 + 40_000 * x + 8_000 * n,
    ),
    DemoSeries(
        d.SAGEMAKER, "Invocation4XXErrors", VARIANT_DIMENSIONS, "Sum", lambda x, n: round(2 * n)
    ),
    DemoSeries(
        d.SAGEMAKER,
        "Invocation5XXErrors",
        VARIANT_DIMENSIONS,
        "Sum",
        lambda x, n: round(1.4 * x * n),
    ),
)


def demo_moments(end: datetime, days: int) -> list[datetime]:
    """Return the five-minute timestamps of the `days` days up to `end`, oldest first."""
    epoch = int(end.timestamp())
    last = end - timedelta(seconds=epoch % DEMO_STEP_SECONDS, microseconds=end.microsecond)
    count = days * 86400 // DEMO_STEP_SECONDS
    return [last - timedelta(seconds=i * DEMO_STEP_SECONDS) for i in range(count, -1, -1)]


def demo_points(series: DemoSeries, moments: list[datetime]) -> Iterator[tuple[datetime, float]]:
    """Yield the (timestamp, value) points of one demo series."""
    for moment in moments:
        yield moment, float(series.value(daily_load(moment), _noise(series.metric, moment)))
