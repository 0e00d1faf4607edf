"""Brute force: repeated connections to login ports (flows), repeated failed logins (ALB)."""

import re
from urllib.parse import urlsplit

import numpy as np

from logparsers.alb import AlbRecord
from threats.detectors.base import (
    BruteForceThresholds,
    Detection,
    Severity,
    ThreatType,
    epoch_to_datetime,
    fingerprint,
    flow_totals,
    severity_for,
    window_bounds,
)
from threats.detectors.flows import AddressBook, Columns, FlowBatch, FlowDetector, group_by
from threats.detectors.windows import Hit, HitGroup, RecordDetector

SERVICE_NAMES = {
    21: "FTP",
    22: "SSH",
    23: "Telnet",
    3389: "RDP",
    5900: "VNC",
    5985: "WinRM",
    5986: "WinRM",
}
# Path segments of common sign-in endpoints (web forms, WordPress, OAuth token endpoints).
LOGIN_PATH = re.compile(
    r"/(login|log-in|logon|signin|sign-in|sign_in|auth|authenticate|session|sessions|"
    r"token|wp-login\.php|xmlrpc\.php|j_security_check)(/|$|\.)",
    re.IGNORECASE,
)
FAILED_LOGIN_STATUSES = frozenset({401, 403})
_KEYS = ["window", "src", "dst", "dstport"]


class BruteForceFlowDetector(FlowDetector):
    """Decide that a source guesses passwords: many connections to one login port of one host."""

    name = "brute_force"
    version = "1"

    def __init__(
        self, thresholds: BruteForceThresholds | None = None, book: AddressBook | None = None
    ) -> None:
        self.thresholds = thresholds or BruteForceThresholds()
        super().__init__(self.thresholds.window_seconds, book)

    def _rows(self, batch: FlowBatch) -> Columns:
        ports = np.array(self.thresholds.login_ports, dtype=np.int64)
        # Replies from a login port (srcport 22 to an ephemeral port) are the server's side.
        keep = (
            (batch.protocol == 6) & np.isin(batch.dstport, ports) & ~np.isin(batch.srcport, ports)
        )
        rows = batch.select(keep)
        return {
            "window": rows.windows(self.window_seconds),
            "src": rows.src,
            "dst": rows.dst,
            "dstport": rows.dstport,
            "flows": np.ones(len(rows), np.int64),
            "rejected": rows.rejected.astype(np.int64),
            "first": rows.start,
            "last": rows.start,
        }

    def _combine(self, table: Columns) -> Columns:
        if not len(table["window"]):
            return table
        grouped, _ = group_by(
            table, _KEYS, sums=("flows", "rejected"), mins=("first",), maxs=("last",)
        )
        del grouped["rows"]
        return grouped

    def _evaluate(self, table: Columns) -> list[Detection]:
        hits = np.flatnonzero(table["flows"] >= self.thresholds.min_flow_attempts)
        return [
            self._detection({name: int(values[row]) for name, values in table.items()})
            for row in hits
        ]

    def _detection(self, row: dict) -> Detection:
        source, target = self.book.decode(row["src"]), self.book.decode(row["dst"])
        service = SERVICE_NAMES.get(row["dstport"], f"port {row['dstport']}")
        blocked = row["rejected"] == row["flows"]
        return Detection(
            type=ThreatType.BRUTE_FORCE,
            severity=severity_for(Severity.HIGH, blocked=blocked),
            source_ip=source,
            destination_ip=target,
            description=(
                f"{row['flows']} {service} connection attempts from {source} to {target} "
                f"within {self.window_seconds // 60} minutes"
                + (" (all rejected)" if blocked else "")
            ),
            blocked=blocked,
            detector=self.name,
            detector_version=self.version,
            confidence=0.7,
            evidence={
                "dstport": row["dstport"],
                "service": service,
                **flow_totals(row, self.window_seconds),
            },
            occurred_at=epoch_to_datetime(row["first"]),
            fingerprint=fingerprint(self.name, source, target, row["dstport"]),
            features={
                "flows": row["flows"],
                "rejected_ratio": row["rejected"] / row["flows"],
                "duration_seconds": row["last"] - row["first"],
            },
        )


class BruteForceAlbDetector(RecordDetector):
    """Decide that a client guesses passwords: many 401/403 responses to login paths on one ALB."""

    name = "brute_force"
    version = "1"
    source_type = "alb"

    def __init__(self, thresholds: BruteForceThresholds | None = None) -> None:
        self.thresholds = thresholds or BruteForceThresholds()
        super().__init__(self.thresholds.window_seconds)

    def _hits(self, record: AlbRecord):
        status = record.target_status_code or record.elb_status_code
        if status not in FAILED_LOGIN_STATUSES or not record.client_ip or not record.url:
            return
        path = urlsplit(record.url).path
        if not LOGIN_PATH.search(path):
            return
        # The load balancer (or AWS WAF) returned 403 itself, so the attempt never reached a target.
        blocked = record.elb_status_code == 403 and record.target_status_code is None
        yield Hit(
            key=(record.client_ip, record.domain_name or record.elb),
            time=record.request_creation_time or record.time,
            blocked=blocked,
            sample={
                "line": record.line_number,
                "method": record.method,
                "url": record.url,
                "status": status,
            },
            tallies={"status": str(status), "path": path},
        )

    def _detection(self, group: HitGroup) -> Detection | None:
        if group.count < self.thresholds.min_http_failures:
            return None
        client, site = group.key
        blocked = group.blocked == group.count
        return Detection(
            type=ThreatType.BRUTE_FORCE,
            severity=severity_for(Severity.HIGH, blocked=blocked),
            source_ip=client,
            destination_ip=None,
            description=(
                f"{group.count} failed logins (HTTP 401/403) from {client} on {site} "
                f"within {self.window_seconds // 60} minutes"
            ),
            blocked=blocked,
            detector=self.name,
            detector_version=self.version,
            confidence=0.8,
            evidence={
                "site": site,
                "failures": group.count,
                "statuses": dict(group.tallies.get("status", {})),
                "paths": dict(group.tallies.get("path", {}).most_common(5)),
                "samples": group.samples,
                "first_seen": group.first_seen.isoformat(),
                "last_seen": group.last_seen.isoformat(),
                **window_bounds(group.window, self.window_seconds),
            },
            occurred_at=group.first_seen,
            fingerprint=fingerprint(self.name, "alb", client, site),
            features={
                "requests": group.count,
                "rejected_ratio": group.blocked / group.count,
                "duration_seconds": (group.last_seen - group.first_seen).total_seconds(),
            },
        )
