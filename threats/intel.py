"""Threat-intelligence lists loaded from local files, with fast address and domain lookups.

Accepted line formats, one entry a line, `#` starting a comment anywhere on a line:
- an IPv4 or IPv6 address or CIDR (`198.51.100.7`, `203.0.113.0/24`, `2001:db8::/32`);
- ipsum's `IP<TAB>count`, where count is the number of blocklists naming the address;
- hosts format, `0.0.0.0 domain` (also `127.0.0.1`, `::` or `::1` as the sink address);
- a bare domain name.
A file may mix them. Lines that fit none are counted and skipped, never fatal.
"""

import ipaddress
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

logger = logging.getLogger(__name__)

SINK_ADDRESSES = frozenset({"0.0.0.0", "127.0.0.1", "::", "::1"})
_IPV4_PATTERN = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$"


@dataclass(frozen=True, slots=True)
class IntelMatch:
    """The list entry that matched a lookup, and the name of its file."""

    entry: str
    source: str


class NetworkSet:
    """IPv4 and IPv6 networks, merged into sorted integer ranges for binary search."""

    def __init__(self, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> None:
        self._v4 = _merged_ranges([n for n in networks if n.version == 4])
        self._v6 = _merged_ranges([n for n in networks if n.version == 6])
        self.size = len(networks)

    def find(self, address: str | None) -> str | None:
        """Return the listed network (as CIDR text) containing `address`, or None."""
        try:
            ip = ipaddress.ip_address(address) if address else None
        except ValueError:
            return None
        if ip is None:
            return None
        starts, ends, labels = self._v4 if ip.version == 4 else self._v6
        index = int(np.searchsorted(starts, int(ip), side="right")) - 1
        if index >= 0 and int(ip) <= ends[index]:
            return labels[index]
        return None

    def mask(self, addresses: pa.Array | pa.ChunkedArray) -> pa.Array:
        """Return a boolean array: True where the address lies in a listed network.

        Only distinct addresses are checked: IPv4 ones with one vectorized binary search,
        IPv6 ones one by one (they are rare in flow logs).
        """
        if self.size == 0 or len(addresses) == 0:
            return pa.array(np.zeros(len(addresses), dtype=bool))
        distinct = pc.unique(addresses).drop_null()
        listed = self._listed_ipv4(distinct) + self._listed_ipv6(distinct)
        if not listed:
            return pa.array(np.zeros(len(addresses), dtype=bool))
        return pc.fill_null(pc.is_in(addresses, value_set=pa.array(listed, pa.string())), False)

    def _listed_ipv4(self, distinct: pa.Array) -> list[str]:
        starts, ends, _ = self._v4
        if not len(starts):
            return []
        candidates = distinct.filter(pc.match_substring_regex(distinct, _IPV4_PATTERN))
        if not len(candidates):
            return []
        octets = pc.list_flatten(pc.split_pattern(candidates, "."))
        parts = np.asarray(pc.cast(octets, pa.int64())).reshape(-1, 4)
        valid = (parts <= 255).all(axis=1)
        values = (parts[:, 0] << 24) | (parts[:, 1] << 16) | (parts[:, 2] << 8) | parts[:, 3]
        index = np.searchsorted(starts, values, side="right") - 1
        hit = valid & (index >= 0) & (values <= ends[np.maximum(index, 0)])
        return candidates.filter(pa.array(hit)).to_pylist()

    def _listed_ipv6(self, distinct: pa.Array) -> list[str]:
        if not len(self._v6[0]):
            return []
        candidates = distinct.filter(pc.match_substring(distinct, ":")).to_pylist()
        return [address for address in candidates if self.find(address)]


class DomainSet:
    """Listed domain names. A name matches when it or any parent domain is listed."""

    def __init__(self, domains: set[str]) -> None:
        self._domains = frozenset(domains)
        self.size = len(self._domains)

    def find(self, name: str | None) -> str | None:
        """Return the listed domain that `name` equals or is a subdomain of, or None."""
        if not name or not self._domains:
            return None
        labels = name.rstrip(".").lower().split(".")
        for start in range(len(labels) - 1):
            candidate = ".".join(labels[start:])
            if candidate in self._domains:
                return candidate
        return None


@dataclass
class ParsedIntel:
    """The entries read from one list file."""

    networks: list = field(default_factory=list)
    domains: set[str] = field(default_factory=set)
    skipped_lines: int = 0
    below_min_count: int = 0


def parse_intel_lines(lines, *, min_count: int = 1) -> ParsedIntel:
    """Parse list lines into networks and domains, dropping ipsum rows under `min_count`."""
    parsed = ParsedIntel()
    for raw in lines:
        tokens = raw.split("#", 1)[0].split()
        if not tokens:
            continue
        _add_entry(parsed, tokens, min_count)
    return parsed


def _add_entry(parsed: ParsedIntel, tokens: list[str], min_count: int) -> None:
    first = tokens[0]
    second = tokens[1] if len(tokens) > 1 else None
    if first in SINK_ADDRESSES and second and not second.isdigit():
        _add_domain(parsed, second)
        return
    network = _network(first)
    if network is None and second is None:
        _add_domain(parsed, first)
        return
    # A bare sink address is a broken hosts line, and a /0 network would match every lookup.
    if network is None or first in SINK_ADDRESSES or network.prefixlen == 0:
        parsed.skipped_lines += 1
        return
    if second and second.isdigit() and int(second) < min_count:
        parsed.below_min_count += 1
        return
    parsed.networks.append(network)


def _add_domain(parsed: ParsedIntel, text: str) -> None:
    name = text.rstrip(".").lower()
    if "." in name and "/" not in name and ":" not in name and _network(name) is None:
        parsed.domains.add(name)
    else:
        parsed.skipped_lines += 1


def _network(text: str):
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def _merged_ranges(networks: list) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Sort networks and fold nested ones into (starts, ends, labels) arrays.

    CIDR blocks are either nested or disjoint, so after folding each range keeps the label
    of the outermost listed network that contains it.

    IPv4 bounds fit in int64, and IPv6 bounds are Python ints in object arrays.
    """
    spans = sorted(
        ((int(n.network_address), int(n.broadcast_address), str(n)) for n in networks),
        key=lambda span: (span[0], -span[1]),
    )
    merged: list[list] = []
    for start, end, label in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, label])
    dtype = np.int64 if all(end < 2**63 for _, end, _ in merged) else object
    starts = np.array([span[0] for span in merged], dtype=dtype)
    ends = np.array([span[1] for span in merged], dtype=dtype)
    return starts, ends, [span[2] for span in merged]


class IntelFeed:
    """One list file, reloaded when its modification time or size changes."""

    def __init__(self, path: str | Path, *, min_count: int = 1) -> None:
        self.path = Path(path)
        self.min_count = min_count
        self.networks = NetworkSet([])
        self.domains = DomainSet(set())
        self._signature: tuple[int, int] | None = None
        self.refresh()

    def refresh(self) -> bool:
        """Reload the file if it changed since the last load, and return True when it did."""
        try:
            stat = os.stat(self.path)
        except OSError as err:
            logger.warning("Threat-intel list %s is unreadable: %s", self.path, err)
            return False
        signature = (stat.st_mtime_ns, stat.st_size)
        if signature == self._signature:
            return False
        self._load(signature)
        return True

    def _load(self, signature: tuple[int, int]) -> None:
        with open(self.path, encoding="utf-8", errors="replace") as handle:
            parsed = parse_intel_lines(handle, min_count=self.min_count)
        self.networks = NetworkSet(parsed.networks)
        self.domains = DomainSet(parsed.domains)
        self._signature = signature
        logger.info(
            "Loaded threat-intel list %s: %d networks, %d domains, %d lines skipped",
            self.path,
            self.networks.size,
            self.domains.size,
            parsed.skipped_lines,
        )

    def find_ip(self, address: str | None) -> IntelMatch | None:
        entry = self.networks.find(address)
        return IntelMatch(entry, self.path.name) if entry else None

    def find_domain(self, name: str | None) -> IntelMatch | None:
        entry = self.domains.find(name)
        return IntelMatch(entry, self.path.name) if entry else None
