"""Generate the demo's AWS logs once, and ingest them with the bundled demo threat-intel lists."""

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test.utils import override_settings
from django.utils.dateparse import parse_datetime

import demodata
from demodata.writer import MANIFEST_NAME

logger = logging.getLogger(__name__)

DEMO_SEED = 1
# AWS delivers flow logs and ALB logs every five minutes, so the logs end on such a boundary.
DELIVERY_SECONDS = 300
INTEL_DIR = Path(demodata.__file__).resolve().parent / "intel"
# Lists that name the demo's beaconing address and its malware and phishing domains. They are
# set only while the demo ingests its own logs, never as defaults for a deployment.
DEMO_INTEL_SETTINGS = {
    "SIEM_INTEL_IP_FILES": [str(INTEL_DIR / "ip-blocklist.txt")],
    "SIEM_INTEL_MALWARE_DOMAIN_FILES": [str(INTEL_DIR / "malware-domains.txt")],
    "SIEM_INTEL_PHISHING_DOMAIN_FILES": [str(INTEL_DIR / "phishing-domains.txt")],
}


def logs_start(now: datetime, hours: int) -> datetime:
    """Return the first minute of `hours` of logs that end at the last delivery boundary."""
    epoch = int(now.timestamp())
    end = datetime.fromtimestamp(epoch - epoch % DELIVERY_SECONDS, UTC)
    return end - timedelta(hours=hours)


def manifest_read(logs_dir: Path) -> dict[str, Any] | None:
    """Return the manifest of logs generated into `logs_dir`, or None when there is none."""
    path = logs_dir / MANIFEST_NAME
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def manifest_span(manifest: dict[str, Any]) -> tuple[datetime, datetime]:
    """Return the [start, end) span of the logs that a manifest describes."""
    start = parse_datetime(manifest["start"])
    end = parse_datetime(manifest["end"])
    if start is None or end is None:
        raise CommandError(
            f"manifest span {manifest['start']!r} to {manifest['end']!r} is not ISO 8601: "
            "run `python manage.py demo --reset` to generate the logs again."
        )
    return start, end


def demo_logs_ensure(
    logs_dir: Path, *, hours: int, now: datetime, stdout: TextIO
) -> tuple[dict[str, Any], bool]:
    """Return the manifest of the demo logs in `logs_dir`, generating them first if missing.

    The second value is True when this call generated the logs.
    """
    manifest = manifest_read(logs_dir)
    if manifest is not None:
        return manifest, False
    if logs_dir.is_dir() and any(logs_dir.iterdir()):
        raise CommandError(
            f"{logs_dir} contains files but no {MANIFEST_NAME}, so an earlier generation did not "
            "finish: run `python manage.py demo --reset` or choose an empty --logs-dir."
        )

    start = logs_start(now, hours).strftime("%Y-%m-%dT%H:%M:%SZ")
    logger.info("generating demo logs into %s from %s for %d hours", logs_dir, start, hours)
    call_command(
        "generate_logs", out=logs_dir, start=start, hours=hours, seed=DEMO_SEED, stdout=stdout
    )
    return _manifest_required(logs_dir), True


def _manifest_required(logs_dir: Path) -> dict[str, Any]:
    manifest = manifest_read(logs_dir)
    if manifest is None:
        raise CommandError(f"generate_logs wrote no {MANIFEST_NAME} into {logs_dir}.")
    return manifest


def demo_logs_ingest(logs_dir: Path, *, stdout: TextIO) -> None:
    """Run `manage.py ingest` over the generated logs with the demo threat-intel lists.

    Only the AWSLogs folder is named, because manifest.json beside it is not a log file.
    Files ingested before are skipped by ingest's own checkpoints.
    """
    # The demo estate has 21 interfaces, fewer than the port-scan detector's default sweep
    # threshold of 50 hosts, so the demo lowers it to see its embedded 21-host sweep.
    overrides = {**settings.SIEM_DETECT_OVERRIDES, "PORT_SCAN_MIN_DISTINCT_HOSTS": "20"}
    with override_settings(**DEMO_INTEL_SETTINGS, SIEM_DETECT_OVERRIDES=overrides):
        call_command("ingest", str(logs_dir / "AWSLogs"), stdout=stdout)
