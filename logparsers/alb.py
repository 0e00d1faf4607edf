"""Parser for Application Load Balancer access log lines, as ELB writes them to S3.

Fields are separated by spaces. The request, the user agent and several later fields are
quoted, `-` marks an absent value and `-1` an unmeasured processing time. The field order follows the AWS
"Access log entries" page for Application Load Balancers. Fields that AWS appends after
`conn_trace_id` are kept in `extra_fields`, so newer lines still parse.
Gzip is the reader's job: this module receives text lines.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from logparsers.common import ParseStats
from logparsers.results import MalformedLineError, ParsedBatch, parse_in_batches

FORMAT_NAME = "alb"
REQUEST_TYPES = frozenset({"http", "https", "h2", "grpcs", "ws", "wss"})

# The fields up to trace_id are the oldest. AWS appended the later ones over the years, so
# a line may end anywhere after trace_id.
MIN_FIELDS = 18
DEFAULT_BATCH_SIZE = 10_000
# Fields 19 to 30 of a line, in order. Lines written before AWS added them lack some.
LATE_FIELDS = (
    "domain_name",
    "chosen_cert_arn",
    "matched_rule_priority",
    "request_creation_time",
    "actions_executed",
    "redirect_url",
    "error_reason",
    "target_port_list",
    "target_status_code_list",
    "classification",
    "classification_reason",
    "conn_trace_id",
)

# A quoted field may contain backslash escapes. Every field ends at a space or the line end.
_FIELD = re.compile(r'"((?:[^"\\]|\\.)*)"(?: |$)|([^ "][^ ]*)(?: |$)')
_ESCAPE = re.compile(r"\\(.)")
_CONNECTION_LOG_START = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@dataclass(frozen=True, slots=True)
class AlbRecord:
    """One ALB access log entry, with None for `-` values and for `-1` processing times.

    `time` is when the load balancer sent the response, `request_creation_time` when it
    received the request. Detectors window on the latter when it is present.
    """

    line_number: int
    type: str
    time: datetime
    elb: str
    client_ip: str | None
    client_port: int | None
    target_ip: str | None
    target_port: int | None
    request_processing_time: float | None
    target_processing_time: float | None
    response_processing_time: float | None
    elb_status_code: int | None
    target_status_code: int | None
    received_bytes: int
    sent_bytes: int
    method: str | None
    url: str | None
    http_version: str | None
    user_agent: str | None
    ssl_cipher: str | None
    ssl_protocol: str | None
    target_group_arn: str | None
    trace_id: str | None
    domain_name: str | None = None
    chosen_cert_arn: str | None = None
    matched_rule_priority: int | None = None
    request_creation_time: datetime | None = None
    actions_executed: tuple[str, ...] = ()
    redirect_url: str | None = None
    error_reason: str | None = None
    target_port_list: str | None = None
    target_status_code_list: str | None = None
    classification: str | None = None
    classification_reason: str | None = None
    conn_trace_id: str | None = None
    extra_fields: tuple[str, ...] = ()


def detect_alb(head: bytes) -> bool:
    """Decide from the first decompressed bytes of an object whether it contains ALB access logs.

    The first non-blank line must parse as an access log entry: a known request type, at
    least MIN_FIELDS fields, and valid times, addresses and status codes.
    """
    for raw in head.split(b"\n"):
        line = raw.decode("utf-8", "replace").strip()
        if line:
            try:
                parse_alb_line(line)
            except MalformedLineError:
                return False
            return True
    return False


def parse_alb_lines(
    lines: Iterable[str | bytes],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    source: str = "",
    first_line_number: int = 1,
    stats: ParseStats | None = None,
) -> Iterator[ParsedBatch[AlbRecord]]:
    """Parse ALB access log lines into batches of AlbRecord plus numbered malformed lines."""
    return parse_in_batches(
        lines,
        parse_alb_line,
        batch_size=batch_size,
        source=source,
        first_line_number=first_line_number,
        stats=stats,
    )


def parse_alb_line(line: str, line_number: int = 1) -> AlbRecord:
    """Parse one access log line, or raise MalformedLineError saying why it is not one."""
    _reject_other_formats(line)
    fields = split_fields(line)
    if fields[0] not in REQUEST_TYPES:
        raise MalformedLineError(f"unknown request type {fields[0]!r}")
    if len(fields) < MIN_FIELDS:
        raise MalformedLineError(f"expected at least {MIN_FIELDS} fields, found {len(fields)}")
    try:
        return _build_record(fields, line_number)
    except ValueError as err:
        raise MalformedLineError(str(err)) from err


def split_fields(line: str) -> list[str]:
    """Split a line into fields and unquote the quoted ones, or raise MalformedLineError."""
    fields: list[str] = []
    position = 0
    while position < len(line):
        match = _FIELD.match(line, position)
        if match is None:
            raise MalformedLineError(f"invalid quoting at column {position + 1}")
        quoted, bare = match.groups()
        fields.append(_ESCAPE.sub(r"\1", quoted) if quoted is not None else bare)
        position = match.end()
    return fields


def _reject_other_formats(line: str) -> None:
    """Name the ELB log kinds that share a bucket with ALB access logs but are not them."""
    if line.startswith("{"):
        raise MalformedLineError(
            "JSON record (for example an AWS WAF log), not an ALB access log line"
        )
    if line.startswith("tls "):
        raise MalformedLineError("Network Load Balancer TLS log line, not an ALB access log line")
    if _CONNECTION_LOG_START.match(line):
        raise MalformedLineError("ALB connection log line, not an ALB access log line")


def _build_record(fields: list[str], line_number: int) -> AlbRecord:
    client_ip, client_port = _address(fields[3], "client:port")
    target_ip, target_port = _address(fields[4], "target:port")
    method, url, http_version = _request(fields[12])
    late = fields[MIN_FIELDS : MIN_FIELDS + len(LATE_FIELDS)]
    late += [None] * (len(LATE_FIELDS) - len(late))
    return AlbRecord(
        line_number=line_number,
        type=fields[0],
        time=_timestamp(fields[1], "time"),
        elb=fields[2],
        client_ip=client_ip,
        client_port=client_port,
        target_ip=target_ip,
        target_port=target_port,
        request_processing_time=_seconds(fields[5]),
        target_processing_time=_seconds(fields[6]),
        response_processing_time=_seconds(fields[7]),
        elb_status_code=_optional_int(fields[8], "elb_status_code"),
        target_status_code=_optional_int(fields[9], "target_status_code"),
        received_bytes=_optional_int(fields[10], "received_bytes") or 0,
        sent_bytes=_optional_int(fields[11], "sent_bytes") or 0,
        method=method,
        url=url,
        http_version=http_version,
        user_agent=_dash(fields[13]),
        ssl_cipher=_dash(fields[14]),
        ssl_protocol=_dash(fields[15]),
        target_group_arn=_dash(fields[16]),
        trace_id=_dash(fields[17]),
        **_late_fields(late),
        extra_fields=tuple(fields[MIN_FIELDS + len(LATE_FIELDS) :]),
    )


def _late_fields(values: list[str | None]) -> dict:
    """Convert the fields from domain_name to conn_trace_id, which older lines lack."""
    late = dict(zip(LATE_FIELDS, (_dash(value) for value in values), strict=True))
    priority = late["matched_rule_priority"]
    late["matched_rule_priority"] = _optional_int(priority, "matched_rule_priority")
    created = late["request_creation_time"]
    late["request_creation_time"] = (
        _timestamp(created, "request_creation_time") if created else None
    )
    actions = late["actions_executed"]
    late["actions_executed"] = tuple(actions.split(",")) if actions else ()
    return late


def _request(value: str) -> tuple[str | None, str | None, str | None]:
    """Split `METHOD URL PROTOCOL`. The URL may contain spaces (classification SpaceInUri)."""
    method, _, rest = value.partition(" ")
    url, _, version = rest.rpartition(" ") if " " in rest else (rest, "", "")
    return _dash(method), _dash(url), _dash(version)


def _address(value: str, name: str) -> tuple[str | None, int | None]:
    if value == "-":
        return None, None
    host, separator, port = value.rpartition(":")
    if not separator or not port.isdigit():
        raise ValueError(f"invalid {name} {value!r}")
    return host.strip("[]"), int(port)


def _timestamp(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise ValueError(f"invalid {name} {value!r}") from err
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _seconds(value: str) -> float | None:
    if value in ("-1", "-"):
        return None
    try:
        return float(value)
    except ValueError as err:
        raise ValueError(f"invalid processing time {value!r}") from err


def _optional_int(value: str | None, name: str) -> int | None:
    if value is None or value == "-":
        return None
    try:
        return int(value)
    except ValueError as err:
        raise ValueError(f"invalid {name} {value!r}") from err


def _dash(value: str | None) -> str | None:
    return None if value in (None, "-", "") else value
