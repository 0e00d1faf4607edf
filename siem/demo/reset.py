"""Remove what the demo made, and nothing that real ingests or imports stored.

NOTE: flow rollups are sums that do not record which file they came from, so they are deleted
only when the demo's logs are the only ingested objects. Otherwise they stay and the reset
reports it.
"""

import ipaddress
import logging
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from demodata import estate
from ingest.models import IngestedObject, LogStreamCheckpoint
from metrics.cloudwatch.resources import short_name
from metrics.datapoint_services import demo_series_delete
from metrics.models import FlowTalkerRollup, FlowTopTalker, FlowTrafficRollup, MetricSeries
from siem.demo.account import demo_analyst_delete
from siem.demo.logs import manifest_read, manifest_span
from threats.models import SecurityEvent, SecurityEventStatusChange
from threats.services import events_samples_delete

logger = logging.getLogger(__name__)

# Every address in the demo logs: the estate's VPC and the RFC 5737 documentation ranges.
DEMO_NETWORKS = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (estate.VPC_CIDR, "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)
SAMPLE_DELETE_BATCH = 5000


@dataclass
class ResetResult:
    """Counts of what a reset deleted, by kind, and whether it deleted the flow rollups."""

    accounts: int = 0
    metric_series: int = 0
    sample_events: int = 0
    detections: int = 0
    ingested_objects: int = 0
    rollups_deleted: bool = False
    logs_deleted: bool = False


def _is_demo_address(value: str | None) -> bool:
    if not value:
        return False
    address = ipaddress.ip_address(value)
    return any(address in network for network in DEMO_NETWORKS)


@transaction.atomic
def demo_detections_delete(manifest: dict[str, Any]) -> int:
    """Delete detected events that fall in the logs' span and name an address of the demo."""
    start, end = manifest_span(manifest)
    # A repeat within the deduplication window extends an event past the end of the logs.
    end += timedelta(seconds=settings.SIEM_THREATS_DEDUP_WINDOW_SECONDS)
    rows = SecurityEvent.objects.filter(is_sample=False, timestamp__range=(start, end))
    ids = [
        pk
        for pk, source, destination in rows.values_list("pk", "source_ip", "destination_ip")
        if _is_demo_address(source) or _is_demo_address(destination)
    ]
    SecurityEventStatusChange.objects.filter(event_id__in=ids).delete()
    SecurityEvent.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def demo_ingest_delete(logs_dir: Path) -> tuple[int, bool]:
    """Delete the ingest checkpoints of the demo logs, and the flow rollups if only they fed them.

    Returns the number of checkpoints deleted and whether the rollups were deleted.
    """
    prefix = str(logs_dir.resolve()) + "/"
    files = IngestedObject.objects.filter(kind=IngestedObject.Kind.FILE, key__startswith=prefix)
    deleted, _ = files.delete()

    others = IngestedObject.objects.exists() or LogStreamCheckpoint.objects.exists()
    if others:
        logger.warning("kept the flow rollups: other ingested objects contributed to them")
        return deleted, False
    for model in (FlowTrafficRollup, FlowTalkerRollup, FlowTopTalker):
        model.objects.all().delete()
    return deleted, True


@transaction.atomic
def demo_access_log_series_delete() -> int:
    """Delete metric series computed from the demo load balancer's access logs."""
    stored = MetricSeries.objects.filter(origin=MetricSeries.Origin.ACCESS_LOG)
    ids = [
        series.pk
        for series in stored
        if short_name(series.dimensions.get("LoadBalancer", "")) == estate.ALB_NAME
    ]
    MetricSeries.objects.filter(pk__in=ids).delete()
    return len(ids)


def _logs_dir_delete(logs_dir: Path, *, owned: bool) -> bool:
    """Delete generated logs: the demo's own folder always, another folder only with a manifest."""
    if not logs_dir.is_dir() or not (owned or manifest_read(logs_dir) is not None):
        return False
    shutil.rmtree(logs_dir)
    return True


def demo_reset(*, logs_dir: Path, state_dir: Path, owned_logs_dir: bool) -> ResetResult:
    """Delete the demo account, demo metrics, sample events, and the demo logs with their data."""
    result = ResetResult()
    manifest = manifest_read(logs_dir)
    result.accounts = demo_analyst_delete(state_dir)
    result.metric_series = demo_series_delete() + demo_access_log_series_delete()
    result.sample_events = events_samples_delete(batch_size=SAMPLE_DELETE_BATCH)
    if manifest is not None:
        result.detections = demo_detections_delete(manifest)
    result.ingested_objects, result.rollups_deleted = demo_ingest_delete(logs_dir)
    result.logs_deleted = _logs_dir_delete(logs_dir, owned=owned_logs_dir)
    logger.info("demo reset finished: %s", result)
    return result
