"""Generate demo VPC Flow Logs, ALB access logs and Resolver query logs with embedded attacks."""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demodata.writer import MANIFEST_NAME, Options, generate

logger = logging.getLogger(__name__)

MAX_HOURS = 24 * 31


def parse_start(value: str | None) -> int:
    """Parse --start as ISO 8601 (UTC without an offset), defaulting to 00:00 UTC yesterday."""
    if value is None:
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        return int((today - timedelta(days=1)).timestamp())
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise CommandError(
            f"--start {value!r} is not an ISO 8601 time, for example 2026-12-03T00:00:00Z."
        ) from err
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.second or moment.microsecond:
        raise CommandError(f"--start {value!r} must fall on a whole minute.")
    return int(moment.timestamp())


def check_options(out: Path, hours: int, scale: float, overwrite: bool) -> None:
    """Raise CommandError for a span or scale out of range, or an output folder in use."""
    if not 1 <= hours <= MAX_HOURS:
        raise CommandError(f"--hours {hours} is out of range: use 1 to {MAX_HOURS}.")
    if scale <= 0:
        raise CommandError(f"--scale {scale} is invalid: use a number above 0, such as 0.5 or 10.")
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} exists and is not a folder.")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise CommandError(
            f"--out {out} is not empty: pass --overwrite to write over its "
            "files, or choose an empty folder."
        )


class Command(BaseCommand):
    help = (
        "Write a demo day of AWS logs for a small estate, as AWS delivers them to S3: VPC Flow "
        "Logs and ALB access logs (gzip, AWSLogs/<account>/<service>/<region>/YYYY/MM/DD/), "
        "Route 53 Resolver query logs (gzip JSON lines) and manifest.json, which lists each "
        "embedded attack (port scan, SSH and login brute force, SYN flood, beaconing, malware "
        "and phishing lookups, SQL injection, XSS) with its type, times and addresses. The "
        "same options and seed give byte-identical files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--out", required=True, type=Path, help="Folder to write into, created if missing."
        )
        parser.add_argument(
            "--start",
            help="First minute of the logs, ISO 8601, UTC unless an "
            "offset is given. Default: 00:00 UTC yesterday.",
        )
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help=f"Length of the logs in hours, 1 to {MAX_HOURS}. Default: 24.",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Factor on background volume. 1 gives about 140,000 flow "
            "records, 22,000 ALB lines and 8,000 DNS queries a day. The attacks "
            "keep their size. Default: 1.",
        )
        self._add_seed_and_file_arguments(parser)

    def _add_seed_and_file_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=1,
            help="Random seed. The same seed and options give identical files. Default: 1.",
        )
        parser.add_argument(
            "--file-minutes",
            type=int,
            choices=(5, 60),
            default=5,
            help="Minutes of logs per file. AWS delivers every 5 minutes, and 60 "
            "writes fewer, larger files. Default: 5.",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Write into a folder that is not empty, replacing files with the same names.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # call_command passes keyword options as given, so a str must become a Path here too.
        out = Path(options["out"])
        check_options(out, options["hours"], options["scale"], options["overwrite"])
        run = Options(
            out=out,
            start=parse_start(options["start"]),
            hours=options["hours"],
            scale=options["scale"],
            seed=options["seed"],
            file_minutes=options["file_minutes"],
        )

        out.mkdir(parents=True, exist_ok=True)
        manifest = generate(run)

        self._report(manifest, out)

    def _report(self, manifest: dict[str, Any], out: Path) -> None:
        for log, total in manifest["totals"].items():
            self.stdout.write(f"{log}: {total['records']} records in {total['files']} files")
        for attack in manifest["attacks"]:
            sources = attack["src"]
            origin = sources[0] if len(sources) == 1 else f"{len(sources)} sources"
            self.stdout.write(
                f"  {attack['start']}  {attack['type']:<13} {attack['id']} from {origin}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {manifest['start']} to {manifest['end']} into {out}; "
                f"attacks are listed in {out / MANIFEST_NAME}."
            )
        )
