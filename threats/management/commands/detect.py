"""`manage.py detect --since ...`: run the detectors again over the objects ingested before.

Only local files and S3 objects recorded in the ingest checkpoints can be read again. The
command imports the ingest app for that, and is the only part of `threats` that does.
Statistics rollups and checkpoints are left alone. Each detection window is stored once
(see SecurityEventOccurrence), so a re-run adds only windows that were not recorded.
"""

import argparse
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.dateparse import parse_datetime

from ingest.detection import DETECTION_CONSUMERS, store_detections
from ingest.models import IngestedObject, LogStreamCheckpoint
from ingest.pipeline import FORMATS
from ingest.sources.files import FileObject
from ingest.sources.s3 import S3Object, parse_s3_url
from logparsers.common import ParseStats, decompressed
from siem import aws
from threats.detectors.base import Detection

logger = logging.getLogger(__name__)


@dataclass
class DetectRun:
    """Counts and the objects that could not be read, for the summary."""

    objects: int = 0
    detections: int = 0
    new_windows: int = 0
    known_windows: int = 0
    unavailable: list[str] = field(default_factory=list)


class Command(BaseCommand):
    help = (
        "Run the threat detectors again over ingested local files and S3 objects that can "
        "still be read, and store detections whose first record falls in [--since, --until). "
        "Windows already recorded are not counted again. CloudWatch Logs events cannot be "
        "re-read, and the statistics rollups carry too little detail to detect from."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", type=_aware_datetime, required=True,
            help="ISO 8601 time with a zone: earliest detection to store, for example 2026-03-02T00:00Z.",
        )  # fmt: skip
        parser.add_argument(
            "--until", type=_aware_datetime,
            help="ISO 8601 time with a zone: store detections before it (default: no limit).",
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        since, until = options["since"], options["until"]
        logger.info("detect started: since %s until %s", since, until)
        run = DetectRun()
        for record in _candidates(since, until):
            self._detect_object(record, since, until, run)
        logger.info(
            "detect finished: %d objects, %d detections, %d new windows, %d unavailable",
            run.objects, run.detections, run.new_windows, len(run.unavailable),
        )  # fmt: skip
        self._write_summary(run)

    def _detect_object(
        self, record: IngestedObject, since: datetime, until: datetime | None, run: DetectRun
    ) -> None:
        try:
            detections = _object_detections(record)
        except (OSError, aws.AwsError, ObjectUnavailable) as err:
            logger.warning("detect skipped %s: %s", record.key, err)
            run.unavailable.append(f"{record.key}: {err}")
            return
        wanted = [
            found
            for found in detections
            if found.occurred_at >= since and (until is None or found.occurred_at < until)
        ]
        with transaction.atomic():
            recorded = store_detections(wanted)
        run.objects += 1
        run.detections += len(wanted)
        run.new_windows += recorded.new_windows
        run.known_windows += recorded.known_windows

    def _write_summary(self, run: DetectRun) -> None:
        self.stdout.write(self.style.SUCCESS("Detection finished"))
        self.stdout.write(f"objects re-read: {run.objects}")
        self.stdout.write(
            f"detections: {run.detections} ({run.new_windows} new windows, "
            f"{run.known_windows} already recorded)"
        )
        for problem in run.unavailable:
            self.stdout.write(self.style.WARNING(f"not re-run: {problem}"))
        streams = LogStreamCheckpoint.objects.count()
        if streams:
            self.stdout.write(self.style.WARNING(
                f"not re-run: CloudWatch Logs events from {streams} log streams; only the "
                "stream positions are stored, not the events."
            ))  # fmt: skip
        self.stdout.write(
            "not re-run: the statistics rollups, which keep per-bucket totals without ports "
            "or pairs of addresses, so no detector can run over them."
        )


class ObjectUnavailable(Exception):
    """An ingested object can no longer be read as it was ingested."""


def _candidates(since: datetime, until: datetime | None) -> Iterable[IngestedObject]:
    """Return the objects that may contain records from `since` on.

    AWS delivers a log object after the records in it, so an object ingested before `since`
    contains no record from `since` on. NOTE: this assumes the ingesting host's clock is not
    behind the log timestamps.
    """
    objects = IngestedObject.objects.filter(
        ingested_at__gte=since, log_format__in=list(DETECTION_CONSUMERS)
    )
    return objects.order_by("ingested_at", "id").iterator()


def _object_detections(record: IngestedObject) -> list[Detection]:
    """Parse one ingested object again and return every detection of its windows."""
    source = _reopen(record)
    consumer = DETECTION_CONSUMERS[record.log_format]()
    parse = FORMATS[record.log_format].parse
    for batch in parse(decompressed(source.chunks()), source=source.name, stats=ParseStats()):
        consumer.add(batch)
    return consumer.detections()


def _reopen(record: IngestedObject) -> FileObject | S3Object:
    if record.kind == IngestedObject.Kind.S3:
        bucket, key = parse_s3_url(record.key)
        # IfMatch on the recorded ETag makes S3 reject an object rewritten since.
        return S3Object(aws.client("s3"), bucket, key, record.version)
    path = Path(record.key)
    if not path.is_file():
        raise ObjectUnavailable("the file is no longer on disk")
    source = FileObject(path)
    if source.version != record.version and source.content_sha256() != record.content_sha256:
        raise ObjectUnavailable("the file changed since it was ingested")
    return source


def _aware_datetime(raw: str) -> datetime:
    value = parse_datetime(raw)
    if value is None or value.tzinfo is None:
        # ArgumentTypeError keeps the message, where argparse would replace a ValueError's.
        raise argparse.ArgumentTypeError(
            f"{raw!r} is not an ISO 8601 time with a zone, such as 2026-03-02T00:00Z"
        )
    return value
