"""Windowed threat detectors over VPC flow tables, ALB records and Resolver queries.

Pure Python and pyarrow, no Django: the ingest pipeline builds the detector sets below,
calls `observe(batch)` per parsed batch and `flush(watermark)` to collect `Detection`s.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from threats.detectors.base import (
    BruteForceThresholds,
    DdosThresholds,
    Detection,
    MalwareThresholds,
    PhishingThresholds,
    PortScanThresholds,
    Severity,
    ThreatType,
    WebAttackThresholds,
)
from threats.detectors.brute_force import BruteForceAlbDetector, BruteForceFlowDetector
from threats.detectors.ddos import DdosDetector
from threats.detectors.flows import FlowDetectorSet
from threats.detectors.malware import MalwareDnsDetector, MalwareFlowDetector
from threats.detectors.phishing import PhishingDnsDetector
from threats.detectors.port_scan import PortScanDetector
from threats.detectors.web_attacks import WebAttackDetector
from threats.detectors.windows import RecordDetector
from threats.intel import IntelFeed

__all__ = [
    "BruteForceAlbDetector",
    "BruteForceFlowDetector",
    "DdosDetector",
    "Detection",
    "DetectorThresholds",
    "FlowDetectorSet",
    "MalwareDnsDetector",
    "MalwareFlowDetector",
    "PhishingDnsDetector",
    "PortScanDetector",
    "Severity",
    "ThreatType",
    "WebAttackDetector",
    "alb_detectors",
    "flow_detectors",
    "resolver_detectors",
    "run_flow_detectors",
]


@dataclass(frozen=True)
class DetectorThresholds:
    """Every detector's thresholds in one object, for the settings module to fill."""

    port_scan: PortScanThresholds = field(default_factory=PortScanThresholds)
    brute_force: BruteForceThresholds = field(default_factory=BruteForceThresholds)
    ddos: DdosThresholds = field(default_factory=DdosThresholds)
    malware: MalwareThresholds = field(default_factory=MalwareThresholds)
    phishing: PhishingThresholds = field(default_factory=PhishingThresholds)
    web_attacks: WebAttackThresholds = field(default_factory=WebAttackThresholds)


def flow_detectors(
    thresholds: DetectorThresholds | None = None, *, ip_feeds: Sequence[IntelFeed] = ()
) -> FlowDetectorSet:
    """Build the detectors that take VPC flow tables, sharing one address encoding."""
    limits = thresholds or DetectorThresholds()
    detectors = [
        PortScanDetector(limits.port_scan),
        BruteForceFlowDetector(limits.brute_force),
        DdosDetector(limits.ddos),
    ]
    if ip_feeds:
        detectors.append(MalwareFlowDetector(ip_feeds, limits.malware))
    return FlowDetectorSet(detectors)


def alb_detectors(thresholds: DetectorThresholds | None = None) -> list[RecordDetector]:
    """Build the detectors that take ALB access log records."""
    limits = thresholds or DetectorThresholds()
    return [BruteForceAlbDetector(limits.brute_force), WebAttackDetector(limits.web_attacks)]


def resolver_detectors(
    thresholds: DetectorThresholds | None = None,
    *,
    malware_domain_feeds: Sequence[IntelFeed] = (),
    phishing_domain_feeds: Sequence[IntelFeed] = (),
) -> list[RecordDetector]:
    """Build the detectors that take Resolver queries; DNS Firewall verdicts need no list."""
    limits = thresholds or DetectorThresholds()
    detectors: list[RecordDetector] = [
        MalwareDnsDetector(malware_domain_feeds, limits.malware, other_feeds=phishing_domain_feeds)
    ]
    if phishing_domain_feeds:
        detectors.append(PhishingDnsDetector(phishing_domain_feeds, limits.phishing))
    return detectors


def run_flow_detectors(
    batches: pa.Table | Iterable[pa.Table], detectors: FlowDetectorSet | None = None
) -> list[Detection]:
    """Run flow detectors over one table or a series of batches and flush every window.

    Also the entry point for timing the detectors alone on a large table.
    """
    active = detectors if detectors is not None else flow_detectors()
    for batch in [batches] if isinstance(batches, pa.Table) else batches:
        active.observe(batch)
    return active.flush()
