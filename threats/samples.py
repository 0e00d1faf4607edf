"""Generator of realistic sample detections for demonstrations and benchmarks.

Attacks come in bursts: one scenario (a brute-force run, a port scan, a flood...) fires many
times within minutes, from one source or, for a flood, from many. Outside sources use the
documentation ranges of RFC 5737 (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), inside
addresses the private 10.0.0.0/16, so no sample can be mistaken for a real host.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

OUTSIDE_NETWORKS = ("192.0.2", "198.51.100", "203.0.113")
SAMPLE_DETECTOR_VERSION = "sample"
# Share of sample events in each workflow status, older work being mostly triaged already.
STATUS_WEIGHTS = {
    "new": 70,
    "acknowledged": 12,
    "resolved": 12,
    "false_positive": 5,
    "suppressed": 1,
}


@dataclass(frozen=True)
class Scenario:
    """One kind of attack: its type, how often it occurs, burst size and likely severities."""

    type: str
    weight: int
    burst: tuple[int, int]
    severities: tuple[str, ...]
    blocked_share: float


SCENARIOS = (
    Scenario("brute_force", 30, (5, 60), ("medium", "high", "high", "critical"), 0.7),
    Scenario("port_scan", 20, (3, 30), ("low", "low", "medium"), 0.5),
    Scenario("ddos", 8, (10, 80), ("high", "critical", "critical"), 0.8),
    Scenario("malware", 12, (1, 10), ("high", "critical"), 0.4),
    Scenario("phishing", 10, (1, 8), ("medium", "high"), 0.6),
    Scenario("sql_injection", 12, (1, 20), ("medium", "high", "critical"), 0.9),
    Scenario("xss", 8, (1, 15), ("low", "medium", "high"), 0.85),
)

PHISHING_DOMAINS = ("login-verify.example.net", "secure-update.example.org", "acct-review.example")
MALWARE_FAMILIES = ("Emotet", "QakBot", "AsyncRAT", "Cobalt Strike beacon")
INJECTION_PATHS = ("/api/products", "/search", "/login", "/api/orders", "/account/profile")
SQL_PAYLOADS = ("' OR '1'='1", "1 UNION SELECT username,password FROM users--", "1;DROP TABLE x")
XSS_PAYLOADS = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)")


def _outside_ip(rng: random.Random) -> str:
    return f"{rng.choice(OUTSIDE_NETWORKS)}.{rng.randint(1, 254)}"


def _inside_ip(rng: random.Random) -> str:
    return f"10.0.{rng.randint(0, 7)}.{rng.randint(2, 254)}"


def _addresses(rng: random.Random, event_type: str) -> tuple[str, str]:
    """Return (source, destination) for one event: infections and lookups start inside."""
    if event_type in ("malware", "phishing"):
        return _inside_ip(rng), _outside_ip(rng)
    return _outside_ip(rng), _inside_ip(rng)


def _description(rng: random.Random, event_type: str, attempts: int) -> tuple[str, dict]:
    """Return a description and evidence for one event of `event_type`."""
    if event_type == "brute_force":
        port = rng.choice((22, 3389, 22, 443))
        service = {22: "SSH", 3389: "RDP", 443: "HTTPS login"}[port]
        text = f"{attempts} failed {service} login attempts in 5 minutes"
        return text, {"attempts": attempts, "destination_port": port}
    if event_type == "port_scan":
        ports = sorted(rng.sample(range(1, 1024), k=min(12, attempts + 5)))
        text = f"{attempts * 40} distinct destination ports probed in 60 seconds"
        return text, {"distinct_ports": attempts * 40, "sample_ports": ports}
    if event_type == "ddos":
        rate = attempts * rng.randint(800, 2500)
        return "High volume of SYN packets detected", {"packets_per_second": rate, "syn_only": True}
    if event_type == "malware":
        family = rng.choice(MALWARE_FAMILIES)
        text = f"Traffic to a known {family} command-and-control address"
        return text, {"list": "threat-intel-sample", "family": family}
    if event_type == "phishing":
        domain = rng.choice(PHISHING_DOMAINS)
        return f"DNS query for phishing domain {domain}", {"query_name": domain}
    path = rng.choice(INJECTION_PATHS)
    payloads = SQL_PAYLOADS if event_type == "sql_injection" else XSS_PAYLOADS
    label = "SQL injection" if event_type == "sql_injection" else "Cross-site scripting"
    text = f"{label} attempt in HTTP request to {path}"
    return text, {"path": path, "query": f"q={rng.choice(payloads)}"}


def _burst(
    rng: random.Random, scenario: Scenario, start: datetime, end: datetime, size: int
) -> Iterator[dict[str, Any]]:
    """Yield the events of one burst, a few seconds to a minute apart, never after `end`."""
    source, destination = _addresses(rng, scenario.type)
    moment = start
    for _ in range(size):
        if scenario.type == "ddos":
            # A flood has many sources and one target.
            source = _outside_ip(rng)
        count = 1 if rng.random() < 0.8 else rng.randint(2, 25)
        description, evidence = _description(rng, scenario.type, rng.randint(5, 200))
        yield {
            "timestamp": moment,
            "last_seen": min(moment + timedelta(seconds=30 * (count - 1)), end),
            "count": count,
            "type": scenario.type,
            "severity": rng.choice(scenario.severities),
            "confidence": round(rng.uniform(0.55, 0.99), 2),
            "source_ip": source,
            "destination_ip": destination,
            "description": description,
            "blocked": rng.random() < scenario.blocked_share,
            "detector": f"sample_{scenario.type}",
            "detector_version": SAMPLE_DETECTOR_VERSION,
            "evidence": {"sample": True, **evidence},
            "status": rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
        }
        moment = min(moment + timedelta(seconds=rng.expovariate(1 / 20)), end)


def sample_events(*, count: int, days: float, end: datetime, seed: int | None) -> Iterator[dict]:
    """Yield `count` sample events between `end - days` and `end`, in bursts.

    The same seed and `end` yield the same events. Events come in burst order, not time order.
    """
    rng = random.Random(seed)
    span = timedelta(days=days).total_seconds()
    weights = [scenario.weight for scenario in SCENARIOS]
    produced = 0
    while produced < count:
        scenario = rng.choices(SCENARIOS, weights=weights)[0]
        size = min(rng.randint(*scenario.burst), count - produced)
        start = end - timedelta(seconds=rng.uniform(0, span))
        yield from _burst(rng, scenario, start, end, size)
        produced += size
