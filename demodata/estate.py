"""The small AWS estate that the demo logs describe: one VPC, its hosts, an ALB and outside peers.

Inside addresses come from 10.20.0.0/16. Every outside address is a documentation address
(RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), so no generated record names a
real host. The ranges are split by role so that each attack in the manifest is the only
traffic from its source address.
"""

from dataclasses import dataclass, field

ACCOUNT_ID = "111122223333"
REGION = "us-east-1"
VPC_ID = "vpc-0d3e5a1b7c9f24680"
VPC_CIDR = "10.20.0.0/16"
FLOW_LOG_ID = "fl-0a1b2c3d4e5f60718"

# Route 53 Resolver listens on the VPC base address plus two.
RESOLVER_ADDRESS = "10.20.0.2"

SITE_DOMAIN = "shop.example.com"
ALB_NAME = "demo-web-alb"
ALB_ID = "5f1e3c7a9b2d4e60"

# Outside peers, by role. Background traffic never uses an attacker or listed address.
WEB_CLIENTS = [f"192.0.2.{host}" for host in range(1, 201)]
OFFICE_ADDRESS = "198.51.100.10"
SERVICE_ADDRESSES = [f"198.51.100.{host}" for host in range(20, 60)]
NTP_SERVERS = ["198.51.100.123", "198.51.100.124"]
NOISE_SOURCES = [f"203.0.113.{host}" for host in range(128, 224)]

# The beaconing destination. It is listed in demodata/intel/ip-blocklist.txt.
BEACON_ADDRESS = "198.51.100.200"
BEACON_DOMAIN = "cdn-telemetry-sync.example"
PHISHING_DOMAIN = "account-verify-portal.example"

SCANNER_ADDRESS = "203.0.113.45"
SSH_ATTACKER_ADDRESS = "203.0.113.77"
LOGIN_ATTACKER_ADDRESS = "203.0.113.88"
SQLI_ATTACKER_ADDRESS = "203.0.113.99"
XSS_ATTACKER_ADDRESS = "203.0.113.101"


@dataclass(frozen=True)
class Subnet:
    """A subnet of the demo VPC."""

    subnet_id: str
    cidr: str
    zone: str


@dataclass(frozen=True)
class Host:
    """A network interface in the VPC, with instance_id "-" for ALB nodes and the NAT gateway."""

    name: str
    tier: str
    address: str
    eni_id: str
    subnet_id: str
    instance_id: str = "-"
    port: int = 0


@dataclass(frozen=True)
class Estate:
    """The whole demo estate, with lookups by tier."""

    hosts: tuple[Host, ...]
    subnets: tuple[Subnet, ...] = field(default_factory=tuple)

    def tier(self, name: str) -> list[Host]:
        """Return the hosts of one tier, in a stable order."""
        return [host for host in self.hosts if host.tier == name]

    def host(self, name: str) -> Host:
        """Return the host with this name."""
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(f"no host named {name!r} in the demo estate")


SUBNETS = (
    Subnet("subnet-0a10000000000000a", "10.20.0.0/24", "us-east-1a"),
    Subnet("subnet-0a10000000000001b", "10.20.1.0/24", "us-east-1b"),
    Subnet("subnet-0a10000000000010a", "10.20.10.0/24", "us-east-1a"),
    Subnet("subnet-0a10000000000011b", "10.20.11.0/24", "us-east-1b"),
    Subnet("subnet-0a10000000000020a", "10.20.20.0/24", "us-east-1a"),
    Subnet("subnet-0a10000000000021b", "10.20.21.0/24", "us-east-1b"),
)


def _subnet_for(address: str) -> str:
    third_octet = address.split(".")[2]
    for subnet in SUBNETS:
        if subnet.cidr.split(".")[2] == third_octet:
            return subnet.subnet_id
    raise ValueError(f"address {address} is outside every demo subnet")


def _host(name: str, tier: str, address: str, number: int, port: int = 0) -> Host:
    is_instance = tier not in {"alb", "nat"}
    instance_id = f"i-0{number:016x}" if is_instance else "-"
    eni_id = f"eni-0{number + 0x5A000:016x}"
    return Host(name, tier, address, eni_id, _subnet_for(address), instance_id, port)


def build_estate() -> Estate:
    """Build the estate: ALB nodes, NAT gateway, bastion, and web, app, cache and db tiers."""
    rows = [
        ("alb-a", "alb", "10.20.0.100", 443),
        ("alb-b", "alb", "10.20.1.100", 443),
        ("nat-a", "nat", "10.20.0.5", 0),
        ("bastion-1", "bastion", "10.20.0.10", 22),
        *[(f"web-{n}", "web", f"10.20.1{n % 2}.{10 + n}", 8080) for n in range(1, 7)],
        *[(f"app-{n}", "app", f"10.20.1{n % 2}.{20 + n}", 8443) for n in range(1, 5)],
        ("worker-1", "worker", "10.20.10.31", 0),
        ("worker-2", "worker", "10.20.11.32", 0),
        ("cache-1", "cache", "10.20.20.41", 6379),
        ("cache-2", "cache", "10.20.21.42", 6379),
        ("db-1", "db", "10.20.20.51", 5432),
        ("db-2", "db", "10.20.21.52", 5432),
        # The batch host only talks during its nightly job, so its interface logs NODATA.
        ("batch-1", "batch", "10.20.11.61", 0),
    ]
    hosts = tuple(
        _host(name, tier, address, number, port)
        for number, (name, tier, address, port) in enumerate(rows, start=0x3C1)
    )
    return Estate(hosts=hosts, subnets=SUBNETS)
