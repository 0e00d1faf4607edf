"""Detection results, thresholds and the two windowed detector bases (flow tables, log records).

Windows are fixed, epoch-aligned spans of event time (flow `start`, ALB request time, DNS
query time), never wall-clock time, so running the detectors again over the same records
gives the same detections.
"""

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

# How many example records a detection carries in its evidence.
MAX_SAMPLES = 5


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    def lowered(self) -> "Severity":
        """Return the next lower level (LOW stays LOW)."""
        order = list(Severity)
        return order[max(order.index(self) - 1, 0)]


class ThreatType(StrEnum):
    """Detection types: the dashboard's six classes plus port_scan (reconnaissance)."""

    MALWARE = "malware"
    PHISHING = "phishing"
    DDOS = "ddos"
    BRUTE_FORCE = "brute_force"
    SQL_INJECTION = "sql_injection"
    XSS = "xss"
    PORT_SCAN = "port_scan"


@dataclass(frozen=True)
class Detection:
    """One threat found in a window, ready to be stored as a security event."""

    type: str
    severity: Severity
    source_ip: str | None
    destination_ip: str | None
    description: str
    blocked: bool
    detector: str
    detector_version: str
    confidence: float
    evidence: dict[str, Any]
    occurred_at: datetime
    fingerprint: str
    # Numeric features for the optional classifier, named as in threats.classifier.FEATURE_NAMES.
    features: dict[str, float] = field(default_factory=dict)


def fingerprint(*parts: object) -> str:
    """Hash the parts that identify a threat. Time is left out, so repeats share one value."""
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def epoch_to_datetime(seconds: int | float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


def window_index(moment: datetime, window_seconds: int) -> int:
    return int(moment.timestamp()) // window_seconds


def window_bounds(index: int, window_seconds: int) -> dict[str, str]:
    start = epoch_to_datetime(index * window_seconds)
    end = epoch_to_datetime((index + 1) * window_seconds)
    return {"window_start": start.isoformat(), "window_end": end.isoformat()}


def ready_before(watermark: datetime | None, window_seconds: int) -> int | None:
    """Return the first window index that is not yet closed at `watermark` (None: all are)."""
    if watermark is None:
        return None
    return int(watermark.timestamp()) // window_seconds


def with_log_source(detections: list[Detection], log_source: str) -> list[Detection]:
    """Record which kind of log (vpc_flow, alb, resolver) each detection came from."""
    return [
        replace(found, evidence={**found.evidence, "log_source": log_source})
        for found in detections
    ]


def flow_totals(row: dict, window_seconds: int) -> dict[str, Any]:
    """Evidence shared by flow detections: counts, first and last flow start, the window."""
    return {
        "flows": row["flows"],
        "rejected_flows": row["rejected"],
        "first_seen": epoch_to_datetime(row["first"]).isoformat(),
        "last_seen": epoch_to_datetime(row["last"]).isoformat(),
        **window_bounds(row["window"], window_seconds),
    }


def severity_for(base: Severity, *, blocked: bool) -> Severity:
    """Lower the severity one level when the traffic was stopped."""
    return base.lowered() if blocked else base


# Threshold defaults. Each is an estimate to tune per network, not a measured optimum, and
# the settings module can override every field from the environment.


@dataclass(frozen=True)
class PortScanThresholds:
    window_seconds: int = 300
    # nmap's default scan covers the 1,000 most common ports, and masscan-style sweeps far
    # more; ordinary clients talk to a handful of ports on one server.
    min_distinct_ports: int = 50
    # One port on this many hosts in the window is a sweep (for example SSH or SMB worms).
    # Only hosts where each of the source's flows to that port was REJECT or SYN-only count,
    # because a busy client reaches one service on many servers and completes its handshakes.
    min_distinct_hosts: int = 50
    # Flows from a port at or below this one to a higher port are server replies, whose
    # destination ports are the clients' ephemeral ports, so they are not counted.
    service_port_max: int = 1023
    # Flows from a lower port to a port at or above this one are server replies as well (an
    # application on 8080 answering a load balancer), because Linux picks client ports from
    # 32768 up and Windows from 49152. Probes of only such high ports go uncounted.
    ephemeral_port_min: int = 32768


@dataclass(frozen=True)
class BruteForceThresholds:
    window_seconds: int = 300
    # Interactive logins and automation (scp, Ansible) open a few to a few tens of connections
    # per server in five minutes; password-guessing tools open hundreds.
    min_flow_attempts: int = 30
    # SSH, Telnet, FTP, RDP, VNC and WinRM. Database ports are left out because connection
    # pools open many connections legitimately.
    login_ports: tuple[int, ...] = (21, 22, 23, 3389, 5900, 5985, 5986)
    # 401/403 responses to login paths from one client. A user who mistypes a password
    # gets a few.
    min_http_failures: int = 20


@dataclass(frozen=True)
class DdosThresholds:
    bucket_seconds: int = 60
    # The baseline is the mean of the destination's previous buckets (missing buckets count 0).
    baseline_buckets: int = 10
    rate_multiplier: float = 10.0
    # Floors for the baseline, so a quiet destination must still see 10x these rates.
    min_baseline_flows: int = 100
    min_baseline_packets: int = 10_000
    min_sources: int = 50
    # SYN-only flows (tcp-flags == 2: the handshake never completed) per bucket and their
    # share of the destination's TCP flows.
    min_syn_flows: int = 500
    min_syn_ratio: float = 0.8


@dataclass(frozen=True)
class MalwareThresholds:
    # Contact with a listed address or domain is reported at most once per pair and window.
    window_seconds: int = 3600
    min_flows: int = 1
    min_queries: int = 1


@dataclass(frozen=True)
class PhishingThresholds:
    window_seconds: int = 3600
    min_queries: int = 1


@dataclass(frozen=True)
class WebAttackThresholds:
    window_seconds: int = 300
    min_requests: int = 1
    # URL-decoding passes, enough for double and triple encoding (%25253C).
    max_decode_passes: int = 3
