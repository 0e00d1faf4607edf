"""Denial of service in VPC flow logs: traffic far above a destination's baseline, SYN floods."""

from collections import defaultdict

import numpy as np

from threats.detectors.base import (
    DdosThresholds,
    Detection,
    Severity,
    ThreatType,
    epoch_to_datetime,
    fingerprint,
    severity_for,
    window_bounds,
)
from threats.detectors.flows import (
    AddressBook,
    Columns,
    FlowBatch,
    FlowDetector,
    concat,
    group_by,
    members,
    take,
)

_KEYS = ["window", "dst", "src"]
_SUMS = ("flows", "packets", "rejected", "syn", "tcp")
_TOP_SOURCES = 5


class DdosDetector(FlowDetector):
    """Decide that a destination is flooded: rate over its baseline from many sources, or SYN-only."""

    name = "ddos"
    version = "1"

    def __init__(
        self, thresholds: DdosThresholds | None = None, book: AddressBook | None = None
    ) -> None:
        self.thresholds = thresholds or DdosThresholds()
        super().__init__(self.thresholds.bucket_seconds, book)
        # Totals (window, dst, flows, packets) of recent buckets, kept between flushes as the
        # baseline of later buckets.
        self._history: Columns | None = None

    def _rows(self, batch: FlowBatch) -> Columns:
        return {
            "window": batch.windows(self.window_seconds),
            "dst": batch.dst,
            "src": batch.src,
            "flows": np.ones(len(batch), np.int64),
            "packets": batch.packets,
            "rejected": batch.rejected.astype(np.int64),
            "syn": batch.syn_only.astype(np.int64),
            "tcp": (batch.protocol == 6).astype(np.int64),
            "first": batch.start,
        }

    def _combine(self, table: Columns) -> Columns:
        grouped, _ = group_by(table, _KEYS, sums=_SUMS, mins=("first",))
        del grouped["rows"]
        return grouped

    def _evaluate(self, table: Columns) -> list[Detection]:
        per_destination, inverse = group_by(table, ["window", "dst"], sums=_SUMS, mins=("first",))
        current = {name: per_destination[name] for name in ("window", "dst", "flows", "packets")}
        history = current if self._history is None else concat([self._history, current])
        floods = self._floods(per_destination, history)
        syn_floods = self._syn_floods(per_destination)
        rows_of = members(inverse, [group for group, _ in floods + syn_floods])
        detections = [
            self._detection(per_destination, group, kind, self._top_sources(table, rows_of[group]))
            for group, kind in floods + syn_floods
        ]
        self._keep_recent(history)
        return detections

    def _floods(self, per_destination: Columns, history: Columns) -> list[tuple[int, dict]]:
        limits = self.thresholds
        loud = (per_destination["flows"] >= limits.rate_multiplier * limits.min_baseline_flows) | (
            per_destination["packets"] >= limits.rate_multiplier * limits.min_baseline_packets
        )
        candidates = np.flatnonzero(loud & (per_destination["rows"] >= limits.min_sources)).tolist()
        past = _history_by_destination(
            history, {int(per_destination["dst"][group]) for group in candidates}
        )
        floods = []
        for group in candidates:
            window, target = (
                int(per_destination["window"][group]),
                int(per_destination["dst"][group]),
            )
            flows_base, packets_base = self._baseline(past[target], window)
            ratio = max(
                per_destination["flows"][group] / flows_base,
                per_destination["packets"][group] / packets_base,
            )
            if ratio >= limits.rate_multiplier:
                floods.append(
                    (
                        group,
                        {
                            "kind": "volume",
                            "ratio": round(float(ratio), 1),
                            "baseline_flows": flows_base,
                            "baseline_packets": packets_base,
                        },
                    )
                )
        return floods

    def _baseline(self, past: dict[int, tuple[int, int]], window: int) -> tuple[float, float]:
        """Mean flows and packets over the previous buckets, floored at the configured minimum."""
        count = self.thresholds.baseline_buckets
        previous = [past.get(window - offset, (0, 0)) for offset in range(1, count + 1)]
        flows = sum(item[0] for item in previous) / count
        packets = sum(item[1] for item in previous) / count
        return max(flows, self.thresholds.min_baseline_flows), max(
            packets, self.thresholds.min_baseline_packets
        )

    def _syn_floods(self, per_destination: Columns) -> list[tuple[int, dict]]:
        limits = self.thresholds
        syn = per_destination["syn"]
        flooded = (syn >= limits.min_syn_flows) & (
            syn >= limits.min_syn_ratio * per_destination["tcp"]
        )
        return [(group, {"kind": "syn_flood"}) for group in np.flatnonzero(flooded).tolist()]

    def _top_sources(self, table: Columns, rows: np.ndarray) -> list[dict]:
        order = sorted(rows.tolist(), key=lambda row: -int(table["flows"][row]))[:_TOP_SOURCES]
        return [
            {
                "srcaddr": self.book.decode(int(table["src"][row])),
                "flows": int(table["flows"][row]),
                "packets": int(table["packets"][row]),
            }
            for row in order
        ]

    def _detection(
        self, per_destination: Columns, group: int, facts: dict, sources: list[dict]
    ) -> Detection:
        row = {name: int(values[group]) for name, values in per_destination.items()}
        target = self.book.decode(row["dst"])
        blocked = row["rejected"] == row["flows"]
        syn_flood = facts["kind"] == "syn_flood"
        # Ten times past the trigger ratio is an outage-level flood.
        huge = not syn_flood and facts["ratio"] >= 10 * self.thresholds.rate_multiplier
        base = Severity.CRITICAL if syn_flood or huge else Severity.HIGH
        return Detection(
            type=ThreatType.DDOS,
            severity=severity_for(base, blocked=blocked),
            source_ip=sources[0]["srcaddr"] if sources else None,
            destination_ip=target,
            description=self._describe(row, target, facts),
            blocked=blocked,
            detector=self.name,
            detector_version=self.version,
            confidence=0.8 if syn_flood else 0.7,
            evidence={
                **facts,
                **{name: row[name] for name in _SUMS},
                "distinct_sources": row["rows"],
                "top_sources": sources,
                "first_seen": epoch_to_datetime(row["first"]).isoformat(),
                **window_bounds(row["window"], self.window_seconds),
            },
            occurred_at=epoch_to_datetime(row["first"]),
            fingerprint=fingerprint(self.name, facts["kind"], target),
            features={
                "flows": row["flows"],
                "packets": row["packets"],
                "distinct_sources": row["rows"],
                "syn_ratio": row["syn"] / row["tcp"] if row["tcp"] else 0.0,
                "rejected_ratio": row["rejected"] / row["flows"],
                "baseline_ratio": facts.get("ratio", 0.0),
            },
        )

    def _describe(self, row: dict, target: str, facts: dict) -> str:
        if facts["kind"] == "syn_flood":
            return (
                f"SYN flood: {row['syn']} SYN-only flows to {target} in {self.window_seconds} s "
                f"from {row['rows']} sources ({row['syn'] / row['tcp']:.0%} of its TCP flows)"
            )
        return (
            f"Traffic flood: {row['flows']} flows and {row['packets']} packets to {target} in "
            f"{self.window_seconds} s from {row['rows']} sources, {facts['ratio']:.0f}x its baseline"
        )

    def _keep_recent(self, history: Columns) -> None:
        """Keep only the buckets that a later baseline can still use."""
        if not len(history["window"]):
            return
        recent = take(
            history,
            history["window"] > history["window"].max() - self.thresholds.baseline_buckets - 1,
        )
        grouped, _ = group_by(recent, ["window", "dst"], sums=("flows", "packets"))
        del grouped["rows"]
        self._history = grouped


def _history_by_destination(
    history: Columns, targets: set[int]
) -> dict[int, dict[int, tuple[int, int]]]:
    past: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    if not targets:
        return past
    for row in np.flatnonzero(np.isin(history["dst"], list(targets))).tolist():
        target, window = int(history["dst"][row]), int(history["window"][row])
        flows, packets = past[target].get(window, (0, 0))
        past[target][window] = (
            flows + int(history["flows"][row]),
            packets + int(history["packets"][row]),
        )
    return past
