"""Shared base for detectors that match Resolver queries against domain lists."""

from collections.abc import Iterable, Sequence
from typing import Any

from logparsers.resolver import ResolverQuery
from threats.detectors.base import (
    Detection,
    Severity,
    fingerprint,
    severity_for,
    window_bounds,
)
from threats.detectors.windows import Hit, HitGroup, RecordDetector
from threats.intel import IntelFeed, IntelMatch

ADDRESS_TYPES = frozenset({"A", "AAAA"})


class DomainListDetector(RecordDetector):
    """Base: one hit per query whose name, or a parent domain, is on one of the feeds."""

    source_type = "resolver"
    threat_type: str
    list_label: str
    confidence = 0.9

    def __init__(self, feeds: Sequence[IntelFeed], window_seconds: int, min_queries: int) -> None:
        super().__init__(window_seconds)
        self.feeds = list(feeds)
        self.min_queries = min_queries

    def observe(self, records: Iterable[ResolverQuery], *, source: str | None = None) -> None:
        """Reload changed list files, then add the queries to the open windows."""
        for feed in self.feeds:
            feed.refresh()
        super().observe(records, source=source)

    def find(self, query: ResolverQuery) -> IntelMatch | None:
        for feed in self.feeds:
            match = feed.find_domain(query.domain)
            if match:
                return match
        return None

    def _hits(self, record: ResolverQuery) -> Iterable[Hit]:
        match = self.find(record)
        if match:
            yield list_hit(record, ("list", record.srcaddr, match.entry), {"list": match.source})

    def _detection(self, group: HitGroup) -> Detection | None:
        if group.count < self.min_queries:
            return None
        _, client, domain = group.key
        lists = ", ".join(sorted(group.tallies.get("list", {})))
        description = f"{client} queried {domain} {group.count} time(s), listed on {self.list_label} list {lists}"
        return query_detection(
            self, group, self.resolved_severity(group), description, self.confidence
        )

    def resolved_severity(self, group: HitGroup) -> Severity:
        """Return HIGH when a query resolved to an address (the client could connect), else MEDIUM."""
        answered = any(sample["resolved"] for sample in group.samples)
        return Severity.HIGH if answered else Severity.MEDIUM


def list_hit(query: ResolverQuery, key: tuple, tallies: dict[str, str]) -> Hit:
    addresses = [answer.rdata for answer in query.answers if answer.type in ADDRESS_TYPES]
    sample: dict[str, Any] = {
        "line": query.line_number,
        "query_name": query.query_name,
        "query_type": query.query_type,
        "rcode": query.rcode,
        "answers": addresses,
        "resolved": query.rcode == "NOERROR" and bool(addresses),
        "firewall_rule_action": query.firewall_rule_action,
        "firewall_rule_group_id": query.firewall_rule_group_id,
        "firewall_domain_list_id": query.firewall_domain_list_id,
    }
    return Hit(
        key=key,
        time=query.query_timestamp,
        blocked=query.firewall_rule_action == "BLOCK",
        sample=sample,
        tallies={"rcode": query.rcode or "-", **tallies},
    )


def query_detection(
    detector, group: HitGroup, base: Severity, description: str, confidence: float
) -> Detection:
    kind, client, domain = group.key
    blocked = group.blocked == group.count
    answers = [address for sample in group.samples for address in sample["answers"]]
    return Detection(
        type=detector.threat_type,
        severity=severity_for(base, blocked=blocked),
        source_ip=client,
        destination_ip=answers[0] if answers else None,
        description=description + (" (blocked by DNS Firewall)" if blocked else ""),
        blocked=blocked,
        detector=detector.name,
        detector_version=detector.version,
        confidence=confidence,
        evidence={
            "domain": domain,
            "match": kind,
            "queries": group.count,
            "rcodes": dict(group.tallies.get("rcode", {})),
            "lists": sorted(group.tallies.get("list", {})),
            "samples": group.samples,
            "first_seen": group.first_seen.isoformat(),
            "last_seen": group.last_seen.isoformat(),
            **window_bounds(group.window, detector.window_seconds),
        },
        occurred_at=group.first_seen,
        fingerprint=fingerprint(detector.name, kind, client, domain),
        features={
            "queries": group.count,
            "rejected_ratio": group.blocked / group.count,
            "resolved": float(any(sample["resolved"] for sample in group.samples)),
        },
    )
