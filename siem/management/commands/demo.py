"""`manage.py demo`: set up, or reset, a demo on the configured database."""

import logging
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from metrics.flows.selectors import rollup_vpc_stats
from metrics.timeranges import TIME_RANGES
from siem.demo import default_logs_dir, demo_dir
from siem.demo.account import DEMO_EMAIL, demo_analyst_ensure, demo_password_get_or_create
from siem.demo.logs import demo_logs_ensure, demo_logs_ingest, manifest_read, manifest_span
from siem.demo.metrics import KindOutcome, demo_metrics_ensure
from siem.demo.reset import ResetResult, demo_reset
from threats.models import SecurityEvent
from threats.selectors import event_classification_counts

logger = logging.getLogger(__name__)

SAMPLE_EVENTS = 300
SAMPLE_SEED = 7


class Command(BaseCommand):
    help = (
        "Set up a demo on the configured database: a staff account in the Analysts group, a "
        "generated day of AWS logs ingested with the bundled demo threat-intel lists, and local "
        "metric datapoints. Running it again reuses all of them and adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--logs-dir",
            type=Path,
            help="Folder of the generated logs. Default: var/demo/logs under the project.",
        )
        parser.add_argument(
            "--skip-generate",
            action="store_true",
            help="Generate no logs, and ingest only what the logs folder already contains.",
        )
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            help="Hours of logs to generate, ending at the last five-minute boundary. "
            "Used only when the logs folder has no logs yet. Default: 24.",
        )
        self._add_mode_arguments(parser)

    def _add_mode_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--samples",
            action="store_true",
            help=f"Also store {SAMPLE_EVENTS} sample events from seed_events (flagged is_sample), "
            "in place of earlier samples.",
        )
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:5000",
            help="Address the server listens on, used in the printed URLs. "
            "Default: http://127.0.0.1:5000.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo account, demo metrics, sample events, and the generated logs "
            "with the records ingested from them. Other data stays.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "demo is for development only: it creates an account and prints its password. "
                "Unset SIEM_ENV=production, or use a development database."
            )
        logs_dir = Path(options["logs_dir"] or default_logs_dir())
        if options["reset"]:
            result = demo_reset(
                logs_dir=logs_dir,
                state_dir=demo_dir(),
                owned_logs_dir=options["logs_dir"] is None,
            )
            self._write_reset(result, logs_dir)
            return

        started = time.monotonic()
        password, _ = demo_password_get_or_create(demo_dir())
        _, user_created = demo_analyst_ensure(password=password)
        self._prepare_data(logs_dir, options)
        self._write_summary(options["url"], password, user_created)
        self.stdout.write(f"Demo ready in {time.monotonic() - started:.1f} s.")

    def _prepare_data(self, logs_dir: Path, options: dict[str, Any]) -> None:
        now = timezone.now()
        if not options["skip_generate"]:
            self._ensure_logs(logs_dir, options["hours"], now)
        if (logs_dir / "AWSLogs").is_dir():
            self.stdout.write(self.style.MIGRATE_HEADING("Ingesting the demo logs"))
            demo_logs_ingest(logs_dir, stdout=self.stdout)
        else:
            self.stdout.write(self.style.WARNING(f"No logs to ingest in {logs_dir}."))

        manifest = manifest_read(logs_dir)
        span = manifest_span(manifest) if manifest else None
        self._write_metrics(demo_metrics_ensure(now=now, logs_span=span))
        if settings.METRICS_SOURCE != "local":
            self.stdout.write(
                self.style.WARNING(
                    f"METRICS_SOURCE is {settings.METRICS_SOURCE}, so the metrics endpoints read "
                    "AWS and not these datapoints. Set METRICS_SOURCE=local to chart them."
                )
            )
        if options["samples"]:
            call_command(
                "seed_events",
                clear=True,
                count=SAMPLE_EVENTS,
                days=1,
                seed=SAMPLE_SEED,
                verbosity=0,
            )
            self.stdout.write(f"Stored {SAMPLE_EVENTS} sample events.")

    def _ensure_logs(self, logs_dir: Path, hours: int, now: datetime) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("Demo logs"))
        manifest, generated = demo_logs_ensure(logs_dir, hours=hours, now=now, stdout=self.stdout)
        if not generated:
            self.stdout.write(
                f"Reusing the logs in {logs_dir}, {manifest['start']} to {manifest['end']}, "
                "generated by an earlier run. `manage.py demo --reset` deletes them, and the next "
                "run generates a day that ends now."
            )

    def _write_metrics(self, outcomes: list[KindOutcome]) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("Local metrics"))
        for outcome in outcomes:
            origin = "seed_demo's points" if outcome.seeded else "from ingest or import_metrics"
            names = ", ".join(outcome.resources)
            line = f"  /api/metrics/{outcome.kind}: {names} ({origin})"
            if len(outcome.resources) > 1:
                line += ": several resources, so choose one with ?resource=NAME"
            self.stdout.write(line)

    def _write_summary(self, url: str, password: str, user_created: bool) -> None:
        now = timezone.now()
        # The same windows as /api/metrics/vpc and /api/threats/classifications with 24h.
        flow_start, flow_end = TIME_RANGES["24h"].aligned_window(now)
        flows = rollup_vpc_stats(start=flow_start, end=flow_end)
        counts = event_classification_counts(start=now - timedelta(hours=24), end=now)
        detected = SecurityEvent.objects.filter(is_sample=False).count()
        base = url.rstrip("/")

        self.stdout.write(self.style.MIGRATE_HEADING("Data in the last 24 hours"))
        self.stdout.write(f"  VPC flows: {flows['total_flows']:,}")
        self.stdout.write(f"  security events by type: {counts}")
        self.stdout.write(f"  detected events (all time, samples left out): {detected:,}")

        state = "created" if user_created else "existing"
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo analyst account ({state})"))
        self.stdout.write(f"  email:    {DEMO_EMAIL}")
        self.stdout.write(f"  password: {password}")
        self.stdout.write(f"  admin:    {base}/admin/")
        self.stdout.write(f"  API base: {base}/api/")
        self.stdout.write(self.style.SUCCESS("Log in with POST /api/login; see README.md."))

    def _write_reset(self, result: ResetResult, logs_dir: Path) -> None:
        self.stdout.write(f"Deleted demo accounts: {result.accounts}")
        self.stdout.write(f"Deleted demo metric series: {result.metric_series}")
        self.stdout.write(f"Deleted sample events: {result.sample_events}")
        self.stdout.write(f"Deleted detections from the demo logs: {result.detections}")
        self.stdout.write(f"Deleted ingest checkpoints of the demo logs: {result.ingested_objects}")
        if result.rollups_deleted:
            self.stdout.write("Deleted the VPC flow rollups.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Kept the VPC flow rollups: other ingested logs contributed to them, and "
                    "rollups do not record which file each flow came from."
                )
            )
        if result.logs_deleted:
            self.stdout.write(f"Deleted {logs_dir}.")
        self.stdout.write(self.style.SUCCESS("Demo reset finished."))
