"""The JSON of /api/metrics/vpc, built from aggregated rows whatever computed them."""

from collections.abc import Iterable
from dataclasses import dataclass

from logparsers.vpc_flow_fields import protocol_name

TOP_TALKERS = 5


@dataclass(frozen=True)
class TrafficTotal:
    """Flows and bytes of one action and protocol over the whole window."""

    action: str
    protocol: int | None
    flows: int
    bytes: int


def vpc_stats_payload(
    *,
    traffic: Iterable[TrafficTotal],
    top_sources: list[tuple[str, int]],
    top_destinations: list[tuple[str, int]],
) -> dict:
    """Return the contract's JSON for the flows of one window."""
    totals = list(traffic)
    by_protocol: dict[str, int] = {}
    for row in totals:
        name = protocol_name(None if row.protocol is None or row.protocol < 0 else row.protocol)
        by_protocol[name] = by_protocol.get(name, 0) + row.flows
    return {
        "total_flows": sum(row.flows for row in totals),
        "accepted_flows": sum(row.flows for row in totals if row.action == "ACCEPT"),
        "rejected_flows": sum(row.flows for row in totals if row.action == "REJECT"),
        "bytes_transferred": sum(row.bytes for row in totals),
        "top_sources": [{"ip": ip, "count": count} for ip, count in top_sources],
        "top_destinations": [{"ip": ip, "count": count} for ip, count in top_destinations],
        "protocol_distribution": largest_remainder_percentages(by_protocol),
    }


def largest_remainder_percentages(counts: dict[str, int]) -> dict[str, int]:
    """Return whole-number percentages that add up to exactly 100 (largest-remainder method).

    Each share is rounded down, then the points still missing go to the largest remainders,
    ties going to the larger count and then to the name. Names are ordered by count, largest
    first. No counts give an empty dict.
    """
    items = [(name, count) for name, count in counts.items() if count > 0]
    total = sum(count for _, count in items)
    if not total:
        return {}
    floors = {name: count * 100 // total for name, count in items}
    remainders = sorted(items, key=lambda item: (-(item[1] * 100 % total), -item[1], item[0]))
    for name, _ in remainders[: 100 - sum(floors.values())]:
        floors[name] += 1
    ordered = sorted(items, key=lambda item: (-item[1], item[0]))
    return {name: floors[name] for name, _ in ordered}


def top_talkers(counts: dict[str, int], limit: int = TOP_TALKERS) -> list[tuple[str, int]]:
    """Return the `limit` addresses with the most flows, ties broken by address."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
