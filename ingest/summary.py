"""Totals of one `manage.py ingest` run, as printed at its end."""

from collections import Counter
from dataclasses import dataclass, field

from ingest.pipeline import ObjectResult
from logparsers.common import ParseStats
from logparsers.vpc_flow import FORMAT_NAME as VPC_FLOW


@dataclass
class IngestSummary:
    """Objects by outcome and the parse counts of the ingested ones."""

    ingested: int = 0
    duplicates: int = 0
    unrecognised: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    stats: ParseStats = field(default_factory=ParseStats)
    objects_by_format: Counter[str] = field(default_factory=Counter)
    records_by_format: Counter[str] = field(default_factory=Counter)

    def add(self, result: ObjectResult) -> None:
        if result.status == "ingested":
            self.ingested += 1
            self.stats.merge(result.stats)
            self.objects_by_format[result.log_format] += 1
            self.records_by_format[result.log_format] += result.stats.records
        elif result.status == "duplicate":
            self.duplicates += 1
        else:
            self.unrecognised.append(result.name)

    def lines(self) -> list[str]:
        stats = self.stats
        lines = [f"objects ingested: {self.ingested:,}"]
        lines += [
            f"  {name}: {_counted(count, 'object')}, "
            f"{_counted(self.records_by_format[name], 'record')}"
            for name, count in sorted(self.objects_by_format.items())
        ]
        lines += [
            f"duplicate objects skipped: {self.duplicates:,}",
            f"records: {stats.records:,}",
        ]
        # Flows, NODATA and SKIPDATA exist only in VPC Flow Logs.
        if VPC_FLOW in self.objects_by_format:
            lines += [
                f"flows: {stats.flows:,}",
                f"NODATA records: {stats.nodata:,}",
                f"SKIPDATA records: {stats.skipdata:,}",
            ]
        lines.append(f"malformed lines: {stats.malformed:,}")
        lines += [f"  {m.source} line {m.line}: {m.reason}" for m in stats.malformed_examples]
        if self.unrecognised:
            lines.append(f"objects in no known format: {len(self.unrecognised):,}")
            lines += [f"  {name}" for name in self.unrecognised[:20]]
        if self.failed:
            lines.append(f"objects failed: {len(self.failed):,}")
            lines += [f"  {reason}" for reason in self.failed[:20]]
        return lines


def _counted(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
