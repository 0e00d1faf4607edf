"""VPC Flow Log records for the demo estate, in a version 5 custom format with tcp-flags.

Each connection is written as AWS writes it: one record per direction, on the interface of
every endpoint inside the VPC, so a connection between two instances gives four records.
Records cover a 60-second aggregation interval.
"""

import random
from collections.abc import Iterable

from demodata import estate as plan
from demodata.curve import activity, draw_count
from demodata.estate import Estate, Host

FIELDS = (
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
    "start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr "
    "pkt-dstaddr flow-direction"
).split()
HEADER = " ".join(FIELDS) + "\n"

# AWS sets `version` to the newest field version in the format, and flow-direction is a v5 field.
VERSION = 5
WINDOW_SECONDS = 60

TCP, UDP = 6, 17
# tcp-flags is the OR of FIN=1, SYN=2, RST=4 and SYN-ACK=18 seen in the interval.
FLAGS_CLIENT, FLAGS_SERVER, FLAGS_SYN = 3, 19, 2

NOISE_PORTS = (23, 445, 1433, 3306, 3389, 5900, 6379, 8080, 9200, 2375)


class FlowWriter:
    """Format flow records for the estate's interfaces, with the constant parts built once."""

    def __init__(self, hosts: Iterable[Host]) -> None:
        self._head: dict[str, str] = {}
        self._tail: dict[str, str] = {}
        for host in hosts:
            self._head[host.address] = f"{VERSION} {plan.ACCOUNT_ID} {host.eni_id} "
            self._tail[host.address] = f" {plan.VPC_ID} {host.subnet_id} {host.instance_id} "

    def record(
        self,
        on: str,
        src: str,
        dst: str,
        ports: tuple[int, int],
        proto: int,
        packets: int,
        nbytes: int,
        start: int,
        end: int,
        action: str,
        flags: int,
    ) -> str:
        """Format one record seen on the interface whose address is `on`."""
        direction = "egress" if on == src else "ingress"
        return (
            f"{self._head[on]}{src} {dst} {ports[0]} {ports[1]} {proto} {packets} {nbytes} "
            f"{start} {end} {action} OK{self._tail[on]}{flags} IPv4 {src} {dst} {direction}\n"
        )

    def nodata(self, on: str, start: int) -> str:
        """Format a NODATA record for an interface that saw no traffic in the interval."""
        return (
            f"{self._head[on]}- - - - - - - {start} {start + WINDOW_SECONDS} - NODATA"
            f"{self._tail[on]}- - - - -\n"
        )

    def connection(
        self,
        src: str,
        dst: str,
        sport: int,
        dport: int,
        proto: int,
        packets: int,
        nbytes: int,
        start: int,
        end: int,
    ) -> list[str]:
        """Format an accepted connection: both directions, on every endpoint inside the VPC."""
        is_tcp = proto == TCP
        forward = (src, dst, (sport, dport), packets, nbytes, FLAGS_CLIENT if is_tcp else 0)
        reply_bytes = nbytes * 3 if is_tcp else nbytes
        reply_flags = FLAGS_SERVER if is_tcp else 0
        reply = (dst, src, (dport, sport), max(1, packets - 1), reply_bytes, reply_flags)

        lines = []
        for on in (src, dst):
            if on not in self._head:
                continue
            for sender, receiver, ports, count, size, flags in (forward, reply):
                lines.append(
                    self.record(
                        on, sender, receiver, ports, proto, count, size, start, end, "ACCEPT", flags
                    )
                )
        return lines

    def rejected(self, src: str, dst: str, sport: int, dport: int, start: int, end: int) -> str:
        """Format a rejected inbound TCP attempt: a lone SYN that the security group dropped."""
        return self.record(
            dst, src, dst, (sport, dport), TCP, 1, 44, start, end, "REJECT", FLAGS_SYN
        )


def header() -> str:
    """Return the header line that AWS writes at the top of each file for a custom format."""
    return HEADER


def ephemeral_port(rng: random.Random) -> int:
    """Draw a client port from the Linux ephemeral range."""
    return rng.randint(32768, 60999)


def _span(rng: random.Random, window: int, longest: int) -> tuple[int, int]:
    start = window + int(rng.random() * (WINDOW_SECONDS - 2))
    end = min(window + WINDOW_SECONDS, start + 1 + int(rng.random() * longest))
    return start, end


