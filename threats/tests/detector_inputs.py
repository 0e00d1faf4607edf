"""Builders of detector inputs for the detector tests: flow tables, ALB records, DNS queries."""

from datetime import UTC, datetime, timedelta

import pyarrow as pa

from logparsers.alb import AlbRecord
from logparsers.resolver import DnsAnswer, ResolverQuery

# 2024-12-04T08:00:00Z: a multiple of every window length used (60 s, 300 s, 3600 s).
BASE_EPOCH = 1_733_299_200
BASE_TIME = datetime.fromtimestamp(BASE_EPOCH, tz=UTC)

_FLOW_DEFAULTS = {
    "version": 2,
    "account_id": "123456789012",
    "interface_id": "eni-0123456789abcdef0",
    "srcaddr": "198.51.100.7",
    "dstaddr": "10.0.1.5",
    "srcport": 40000,
    "dstport": 443,
    "protocol": 6,
    "packets": 10,
    "bytes": 1000,
    "start": BASE_EPOCH,
    "end": BASE_EPOCH + 60,
    "action": "ACCEPT",
    "log_status": "OK",
}
_INTEGER_COLUMNS = {
    "version",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "tcp_flags",
}


def flow(**fields) -> dict:
    """One flow record with defaults for the fields not given."""
    return {**_FLOW_DEFAULTS, **fields}


def flow_table(rows: list[dict]) -> pa.Table:
    """A table shaped like the VPC parser's output: int64 numbers, strings, nulls for `-`."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    return pa.table(
        {
            name: pa.array(
                [row.get(name) for row in rows],
                pa.int64() if name in _INTEGER_COLUMNS else pa.string(),
            )
            for name in names
        }
    )


def alb_record(
    url: str = "https://shop.example.com:443/",
    *,
    client_ip: str = "203.0.113.20",
    elb_status_code: int | None = 200,
    target_status_code: int | None = 200,
    seconds: float = 0,
    method: str = "GET",
    line_number: int = 1,
) -> AlbRecord:
    """An ALB access log entry for shop.example.com; a None target status means no target answered."""
    return AlbRecord(
        line_number=line_number,
        type="https",
        time=BASE_TIME + timedelta(seconds=seconds),
        elb="app/shop/50dc6c495c0c9188",
        client_ip=client_ip,
        client_port=52000,
        target_ip="10.0.1.30" if target_status_code is not None else None,
        target_port=8080 if target_status_code is not None else None,
        request_processing_time=0.001,
        target_processing_time=0.002,
        response_processing_time=0.0,
        elb_status_code=elb_status_code,
        target_status_code=target_status_code,
        received_bytes=300,
        sent_bytes=1200,
        method=method,
        url=url,
        http_version="HTTP/1.1",
        user_agent="Mozilla/5.0",
        ssl_cipher="ECDHE-RSA-AES128-GCM-SHA256",
        ssl_protocol="TLSv1.2",
        target_group_arn=None,
        trace_id="Root=1-58337262-36d228ad5d99923122bbe354",
        domain_name="shop.example.com",
    )


def dns_query(
    name: str,
    *,
    srcaddr: str = "10.0.1.15",
    rcode: str = "NOERROR",
    answers: tuple[str, ...] = ("192.0.2.80",),
    firewall_action: str | None = None,
    seconds: float = 0,
    line_number: int = 1,
) -> ResolverQuery:
    """A Resolver query log record whose answers are A records."""
    return ResolverQuery(
        line_number=line_number,
        query_timestamp=BASE_TIME + timedelta(seconds=seconds),
        query_name=name,
        query_type="A",
        query_class="IN",
        rcode=rcode,
        answers=tuple(DnsAnswer(address, "A", "IN") for address in answers),
        srcaddr=srcaddr,
        srcport=53000,
        transport="UDP",
        version="1.100000",
        account_id="111122223333",
        region="us-east-1",
        vpc_id="vpc-7example",
        instance_id="i-0123456789abcdef0",
        resolver_endpoint_id=None,
        firewall_rule_group_id="rslvr-frg-01234567890abcdef" if firewall_action else None,
        firewall_rule_action=firewall_action,
        firewall_domain_list_id="rslvr-fdl-01234567890abcdef" if firewall_action else None,
    )
