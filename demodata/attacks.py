"""Attack scenarios embedded in the demo day, each with the manifest entry that describes it.

Attacks start at fixed fractions of the generated span, so a one-hour run and a one-day run
contain the same attacks. Their records do not depend on --scale.
"""

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from demodata import alb, resolver, vpc_flow
from demodata import estate as plan
from demodata.estate import Estate

WINDOW = vpc_flow.WINDOW_SECONDS
BEACON_PERIOD_SECONDS = 300
# 234 sources x 5 flows is about 1,170 SYN-only flows a minute on one interface, more than
# 10x a busy interface's normal flow rate.
SYN_FLOWS_PER_SOURCE_MINUTE = 5
SQLI_AGENT = "sqlmap/1.8.11#stable (https://sqlmap.org)"
SCRIPT_AGENT = "python-requests/2.32.3"

# (request path and query as sent, blocked by the WAF). The WAF misses the double-encoded ones.
SQLI_REQUESTS = (
    ("/products?id=1%27%20OR%20%271%27%3D%271", True),
    ("/products?id=1%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--", True),
    ("/products?id=1%20AND%201%3D1", True),
    ("/products?id=1%20AND%20SLEEP%285%29", True),
    ("/search?q=%27%3B%20DROP%20TABLE%20orders%3B--", True),
    ("/products?id=-1%27%20UnIoN%20SeLeCt%20NULL%2CNULL%2Cversion%28%29--%20-", True),
    ("/products?id=1%2527%2520OR%25201%253D1--", False),
)
XSS_REQUESTS = (
    ("/search?q=%3Cscript%3Ealert%281%29%3C%2Fscript%3E", True),
    ("/search?q=%3Cimg%20src%3Dx%20onerror%3Dalert%28document.cookie%29%3E", True),
    ("/products/1001?review=%3Csvg%2Fonload%3Dalert%281%29%3E", True),
    ("/account?name=%3CiFrAmE%20src%3Djavascript%3Aalert%281%29%3E", True),
    ("/search?q=%253Cscript%253Ealert%25281%2529%253C%252Fscript%253E", False),
)