class Background:
    """Ordinary traffic of the estate, one aggregation interval at a time."""

    def __init__(self, estate: Estate, seed: str, scale: float) -> None:
        self.rng = random.Random(seed)
        self.scale = scale
        self.flows = FlowWriter(estate.hosts)
        self.albs = [h.address for h in estate.tier("alb")]
        self.webs = [h.address for h in estate.tier("web")]
        self.apps = [h.address for h in estate.tier("app")]
        self.caches = [h.address for h in estate.tier("cache")]
        self.dbs = [h.address for h in estate.tier("db")]
        self.workers = [h.address for h in estate.tier("worker")]
        self.bastion = estate.host("bastion-1").address
        self.batch = estate.host("batch-1").address
        self.public = self.albs + [self.bastion, estate.host("nat-a").address]
        self.instances = [h.address for h in estate.hosts if h.instance_id != "-"]

    def window(self, window: int) -> list[str]:
        """Return the background records of the interval starting at `window` (epoch seconds)."""
        load = activity(window) * self.scale
        lines: list[str] = []
        self._tier_calls(lines, window, plan.WEB_CLIENTS, self.albs, 443, 7 * load, 40)
        self._tier_calls(lines, window, self.albs, self.webs, 8080, 9 * load, 20)
        self._tier_calls(lines, window, self.webs, self.apps, 8443, 8 * load, 12)
        self._tier_calls(lines, window, self.apps, self.dbs[:1], 5432, 5 * load, 6)
        self._tier_calls(lines, window, self.apps, self.caches, 6379, 5 * load, 4)
        self._tier_calls(lines, window, self.workers, self.dbs[:1], 5432, self.scale, 30)
        self._tier_calls(lines, window, self.dbs[:1], self.dbs[1:], 5432, self.scale, 60)
        self._tier_calls(
            lines, window, self.apps + self.workers, plan.SERVICE_ADDRESSES, 443, 3 * load, 8
        )
        self._ntp(lines, window)
        self._admin(lines, window)
        self._noise(lines, window)
        self._batch(lines, window)
        return lines

    def _tier_calls(
        self,
        lines: list[str],
        window: int,
        clients: list[str],
        servers: list[str],
        port: int,
        mean: float,
        longest: int,
    ) -> None:
        # random() with int() is several times faster than choice() and randint() here,
        # and this loop makes most of the records.
        draw = self.rng.random
        for _ in range(draw_count(self.rng, mean)):
            start = window + int(draw() * (WINDOW_SECONDS - 2))
            end = min(window + WINDOW_SECONDS, start + 1 + int(draw() * longest))
            packets = 4 + int(draw() * 40)
            lines += self.flows.connection(
                clients[int(draw() * len(clients))],
                servers[int(draw() * len(servers))],
                32768 + int(draw() * 28232),
                port,
                TCP,
                packets,
                packets * (60 + int(draw() * 900)),
                start,
                end,
            )

    def _ntp(self, lines: list[str], window: int) -> None:
        # chrony polls each server about every 17 minutes (maxpoll 10, 1024 s).
        for address in self.instances:
            for _ in range(draw_count(self.rng, self.scale * WINDOW_SECONDS / 1024)):
                start, end = _span(self.rng, window, 1)
                lines += self.flows.connection(
                    address,
                    self.rng.choice(plan.NTP_SERVERS),
                    ephemeral_port(self.rng),
                    123,
                    UDP,
                    1,
                    76,
                    start,
                    end,
                )

    def _admin(self, lines: list[str], window: int) -> None:
        # The operations team works 08:00 to 17:00 at UTC-5.
        hour = (window % 86400) // 3600
        if 13 <= hour < 22:
            self._tier_calls(
                lines, window, [plan.OFFICE_ADDRESS], [self.bastion], 22, 0.2 * self.scale, 55
            )
            self._tier_calls(lines, window, [self.bastion], self.apps, 22, 0.1 * self.scale, 55)

    def _noise(self, lines: list[str], window: int) -> None:
        rng = self.rng
        for _ in range(draw_count(rng, 3 * self.scale)):
            start, end = _span(rng, window, 1)
            lines.append(
                self.flows.rejected(
                    rng.choice(plan.NOISE_SOURCES),
                    rng.choice(self.public),
                    ephemeral_port(rng),
                    rng.choice(NOISE_PORTS),
                    start,
                    end,
                )
            )

    def _batch(self, lines: list[str], window: int) -> None:
        if (window % 86400) // 3600 == 2:
            self._tier_calls(lines, window, [self.batch], self.dbs[1:], 5432, 2 * self.scale, 50)
        else:
            lines.append(self.flows.nodata(self.batch, window))
