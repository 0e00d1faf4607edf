"""Write the demo metrics set into the local metrics store."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from metrics.cloudwatch.demo import DEMO_SERIES, demo_moments, demo_points
from metrics.datapoint_services import datapoints_upsert, demo_series_delete
from metrics.models import MetricSeries


class Command(BaseCommand):
    help = (
        "Store demo CloudWatch-shaped datapoints (five-minute points with a daily pattern) for "
        "resources named siem-demo-*, so METRICS_SOURCE=local shows charts without AWS. "
        "Running it again refreshes the same points and adds the newest ones."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=7, help="Days of history to write, ending now (default 7)."
        )
        parser.add_argument(
            "--delete", action="store_true", help="Delete the demo series instead of writing them."
        )

    def handle(self, *args, days: int, delete: bool, **options):
        if delete:
            deleted = demo_series_delete()
            self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} demo series."))
            return

        moments = demo_moments(timezone.now(), max(days, 1))
        total = 0
        for series in DEMO_SERIES:
            total += datapoints_upsert(
                namespace=series.namespace,
                metric=series.metric,
                dimensions=series.dimensions,
                statistic=series.statistic,
                points=demo_points(series, moments),
                origin=MetricSeries.Origin.DEMO,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {total} demo datapoints in {len(DEMO_SERIES)} series "
                f"from {moments[0].isoformat()} to {moments[-1].isoformat()}."
            )
        )
