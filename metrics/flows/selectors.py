"""Reads behind /api/metrics/vpc: local rollups, or a remote engine chosen by VPC_STATS_SOURCE."""

import logging
import operator
from datetime import datetime
from functools import reduce

from django.conf import settings
from django.db.models import Q, Sum

from metrics.flows.accumulator import RESOLUTIONS
from metrics.flows.stats import TOP_TALKERS, TrafficTotal, vpc_stats_payload
from metrics.flows.top_talkers import window_top_talkers
from metrics.models import FlowTalkerRollup, FlowTrafficRollup

logger = logging.getLogger(__name__)


def vpc_flow_stats(*, start: datetime, end: datetime) -> dict:
    """Return the VPC flow statistics of [start, end) from the configured source."""
    source = settings.VPC_STATS_SOURCE
    if source == "logs_insights":
        from metrics.flows.logs_insights import logs_insights_vpc_stats

        return logs_insights_vpc_stats(start=start, end=end)
    if source == "athena":
        from metrics.flows.athena import athena_vpc_stats

        return athena_vpc_stats(start=start, end=end)
    return rollup_vpc_stats(start=start, end=end)


def rollup_vpc_stats(*, start: datetime, end: datetime) -> dict:
    """Return the statistics of [start, end) from the stored rollups alone."""
    spans = window_spans(int(start.timestamp()), int(end.timestamp()))
    where = _window_filter(spans)
    traffic = (
        FlowTrafficRollup.objects.filter(where)
        .values("action", "protocol")
        .annotate(total_flows=Sum("flows"), total_bytes=Sum("bytes"))
    )
    return vpc_stats_payload(
        traffic=[
            TrafficTotal(
                row["action"], row["protocol"], int(row["total_flows"]), int(row["total_bytes"])
            )
            for row in traffic
        ],
        top_sources=window_top_talkers(spans, FlowTalkerRollup.Direction.SOURCE, TOP_TALKERS),
        top_destinations=window_top_talkers(
            spans, FlowTalkerRollup.Direction.DESTINATION, TOP_TALKERS
        ),
    )


def window_spans(start: int, end: int) -> list[tuple[int, int, int]]:
    """Cover [start, end) with the fewest whole buckets, as (resolution, first, stop) spans.

    Raise ValueError when the window is not aligned to the finest resolution, because rollups
    cannot sum such a window exactly.
    """
    spans: list[tuple[int, int, int]] = []
    cursor = start
    while cursor < end:
        resolution = next(
            (r for r in sorted(RESOLUTIONS, reverse=True) if cursor % r == 0 and cursor + r <= end),
            None,
        )
        if resolution is None:
            raise ValueError(
                f"window [{start}, {end}) is not aligned to {min(RESOLUTIONS)} s buckets"
            )
        if spans and spans[-1][0] == resolution and spans[-1][2] == cursor:
            spans[-1] = (resolution, spans[-1][1], cursor + resolution)
        else:
            spans.append((resolution, cursor, cursor + resolution))
        cursor += resolution
    return spans


def _window_filter(spans: list[tuple[int, int, int]]) -> Q:
    if not spans:
        return Q(pk__in=[])
    return reduce(
        operator.or_,
        (
            Q(resolution=r, bucket_start__gte=first, bucket_start__lt=stop)
            for r, first, stop in spans
        ),
    )
