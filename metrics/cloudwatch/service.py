"""Builds an endpoint's chart series from the configured source, through the shared cache."""

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from metrics.cloudwatch.cloudwatch_source import CloudWatchSource
from metrics.cloudwatch.definitions import ENDPOINTS, Endpoint
from metrics.cloudwatch.local_source import LocalSource
from metrics.cloudwatch.queries import queries_build
from metrics.cloudwatch.resources import RESOURCE_KINDS, Resource, candidate_pick, resource_build
from metrics.cloudwatch.series import chart_series, period_starts
from metrics.timeranges import TimeRange
from siem.telemetry import METRICS_CACHE_HITS

logger = logging.getLogger(__name__)

# Bump when the cached body changes shape, so old entries are not served after a deploy.
CACHE_VERSION = 1
# Maximum cache lifetime, even when SIEM_METRICS_CACHE_SECONDS is larger.
MAX_CACHE_SECONDS = 60


@dataclass(frozen=True)
class MetricsResult:
    """An endpoint's response body and the source its numbers came from."""

    body: dict
    source: str


def utc_now() -> datetime:
    """Return the current time; tests replace this to chart a fixed window."""
    return timezone.now()


def metrics_source() -> CloudWatchSource | LocalSource:
    """Return the source METRICS_SOURCE selects."""
    return LocalSource() if settings.METRICS_SOURCE == "local" else CloudWatchSource()


def endpoint_metrics_get(
    endpoint_name: str, *, time_range: TimeRange, resource: str = "", now: datetime | None = None
) -> MetricsResult:
    """Return the endpoint's charts over `time_range`, from the cache when it has them.

    `resource` is the `?resource=` value, empty for the configured or only resource.
    """
    source = metrics_source()
    key = f"metrics:{CACHE_VERSION}:{endpoint_name}:{source.name}:{resource}:{time_range.name}"
    cached = cache.get(key)
    if cached is not None:
        METRICS_CACHE_HITS.labels(endpoint=endpoint_name).inc()
        return MetricsResult(cached, source.name)

    body = _metrics_build(ENDPOINTS[endpoint_name], source, time_range, resource, now or utc_now())
    lifetime = min(
        time_range.period_seconds, settings.SIEM_METRICS_CACHE_SECONDS, MAX_CACHE_SECONDS
    )
    if lifetime > 0:
        cache.set(key, body, timeout=lifetime)
    return MetricsResult(body, source.name)


def _metrics_build(
    endpoint: Endpoint,
    source: CloudWatchSource | LocalSource,
    time_range: TimeRange,
    requested: str,
    now: datetime,
) -> dict:
    resource = _resource_resolve(endpoint, source, requested)
    start, end = time_range.aligned_window(now)
    queries = queries_build(endpoint, resource)
    raw = {}
    # A resource without parts (an ALB without target groups) can leave nothing to query.
    if queries:
        raw = source.fetch(
            queries,
            endpoint=endpoint.name,
            start=start,
            end=end,
            period_seconds=time_range.period_seconds,
        )
    logger.info(
        "metrics fetched: endpoint=%s source=%s resource=%s range=%s queries=%d",
        endpoint.name,
        source.name,
        resource.name,
        time_range.name,
        len(queries),
    )

    starts = period_starts(start, end, time_range.period_seconds)
    zone = ZoneInfo(settings.SIEM_DISPLAY_TIME_ZONE)
    return {
        chart.key: chart_series(
            chart, queries, raw, starts, time_range.period_seconds, zone, source.name
        )
        for chart in endpoint.charts
    }


def _resource_resolve(
    endpoint: Endpoint, source: CloudWatchSource | LocalSource, requested: str
) -> Resource:
    kind = RESOURCE_KINDS[endpoint.resource_kind]
    candidate = candidate_pick(
        kind, source.candidates(kind), requested=requested, where=source.where
    )
    part_values = source.part_values(kind, candidate)
    return resource_build(kind, candidate, part_values, where=source.where)
