"""Fill the database with sample security events for demonstrations and benchmarks."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from threats.samples import sample_events
from threats.services import events_samples_delete, events_samples_insert

DEFAULT_COUNT = 1000


class Command(BaseCommand):
    help = (
        "Insert sample security events, flagged as samples in the admin and the API, with a "
        "realistic mix of types and bursts. --clear deletes only sample events."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--count",
            type=int,
            help=f"Number of events to insert (default {DEFAULT_COUNT}, or 0 with --clear).",
        )
        parser.add_argument(
            "--days", type=float, default=7.0, help="Spread the events over this many days back."
        )
        parser.add_argument(
            "--seed", type=int, help="Random seed: the same seed inserts the same events."
        )
        parser.add_argument(
            "--clear", action="store_true", help="Delete existing sample events first."
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Rows per INSERT (default 5000)."
        )

    def handle(self, *args, **options) -> None:
        count = options["count"]
        if count is None:
            count = 0 if options["clear"] else DEFAULT_COUNT
        self._validate(count=count, days=options["days"], batch_size=options["batch_size"])

        if options["clear"]:
            deleted = events_samples_delete(batch_size=options["batch_size"])
            self.stdout.write(f"Deleted {deleted} sample events.")
        if count:
            self._insert(count, options)

    def _validate(self, *, count: int, days: float, batch_size: int) -> None:
        if count < 0:
            raise CommandError(f"--count={count} is invalid: use 0 or more.")
        if days <= 0:
            raise CommandError(f"--days={days} is invalid: use a number of days above 0.")
        if batch_size < 1:
            raise CommandError(f"--batch-size={batch_size} is invalid: use 1 or more.")

    def _insert(self, count: int, options: dict) -> None:
        # Whole minutes, so the same --seed inserts identical rows within the same minute.
        end = timezone.now().replace(second=0, microsecond=0)
        events = sample_events(count=count, days=options["days"], end=end, seed=options["seed"])
        started = timezone.now()

        def report(total: int) -> None:
            self.stdout.write(f"  {total}/{count} events inserted")

        inserted = events_samples_insert(
            events=events, batch_size=options["batch_size"], on_batch=report
        )
        seconds = (timezone.now() - started) / timedelta(seconds=1)
        self.stdout.write(
            self.style.SUCCESS(f"Inserted {inserted} sample events in {seconds:.1f} s.")
        )