@dataclass
class Attack:
    """One embedded attack: its manifest fields and its log lines keyed by (node, interval)."""

    attack_id: str
    type: str
    log: str
    description: str
    src: list[str]
    dst: list[str]
    blocked: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    lines: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    first: float = float("inf")
    last: float = float("-inf")
    count: int = 0

    def add(self, start: float, end: float, line: str, node: int = 0) -> None:
        """Store one log line whose record covers [start, end] in epoch seconds."""
        key = (node, int(start) // WINDOW * WINDOW)
        self.lines.setdefault(key, []).append(line)
        self.first = min(self.first, start)
        self.last = max(self.last, end)
        self.count += 1

    def manifest_entry(self) -> dict[str, Any]:
        """Return the entry that the manifest lists for this attack."""
        return {
            "id": self.attack_id,
            "type": self.type,
            "log": self.log,
            "description": self.description,
            "start": _iso(self.first),
            "end": _iso(math.ceil(self.last)),
            "src": self.src,
            "dst": self.dst,
            "blocked": self.blocked,
            "records": self.count,
            "details": self.details,
        }


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _at(start: int, span: int, fraction: float) -> int:
    return start + int(span * fraction) // WINDOW * WINDOW


def port_scan_ports(estate: Estate, rng: random.Random, t0: int) -> Attack:
    """Scan 600 TCP ports of the bastion from one outside address in three minutes."""
    flows = vpc_flow.FlowWriter(estate.hosts)
    target = estate.host("bastion-1").address
    ports = sorted(set(rng.sample(range(1, 1025), 600)) | {22})
    attack = Attack(
        "port-scan-ports",
        "port_scan",
        "vpc_flow",
        "One outside source probes hundreds of TCP ports on the bastion.",
        [plan.SCANNER_ADDRESS],
        [target],
        blocked=True,
        details={"variant": "ports", "distinct_ports": len(ports)},
    )
    for index, port in enumerate(ports):
        when = t0 + index * 180 // len(ports)
        sport = rng.randint(40000, 60999)
        if port == 22:
            for line in _half_open(flows, plan.SCANNER_ADDRESS, target, sport, 22, when):
                attack.add(when, when + 1, line)
        else:
            attack.add(
                when, when, flows.rejected(plan.SCANNER_ADDRESS, target, sport, port, when, when)
            )
    return attack


def _half_open(
    flows: vpc_flow.FlowWriter, src: str, dst: str, sport: int, dport: int, when: int
) -> list[str]:
    """Format a SYN scan probe to an open port: SYN then RST out (6), SYN-ACK back (18)."""
    return [
        flows.record(
            dst, src, dst, (sport, dport), vpc_flow.TCP, 2, 84, when, when + 1, "ACCEPT", 6
        ),
        flows.record(
            dst, dst, src, (dport, sport), vpc_flow.TCP, 1, 44, when, when + 1, "ACCEPT", 18
        ),
    ]


def port_scan_hosts(estate: Estate, rng: random.Random, t0: int) -> Attack:
    """Sweep TCP port 445 across every interface of the estate from one outside address."""
    flows = vpc_flow.FlowWriter(estate.hosts)
    # NOTE: hosts in private subnets have no public address, so a real internet scanner
    # could not reach them. The demo sweeps them anyway to give the sweep 21 targets.
    targets = [host.address for host in estate.hosts]
    attack = Attack(
        "port-scan-hosts",
        "port_scan",
        "vpc_flow",
        "One outside source probes TCP port 445 on every host of the VPC.",
        [plan.SCANNER_ADDRESS],
        targets,
        blocked=True,
        details={"variant": "hosts", "port": 445, "distinct_hosts": len(targets)},
    )
    for index, target in enumerate(targets * 2):
        when = t0 + index * 120 // (2 * len(targets))
        line = flows.rejected(
            plan.SCANNER_ADDRESS, target, rng.randint(40000, 60999), 445, when, when + 1
        )
        attack.add(when, when + 1, line)
    return attack


def ssh_brute_force(estate: Estate, rng: random.Random, t0: int) -> Attack:
    """Open 400 short SSH connections to the bastion from one outside address in ten minutes."""
    flows = vpc_flow.FlowWriter(estate.hosts)
    target = estate.host("bastion-1").address
    attempts = 400
    attack = Attack(
        "ssh-brute-force",
        "brute_force",
        "vpc_flow",
        "Many short SSH connections to the bastion from one outside source.",
        [plan.SSH_ATTACKER_ADDRESS],
        [target],
        details={"port": 22, "connections": attempts},
    )
    for index in range(attempts):
        start = t0 + index * 600 // attempts
        end = start + 2 + rng.randrange(3)
        packets = 11 + rng.randrange(8)
        for line in flows.connection(
            plan.SSH_ATTACKER_ADDRESS,
            target,
            vpc_flow.ephemeral_port(rng),
            22,
            vpc_flow.TCP,
            packets,
            packets * 150,
            start,
            end,
        ):
            attack.add(start, end, line)
    return attack


def syn_flood(estate: Estate, rng: random.Random, t0: int) -> Attack:
    """Flood one ALB node with lone SYNs (tcp-flags 2) from 234 addresses for five minutes."""
    flows = vpc_flow.FlowWriter(estate.hosts)
    target = estate.host("alb-a").address
    sources = _flood_sources()
    attack = Attack(
        "syn-flood",
        "ddos",
        "vpc_flow",
        "SYN packets without ACK from many sources to the ALB node's HTTPS port.",
        sources,
        [target],
        details={"port": 443, "tcp_flags": 2, "sources": len(sources)},
    )
    for minute in range(5):
        for source in sources:
            for _ in range(SYN_FLOWS_PER_SOURCE_MINUTE):
                start = t0 + minute * WINDOW + rng.randrange(WINDOW - 5)
                packets = 1 + rng.randrange(3)
                line = flows.record(
                    target,
                    source,
                    target,
                    (rng.randint(1024, 65535), 443),
                    vpc_flow.TCP,
                    packets,
                    packets * 60,
                    start,
                    start + 4,
                    "ACCEPT",
                    vpc_flow.FLAGS_SYN,
                )
                attack.add(start, start + 4, line)
    return attack


def _flood_sources() -> list[str]:
    attackers = {
        plan.SCANNER_ADDRESS,
        plan.SSH_ATTACKER_ADDRESS,
        plan.LOGIN_ATTACKER_ADDRESS,
        plan.SQLI_ATTACKER_ADDRESS,
        plan.XSS_ATTACKER_ADDRESS,
    }
    spoofed = [f"203.0.113.{h}" for h in range(1, 128)]
    spoofed += [f"192.0.2.{h}" for h in range(201, 250)]
    spoofed += [f"198.51.100.{h}" for h in range(60, 123)]
    return [address for address in spoofed if address not in attackers]


def beaconing(estate: Estate, rng: random.Random, t0: int, span: int) -> Attack:
    """Contact the listed command-and-control address from app-3 every five minutes."""
    flows = vpc_flow.FlowWriter(estate.hosts)
    source = estate.host("app-3").address
    beacons = max(3, min(6 * 3600, span * 3 // 10) // BEACON_PERIOD_SECONDS)
    attack = Attack(
        "beaconing",
        "malware",
        "vpc_flow",
        "Periodic small HTTPS connections from app-3 to a threat-intel address.",
        [source],
        [plan.BEACON_ADDRESS],
        details={"port": 443, "period_seconds": BEACON_PERIOD_SECONDS, "connections": beacons},
    )
    for index in range(beacons):
        start = t0 + index * BEACON_PERIOD_SECONDS + rng.randint(0, 4)
        for line in flows.connection(
            source,
            plan.BEACON_ADDRESS,
            vpc_flow.ephemeral_port(rng),
            443,
            vpc_flow.TCP,
            9,
            1830,
            start,
            start + 1,
        ):
            attack.add(start, start + 1, line)
    return attack


def malware_lookup(estate: Estate, rng: random.Random, t0: int, until: int) -> Attack:
    """Resolve the listed malware domain from app-3 before the beacons and then every hour."""
    host = estate.host("app-3")
    name = plan.BEACON_DOMAIN + "."
    attack = Attack(
        "malware-domain-lookup",
        "malware",
        "resolver",
        "app-3 resolves a domain on the malware list to the beacon address.",
        [host.address],
        [plan.RESOLVER_ADDRESS],
        details={"domain": plan.BEACON_DOMAIN, "ttl_seconds": 3600},
    )
    for when in range(t0 - 2, until, 3600):
        line = resolver.format_record(
            when,
            host,
            name,
            "A",
            "NOERROR",
            [resolver.answer(plan.BEACON_ADDRESS)],
            vpc_flow.ephemeral_port(rng),
        )
        attack.add(when, when, line)
    return attack


def phishing_lookup(estate: Estate, rng: random.Random, t0: int, subdomain: bool) -> Attack:
    """Resolve the phishing domain, or its subdomain that DNS Firewall blocks, from the bastion."""
    host = estate.host("bastion-1")
    name = ("login." if subdomain else "") + plan.PHISHING_DOMAIN
    attack = Attack(
        "phishing-subdomain-lookup" if subdomain else "phishing-lookup",
        "phishing",
        "resolver",
        f"The bastion resolves {name}, which the phishing list covers.",
        [host.address],
        [plan.RESOLVER_ADDRESS],
        blocked=subdomain,
        details={"domain": name, "listed_domain": plan.PHISHING_DOMAIN},
    )
    when = t0 + rng.randrange(30)
    if subdomain:
        firewall = {
            "firewall_rule_group_id": "rslvr-frg-0d3e5a1b7c9f2468",
            "firewall_rule_action": "BLOCK",
            "firewall_domain_list_id": "rslvr-fdl-0a1b2c3d4e5f6071",
        }
        line = resolver.format_record(
            when, host, name + ".", "A", "NXDOMAIN", [], vpc_flow.ephemeral_port(rng), firewall
        )
    else:
        line = resolver.format_record(
            when,
            host,
            name + ".",
            "A",
            "NOERROR",
            [resolver.answer("198.51.100.244")],
            vpc_flow.ephemeral_port(rng),
        )
    attack.add(when, when, line)
    return attack


def _send(
    attack: Attack,
    rng: random.Random,
    estate: Estate,
    when: float,
    method: str,
    path: str,
    agent: str,
    status: int,
    blocked: bool,
) -> None:
    albs = estate.tier("alb")
    client = attack.src[0]
    target = None if blocked else f"{rng.choice(estate.tier('web')).address}:8080"
    request = alb.Request(
        when,
        client,
        vpc_flow.ephemeral_port(rng),
        method,
        path,
        agent,
        403 if blocked else status,
        target,
        actions="waf" if blocked else "waf,forward",
    )
    attack.add(when, when, alb.format_line(rng, request), alb.node_for(client, len(albs)))


def _alb_attack(
    attack_id: str, kind: str, source: str, estate: Estate, description: str, **details: Any
) -> Attack:
    node = estate.tier("alb")[alb.node_for(source, len(estate.tier("alb")))]
    return Attack(attack_id, kind, "alb", description, [source], [node.address], details=details)


def login_brute_force(estate: Estate, rng: random.Random, t0: int) -> Attack:
    """Post 150 logins from one client in 8 minutes: 120 get 401, then the WAF blocks 30."""
    attack = _alb_attack(
        "login-brute-force",
        "brute_force",
        plan.LOGIN_ATTACKER_ADDRESS,
        estate,
        "One client posts wrong passwords to /login until the WAF rate rule blocks it.",
        path="/login",
        status_401=120,
        status_403=30,
    )
    attack.blocked = True
    for index in range(150):
        when = t0 + index * 480 / 150 + rng.random()
        _send(attack, rng, estate, when, "POST", "/login", SCRIPT_AGENT, 401, index >= 120)
    return attack


def injection(estate: Estate, rng: random.Random, t0: int, kind: str) -> Attack:
    """Send SQL injection or XSS payloads in request URIs, three rounds over six minutes."""
    payloads = SQLI_REQUESTS if kind == "sql_injection" else XSS_REQUESTS
    source = plan.SQLI_ATTACKER_ADDRESS if kind == "sql_injection" else plan.XSS_ATTACKER_ADDRESS
    agent = SQLI_AGENT if kind == "sql_injection" else alb.BROWSERS[2]
    label = "SQL injection" if kind == "sql_injection" else "XSS"
    attack = _alb_attack(
        kind.replace("_", "-"),
        kind,
        source,
        estate,
        f"{label} payloads in URL-encoded request URIs, one double-encoded.",
        requests=[path for path, _ in payloads],
        waf_blocked=[path for path, blocked in payloads if blocked],
    )
    attack.blocked = True
    count = 3 * len(payloads)
    for index in range(count):
        path, blocked = payloads[index % len(payloads)]
        when = t0 + index * 360 / count + rng.random()
        # Payloads the WAF misses reach the app, which fails on the SQL payload.
        status = 500 if kind == "sql_injection" else 200
        _send(attack, rng, estate, when, "GET", path, agent, status, blocked)
    return attack


def build_attacks(estate: Estate, seed: str, start: int, span: int) -> list[Attack]:
    """Build every embedded attack for a run covering [start, start + span) epoch seconds."""
    rng = random.Random(f"{seed}/attacks")
    beacon_start = _at(start, span, 0.60)
    beacons = beaconing(estate, rng, beacon_start, span)
    return [
        port_scan_ports(estate, rng, _at(start, span, 0.08)),
        port_scan_hosts(estate, rng, _at(start, span, 0.14)),
        ssh_brute_force(estate, rng, _at(start, span, 0.22)),
        login_brute_force(estate, rng, _at(start, span, 0.30)),
        injection(estate, rng, _at(start, span, 0.40), "sql_injection"),
        injection(estate, rng, _at(start, span, 0.46), "xss"),
        syn_flood(estate, rng, _at(start, span, 0.55)),
        beacons,
        malware_lookup(estate, rng, beacon_start, int(beacons.last)),
        phishing_lookup(estate, rng, _at(start, span, 0.70), subdomain=False),
        phishing_lookup(estate, rng, _at(start, span, 0.72), subdomain=True),
    ]
