"""Route 53 Resolver query log records (version 1.100000) for queries from the demo estate.

The Resolver logs a query only when it cannot reply from its cache, so a busy host logs a
name about once per record TTL rather than on every lookup.
"""

import json
import random
import zlib
from datetime import UTC, datetime

from demodata import estate as plan
from demodata.curve import activity, draw_count
from demodata.estate import Estate, Host

VERSION = "1.100000"

# Names that every instance resolves: AWS endpoints used by the SSM agent and CloudWatch agent.
COMMON_NAMES = (
    "ssm.us-east-1.amazonaws.com.",
    "ec2messages.us-east-1.amazonaws.com.",
    "ssmmessages.us-east-1.amazonaws.com.",
    "logs.us-east-1.amazonaws.com.",
    "monitoring.us-east-1.amazonaws.com.",
    "s3.us-east-1.amazonaws.com.",
    "ntp1.example.org.",
    "ntp2.example.org.",
)
TIER_NAMES = {
    "web": ("app.demo.internal.", "cdn.example.net."),
    "app": (
        "db.demo.internal.",
        "cache.demo.internal.",
        "api.payments.example.net.",
        "api.shipping.example.net.",
    ),
    "worker": ("db.demo.internal.", "mirror.example.org.", "hooks.example.net."),
    "bastion": ("mirror.example.org.", "app.demo.internal."),
}
PRIVATE_ANSWERS = {
    "app.demo.internal.": "10.20.10.22",
    "db.demo.internal.": "10.20.20.51",
    "cache.demo.internal.": "10.20.20.41",
}
# cloud-init and some agents probe names that do not exist.
MISSING_NAMES = ("metadata.google.internal.", "instance-data.ec2.internal.")


def address_for(name: str) -> str:
    """Return the stable documentation address that a public demo name resolves to."""
    index = zlib.crc32(name.encode()) % len(plan.SERVICE_ADDRESSES)
    return plan.SERVICE_ADDRESSES[index]


def answer(rdata: str, rtype: str = "A") -> dict[str, str]:
    """Build one entry of a record's answers list."""
    return {"Rdata": rdata, "Type": rtype, "Class": "IN"}


def format_record(
    when: float,
    host: Host,
    name: str,
    qtype: str,
    rcode: str,
    answers: list[dict[str, str]],
    srcport: int,
    extra: dict[str, str] | None = None,
) -> str:
    """Format one query log record as a compact JSON line, keys in the order AWS writes them."""
    record = {
        "version": VERSION,
        "account_id": plan.ACCOUNT_ID,
        "region": plan.REGION,
        "vpc_id": plan.VPC_ID,
        "query_timestamp": datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "query_name": name,
        "query_type": qtype,
        "query_class": "IN",
        "rcode": rcode,
        "answers": answers,
        "srcaddr": host.address,
        "srcport": str(srcport),
        "transport": "UDP",
        "srcids": {"instance": host.instance_id},
    }
    record.update(extra or {})
    return json.dumps(record, separators=(",", ":")) + "\n"


def _reverse_name(address: str) -> str:
    return ".".join(reversed(address.split("."))) + ".in-addr.arpa."


class Background:
    """Ordinary lookups by the estate's instances, one minute at a time."""

    def __init__(self, estate: Estate, seed: str, scale: float) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.hosts = [h for h in estate.hosts if h.instance_id != "-" and h.tier != "batch"]
        self.peers = [h.address for h in estate.hosts]

    def window(self, window: int, seconds: int = 60) -> list[str]:
        """Return the query log lines of lookups made in [window, window + seconds)."""
        rng = self.rng
        mean = 0.4 * len(self.hosts) * seconds / 60 * self.scale * (0.5 + activity(window) / 2)
        return [self._lookup(window + rng.random() * seconds) for _ in range(draw_count(rng, mean))]

    def _lookup(self, when: float) -> str:
        rng = self.rng
        host = rng.choice(self.hosts)
        port = rng.randint(32768, 60999)
        roll = rng.random()
        if roll < 0.08:
            peer = rng.choice(self.peers)
            ptr = f"ip-{peer.replace('.', '-')}.ec2.internal."
            return format_record(
                when, host, _reverse_name(peer), "PTR", "NOERROR", [answer(ptr, "PTR")], port
            )
        if roll < 0.11:
            return format_record(when, host, rng.choice(MISSING_NAMES), "A", "NXDOMAIN", [], port)
        name = rng.choice(COMMON_NAMES + TIER_NAMES.get(host.tier, ()))
        if roll < 0.30:
            # Dual-stack clients also query AAAA records, which these names do not have.
            return format_record(when, host, name, "AAAA", "NOERROR", [], port)
        rdata = PRIVATE_ANSWERS.get(name) or address_for(name)
        return format_record(when, host, name, "A", "NOERROR", [answer(rdata)], port)


def sort_key(line: str) -> str:
    """Return a record's query_timestamp, for ordering the lines of a file."""
    start = line.index('"query_timestamp":"') + 19
    return line[start : start + 20]
