"""Port scans in VPC flow logs: many ports on one host, or one port on many hosts.

A sweep of one port counts only the hosts that completed no connection with the source.
"""

import numpy as np

from threats.detectors.base import (
    Detection,
    PortScanThresholds,
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
    group_by,
    members,
    take,
)

_KEYS = ["window", "src", "dst", "dstport"]
_SUMS = ("flows", "rejected", "unanswered")
# How many ports or hosts the evidence lists.
_SAMPLE_SIZE = 20


class PortScanDetector(FlowDetector):
    """Decide that a source scans: distinct destination ports per host, or hosts per port."""

    name = "port_scan"
    # Version 2 counts a host toward a sweep only when every attempt to it went unanswered.
    version = "2"

    def __init__(
        self, thresholds: PortScanThresholds | None = None, book: AddressBook | None = None
    ) -> None:
        self.thresholds = thresholds or PortScanThresholds()
        super().__init__(self.thresholds.window_seconds, book)

    def _rows(self, batch: FlowBatch) -> Columns:
        service_max = self.thresholds.service_port_max
        is_reply = (
            (batch.srcport >= 0) & (batch.srcport <= service_max) & (batch.dstport > service_max)
        ) | (
            (batch.srcport >= 0)
            & (batch.srcport < batch.dstport)
            & (batch.dstport >= self.thresholds.ephemeral_port_min)
        )
        keep = ((batch.protocol == 6) | (batch.protocol == 17)) & (batch.dstport >= 0) & ~is_reply
        rows = batch.select(keep)
        columns = {
            "window": rows.windows(self.window_seconds),
            "src": rows.src,
            "dst": rows.dst,
            "dstport": rows.dstport,
            "flows": np.ones(len(rows), np.int64),
            "rejected": rows.rejected.astype(np.int64),
            # A REJECT or a lone SYN (tcp-flags 2) got no handshake, so it was an attempt only.
            # NOTE: without tcp-flags every ACCEPTed flow counts as a completed connection, so a
            # sweep that security groups let through is found only where tcp-flags is logged.
            "unanswered": (rows.rejected | rows.syn_only).astype(np.int64),
            "first": rows.start,
            "last": rows.start,
        }
        return columns

    def _combine(self, table: Columns) -> Columns:
        grouped, _ = group_by(table, _KEYS, sums=_SUMS, mins=("first",), maxs=("last",))
        del grouped["rows"]
        return grouped

    def _evaluate(self, table: Columns) -> list[Detection]:
        limits = self.thresholds
        vertical = _spread(table, ["window", "src", "dst"], "dstport", limits.min_distinct_ports)
        horizontal = _spread(
            _unanswered_hosts(table), ["window", "src", "dstport"], "dst", limits.min_distinct_hosts
        )
        return [self._vertical(group) for group in vertical] + [
            self._horizontal(group) for group in horizontal
        ]

    def _vertical(self, group: dict) -> Detection:
        source, target = self.book.decode(group["src"]), self.book.decode(group["dst"])
        ports = sorted(int(port) for port in group["spread"])
        evidence = {"distinct_ports": len(ports), "ports_sample": ports[:_SAMPLE_SIZE]}
        summary = f"{source} probed {len(ports)} ports on {target}"
        return self._detection(
            group, "vertical", target, summary, evidence, self.thresholds.min_distinct_ports
        )

    def _horizontal(self, group: dict) -> Detection:
        hosts = sorted(self.book.decode(code) for code in group["spread"])
        port = int(group["dstport"])
        evidence = {
            "dstport": port,
            "distinct_hosts": len(hosts),
            "hosts_sample": hosts[:_SAMPLE_SIZE],
        }
        source = self.book.decode(group["src"])
        summary = f"{source} probed port {port} on {len(hosts)} hosts with no completed handshake"
        return self._detection(
            group, "horizontal", None, summary, evidence, self.thresholds.min_distinct_hosts
        )

    def _detection(
        self, group: dict, scan: str, target: str | None, summary: str, evidence: dict, minimum: int
    ) -> Detection:
        source = self.book.decode(group["src"])
        flows, rejected = int(group["flows"]), int(group["rejected"])
        blocked = rejected == flows
        # Four times the threshold is a broad sweep rather than a probe of a few services.
        base = Severity.HIGH if len(group["spread"]) >= 4 * minimum else Severity.MEDIUM
        first, last = int(group["first"]), int(group["last"])
        return Detection(
            type=ThreatType.PORT_SCAN,
            severity=severity_for(base, blocked=blocked),
            source_ip=source,
            destination_ip=target,
            description=f"Port scan: {summary} within {self.window_seconds // 60} minutes"
            + (" (all rejected)" if blocked else ""),
            blocked=blocked,
            detector=self.name,
            detector_version=self.version,
            confidence=0.8,
            evidence={
                "scan": scan,
                **evidence,
                "flows": flows,
                "rejected_flows": rejected,
                "first_seen": epoch_to_datetime(first).isoformat(),
                "last_seen": epoch_to_datetime(last).isoformat(),
                **window_bounds(int(group["window"]), self.window_seconds),
            },
            occurred_at=epoch_to_datetime(first),
            fingerprint=fingerprint(self.name, scan, source, target or evidence.get("dstport")),
            features={
                "flows": flows,
                "distinct_ports": evidence.get("distinct_ports", 1),
                "distinct_hosts": evidence.get("distinct_hosts", 1),
                "rejected_ratio": rejected / flows,
                "duration_seconds": last - first,
            },
        )


def _unanswered_hosts(table: Columns) -> Columns:
    """Keep the (window, src, dst, dstport) rows whose flows were all unanswered attempts.

    A busy client reaches one service port on many servers, and those servers accept it. A
    sweep mostly hits hosts that drop or ignore it. A host that completed one connection with
    the source on that port in the window is a service in use, so it does not count.
    """
    return take(table, table["unanswered"] == table["flows"])


def _spread(table: Columns, keys: list[str], counted: str, minimum: int) -> list[dict]:
    """Return groups of `keys` with at least `minimum` distinct `counted` values, with those values.

    The table has one row per distinct (window, src, dst, dstport), so the number of rows in
    a group is its number of distinct `counted` values.
    """
    grouped, inverse = group_by(table, keys, sums=_SUMS, mins=("first",), maxs=("last",))
    hits = np.flatnonzero(grouped["rows"] >= minimum)
    rows_of = members(inverse, hits.tolist())
    return [
        {
            **{name: values[group] for name, values in grouped.items()},
            "spread": table[counted][rows_of[group]],
        }
        for group in hits.tolist()
    ]
