"""`manage.py ingest SOURCE...`: read log sources and feed the statistics and detectors."""

import logging
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from ingest.pipeline import AUTO, FORMATS, ingest_object
from ingest.progress import IngestProgress
from ingest.sources import source_objects
from ingest.summary import IngestSummary
from siem.aws import AwsError

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Ingest VPC Flow Logs, ALB access logs or Route 53 Resolver query logs from local "
        "files, folders or globs (plain or gzip), s3://bucket/prefix, or logs://log-group-name. "
        "Objects ingested before are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("sources", nargs="+", metavar="SOURCE")
        parser.add_argument(
            "--format",
            default=AUTO,
            choices=[AUTO, *FORMATS],
            help="Log format of every object: vpc-flow, alb (ALB access logs) or "
            "route53-resolver (Resolver query logs). 'auto' detects it per object (default).",
        )
        parser.add_argument(
            "--since",
            type=_aware_datetime,
            help="ISO 8601 time to start reading CloudWatch Logs groups from; "
            "default: the oldest stream checkpoint of the group.",
        )

    def handle(self, *args, **options) -> None:
        progress = IngestProgress(self.stdout, is_terminal=self.stdout.isatty())
        summary = IngestSummary()
        logger.info(
            "ingest started: %d sources, format %s", len(options["sources"]), options["format"]
        )
        for spec in options["sources"]:
            self._ingest_source(spec, options, progress, summary)
        progress.finish()
        self._write_summary(summary, progress)
        if summary.failed:
            raise CommandError(f"{len(summary.failed)} objects failed; rerun to retry them.")

    def _ingest_source(
        self, spec: str, options: dict, progress: IngestProgress, summary: IngestSummary
    ) -> None:
        try:
            for source in source_objects(spec, since=options["since"]):
                try:
                    result = ingest_object(
                        source, format_name=options["format"], on_records=progress.add_records
                    )
                except (AwsError, OSError) as err:
                    logger.error("ingest of %s failed: %s", source.name, err)
                    summary.failed.append(f"{source.name}: {err}")
                    continue
                summary.add(result)
                progress.object_done()
        except (AwsError, OSError, ValueError) as err:
            logger.error("reading source %s failed: %s", spec, err)
            summary.failed.append(f"{spec}: {err}")

    def _write_summary(self, summary: IngestSummary, progress: IngestProgress) -> None:
        logger.info(
            "ingest finished: %d objects ingested, %d duplicates, %d records, %d malformed",
            summary.ingested, summary.duplicates, summary.stats.records, summary.stats.malformed,
        )  # fmt: skip
        self.stdout.write(self.style.SUCCESS("Ingest finished"))
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(f"rate: {progress.rate():,.0f} records/s")


def _aware_datetime(raw: str) -> datetime:
    value = parse_datetime(raw)
    if value is None or value.tzinfo is None:
        raise ValueError(f"{raw!r} is not an ISO 8601 time with a zone, such as 2026-01-31T00:00Z")
    return value
