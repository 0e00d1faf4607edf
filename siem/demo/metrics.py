"""Local metric datapoints for the demo, so each metrics endpoint charts exactly one resource.

seed_demo's series name one resource of each kind (siem-demo-*). Ingesting ALB access logs may
store a second load balancer, and an endpoint that finds two resources answers 503 until one
is chosen. So a kind that already has a resource of another origin gets no demo series.

Access logs give no HealthyHostCount, so the demo stores one for the generated load balancer
over the span of its logs.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from demodata import alb as demo_alb
from demodata import estate
from metrics.cloudwatch import definitions as d
from metrics.cloudwatch.demo import DEMO_SERIES, DemoSeries, demo_moments, demo_points
from metrics.cloudwatch.local_source import LocalSource
from metrics.cloudwatch.resources import RESOURCE_KINDS, ResourceKind, short_name
from metrics.datapoint_services import datapoints_upsert
from metrics.models import MetricDatapoint, MetricSeries

logger = logging.getLogger(__name__)

DEMO_METRIC_DAYS = 7
LOGS_LOAD_BALANCER = f"app/{estate.ALB_NAME}/{estate.ALB_ID}"
# The dimension value is the part of the target group ARN after the last colon.
LOGS_TARGET_GROUP = demo_alb.TARGET_GROUP_ARN.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class KindOutcome:
    """The resource an endpoint charts after the demo, and whether it is seed_demo's."""

    kind: str
    resources: tuple[str, ...]
    seeded: bool


def _kind_series(kind: ResourceKind) -> list[DemoSeries]:
    return [
        series
        for series in DEMO_SERIES
        if series.namespace in kind.namespaces and kind.dimension in series.dimensions
    ]


def _other_resources(kind: ResourceKind) -> list[str]:
    """Return the local resources of `kind` that seed_demo did not write."""
    demo_values = {series.dimensions[kind.dimension] for series in _kind_series(kind)}
    candidates = LocalSource().candidates(kind)
    return [c.name for c in candidates if c.dimension_value not in demo_values]


@transaction.atomic
def demo_kind_series_delete(kind: ResourceKind) -> int:
    """Delete seed_demo's series of one resource kind, and return how many series."""
    demo_values = {series.dimensions[kind.dimension] for series in _kind_series(kind)}
    stored = MetricSeries.objects.filter(
        origin=MetricSeries.Origin.DEMO, namespace__in=kind.namespaces
    )
    ids = [s.pk for s in stored if s.dimensions.get(kind.dimension) in demo_values]
    MetricDatapoint.objects.filter(series_id__in=ids).delete()
    MetricSeries.objects.filter(pk__in=ids).delete()
    return len(ids)


def _kind_seed(kind: ResourceKind, moments: list[datetime]) -> int:
    total = 0
    for series in _kind_series(kind):
        total += datapoints_upsert(
            namespace=series.namespace,
            metric=series.metric,
            dimensions=series.dimensions,
            statistic=series.statistic,
            points=demo_points(series, moments),
            origin=MetricSeries.Origin.DEMO,
        )
    return total


def _logs_health_series() -> DemoSeries:
    """Return the generated ALB's healthy target count: its web tier, now and then one less."""
    targets = float(len(estate.build_estate().tier("web")))
    return DemoSeries(
        d.ALB,
        "HealthyHostCount",
        {"LoadBalancer": LOGS_LOAD_BALANCER, "TargetGroup": LOGS_TARGET_GROUP},
        "Minimum",
        lambda load, noise: targets - 1 if noise > 0.95 else targets,
    )


def logs_health_ensure(*, start: datetime, end: datetime) -> int:
    """Store the generated ALB's HealthyHostCount for [start, end), and return the point count."""
    series = _logs_health_series()
    days = max(1, (end - start).days + 1)
    moments = [moment for moment in demo_moments(end, days) if start <= moment < end]
    return datapoints_upsert(
        namespace=series.namespace,
        metric=series.metric,
        dimensions=series.dimensions,
        statistic=series.statistic,
        points=demo_points(series, moments),
        origin=MetricSeries.Origin.DEMO,
    )


def demo_metrics_ensure(
    *, now: datetime, logs_span: tuple[datetime, datetime] | None
) -> list[KindOutcome]:
    """Store seed_demo's points for each kind with no other local resource, and drop the rest.

    The points are the ones `manage.py seed_demo` stores: the same values for the same
    five-minute timestamps on every run. `logs_span` is the time span of the demo logs.
    """
    moments = demo_moments(now, DEMO_METRIC_DAYS)
    outcomes = []
    for kind in RESOURCE_KINDS.values():
        others = _other_resources(kind)
        if others:
            removed = demo_kind_series_delete(kind)
            logger.info("kept %s resources %s, removed %d demo series", kind.key, others, removed)
            if kind.key == "alb" and estate.ALB_NAME in others and logs_span:
                logs_health_ensure(start=logs_span[0], end=logs_span[1])
            outcomes.append(KindOutcome(kind.key, tuple(others), seeded=False))
            continue
        points = _kind_seed(kind, moments)
        logger.info("stored %d demo datapoints for %s", points, kind.key)
        names = sorted({short_name(s.dimensions[kind.dimension]) for s in _kind_series(kind)})
        outcomes.append(KindOutcome(kind.key, tuple(names), seeded=True))
    return outcomes
