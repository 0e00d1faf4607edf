"""Import `aws cloudwatch get-metric-data` output into the local metrics store."""

import json
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from metrics.datapoint_services import datapoints_upsert

QUERIES_SUFFIX = ".queries.json"


class Command(BaseCommand):
    help = (
        "Store the datapoints of `aws cloudwatch get-metric-data` output files for "
        "METRICS_SOURCE=local. Each result Id is looked up in the MetricDataQueries that "
        "produced it: by default FILE's sidecar NAME.queries.json, or the file given by --queries."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument(
            "--queries",
            type=Path,
            help="JSON file of the MetricDataQueries passed to get-metric-data "
            "(a list, or an object with a MetricDataQueries key), used for every FILE.",
        )

    def handle(self, *args, files: list[Path], queries: Path | None, **options):
        for path in files:
            queries_path = queries or path.with_name(
                path.name.removesuffix(".json") + QUERIES_SUFFIX
            )
            total, series_count = _file_import(path, queries_path)
            self.stdout.write(
                self.style.SUCCESS(f"{path}: stored {total} datapoints of {series_count} series.")
            )


@transaction.atomic
def _file_import(path: Path, queries_path: Path) -> tuple[int, int]:
    """Store every result of `path`, or nothing when one of them is invalid."""
    stats = _queries_load(queries_path)
    results = _results_load(path)
    batches = []
    for result in results:
        stat = stats.get(result.get("Id"))
        if stat is None:
            raise CommandError(
                f"{path}: result Id {result.get('Id')!r} has no MetricStat query in "
                f"{queries_path}; add the query that produced it."
            )
        batches.append((stat, _points(result, path)))

    total = 0
    for stat, points in batches:
        total += datapoints_upsert(**stat, points=points)
    return total, len(batches)


def _json_load(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"{path}: file not found.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise CommandError(f"{path}: not readable JSON ({err}).") from err


def _queries_load(path: Path) -> dict[str, dict]:
    """Return Id -> datapoints_upsert arguments for each MetricStat query in `path`."""
    document = _json_load(path)
    entries = document.get("MetricDataQueries") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise CommandError(f"{path}: expected a list of MetricDataQueries.")
    stats = {}
    for entry in entries:
        stat = entry.get("MetricStat") if isinstance(entry, dict) else None
        if not stat:
            continue  # metric math has no series of its own to store
        try:
            metric = stat["Metric"]
            stats[entry["Id"]] = {
                "namespace": metric["Namespace"],
                "metric": metric["MetricName"],
                "dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])},
                "statistic": stat["Stat"],
            }
        except (KeyError, TypeError) as err:
            raise CommandError(f"{path}: query {entry.get('Id')!r} lacks the field {err}.") from err
    return stats


def _results_load(path: Path) -> list[dict]:
    document = _json_load(path)
    results = document.get("MetricDataResults") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise CommandError(f"{path}: no MetricDataResults list; is it get-metric-data output?")
    return results


def _points(result: dict, path: Path) -> list[tuple[datetime, float]]:
    timestamps, values = result.get("Timestamps", []), result.get("Values", [])
    if len(timestamps) != len(values):
        raise CommandError(
            f"{path}: result Id {result['Id']!r} has {len(timestamps)} Timestamps but "
            f"{len(values)} Values."
        )
    try:
        return [
            (_timestamp(raw, path), float(value))
            for raw, value in zip(timestamps, values, strict=True)
        ]
    except (TypeError, ValueError):
        raise CommandError(f"{path}: result Id {result['Id']!r} has a non-numeric value.") from None


def _timestamp(raw: str | float, path: Path) -> datetime:
    """Parse an ISO 8601 string (AWS CLI v2's default) or epoch seconds (CLI v1 on some protocols)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return datetime.fromtimestamp(raw, tz=UTC)
    try:
        parsed = datetime.fromisoformat(raw)
    except (TypeError, ValueError):
        raise CommandError(f"{path}: invalid timestamp {raw!r}; expected ISO 8601.") from None
    # The AWS CLI prints UTC offsets; a timestamp without one is taken as UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
