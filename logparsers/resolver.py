"""Parser for Route 53 Resolver query logs: one JSON object per line.

Field names follow the AWS page "Values that appear in VPC Resolver query logs" (format
version 1.1). Keys may come in any order, and the DNS Firewall fields appear only on queries
that matched a firewall rule.
"""

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from logparsers.common import ParseStats
from logparsers.results import MalformedLineError, ParsedBatch, parse_in_batches

FORMAT_NAME = "route53-resolver"
DEFAULT_BATCH_SIZE = 10_000
REQUIRED_FIELDS = ("query_timestamp", "query_name", "srcaddr")
DETECTION_FIELDS = frozenset({"version", "query_name", "srcaddr"})


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    """One answer record: its data, type (A, AAAA, CNAME, PTR, ...) and class."""

    rdata: str
    type: str
    dns_class: str


@dataclass(frozen=True, slots=True)
class ResolverQuery:
    """One DNS query seen by the VPC Resolver, with the DNS Firewall verdict when there is one."""

    line_number: int
    query_timestamp: datetime
    query_name: str
    query_type: str | None
    query_class: str | None
    rcode: str | None
    answers: tuple[DnsAnswer, ...]
    srcaddr: str
    srcport: int | None
    transport: str | None
    version: str | None
    account_id: str | None
    region: str | None
    vpc_id: str | None
    instance_id: str | None
    resolver_endpoint_id: str | None
    firewall_rule_group_id: str | None = None
    firewall_rule_action: str | None = None
    firewall_domain_list_id: str | None = None

    @property
    def domain(self) -> str:
        """The query name in lower case without the trailing root dot."""
        return self.query_name.rstrip(".").lower()


def detect_resolver(head: bytes) -> bool:
    """Decide from the first decompressed bytes of an object whether it contains Resolver logs.

    The first non-blank line must be a JSON object with the DETECTION_FIELDS keys, which
    GuardDuty findings, CloudTrail events and AWS WAF logs do not have together.
    """
    for raw in head.split(b"\n"):
        line = raw.strip()
        if line:
            try:
                data = json.loads(line)
            except ValueError:
                return False
            return isinstance(data, dict) and DETECTION_FIELDS <= data.keys()
    return False


def parse_resolver_lines(
    lines: Iterable[str | bytes],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    source: str = "",
    first_line_number: int = 1,
    stats: ParseStats | None = None,
) -> Iterator[ParsedBatch[ResolverQuery]]:
    """Parse Resolver query log lines into batches of ResolverQuery plus numbered malformed lines."""
    return parse_in_batches(
        lines,
        parse_resolver_line,
        batch_size=batch_size,
        source=source,
        first_line_number=first_line_number,
        stats=stats,
    )


def parse_resolver_line(line: str, line_number: int = 1) -> ResolverQuery:
    """Parse one JSON query log record, or raise MalformedLineError saying what is wrong."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as err:
        raise MalformedLineError(f"invalid JSON at column {err.colno}: {err.msg}") from err
    if not isinstance(data, dict):
        raise MalformedLineError(f"expected a JSON object, found {type(data).__name__}")
    missing = [name for name in REQUIRED_FIELDS if not data.get(name)]
    if missing:
        raise MalformedLineError(f"missing field {missing[0]!r}")
    return _build_query(data, line_number)


def _build_query(data: dict, line_number: int) -> ResolverQuery:
    srcids = data.get("srcids") if isinstance(data.get("srcids"), dict) else {}
    return ResolverQuery(
        line_number=line_number,
        query_timestamp=_timestamp(data["query_timestamp"]),
        query_name=str(data["query_name"]),
        query_type=_text(data.get("query_type")),
        query_class=_text(data.get("query_class")),
        rcode=_text(data.get("rcode")),
        answers=_answers(data.get("answers")),
        srcaddr=str(data["srcaddr"]),
        srcport=_port(data.get("srcport")),
        transport=_text(data.get("transport")),
        version=_text(data.get("version")),
        account_id=_text(data.get("account_id")),
        region=_text(data.get("region")),
        vpc_id=_text(data.get("vpc_id")),
        instance_id=_text(srcids.get("instance")),
        resolver_endpoint_id=_text(srcids.get("resolver_endpoint")),
        firewall_rule_group_id=_text(data.get("firewall_rule_group_id")),
        firewall_rule_action=_text(data.get("firewall_rule_action")),
        firewall_domain_list_id=_text(data.get("firewall_domain_list_id")),
    )


def _timestamp(value: object) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise MalformedLineError(f"invalid query_timestamp {value!r}") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _answers(value: object) -> tuple[DnsAnswer, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise MalformedLineError("invalid answers: expected a list of objects")
    return tuple(
        DnsAnswer(str(item.get("Rdata", "")), str(item.get("Type", "")), str(item.get("Class", "")))
        for item in value
    )


def _port(value: object) -> int | None:
    if value in (None, "", "-"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as err:
        raise MalformedLineError(f"invalid srcport {value!r}") from err


def _text(value: object) -> str | None:
    return None if value in (None, "", "-") else str(value)
