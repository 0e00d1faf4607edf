"""Route 53 Resolver query log parser: fields, firewall verdicts, rejected lines, sample file."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logparsers.resolver import DnsAnswer, parse_resolver_line, parse_resolver_lines
from logparsers.results import MalformedLineError

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "route53-resolver"

QUERY = {
    "version": "1.100000",
    "account_id": "111122223333",
    "region": "us-east-1",
    "vpc_id": "vpc-7example",
    "query_timestamp": "2021-12-11T22:46:26Z",
    "query_name": "WWW.Example.com.",
    "query_type": "A",
    "query_class": "IN",
    "rcode": "NOERROR",
    "answers": [
        {"Rdata": "cdn.example.net.", "Type": "CNAME", "Class": "IN"},
        {"Rdata": "192.0.2.10", "Type": "A", "Class": "IN"},
    ],
    "srcaddr": "10.0.1.15",
    "srcport": "43312",
    "transport": "UDP",
    "srcids": {"instance": "i-0123456789abcdef0"},
}


def _line(**changes) -> str:
    data = {**QUERY, **changes}
    return json.dumps({key: value for key, value in data.items() if value is not None})


def test_query_fields():
    query = parse_resolver_line(_line(), 4)

    assert query.line_number == 4
    assert query.query_timestamp == datetime(2021, 12, 11, 22, 46, 26, tzinfo=UTC)
    assert query.query_name == "WWW.Example.com."
    assert query.domain == "www.example.com"
    assert query.answers[1] == DnsAnswer("192.0.2.10", "A", "IN")
    assert (query.srcaddr, query.srcport) == ("10.0.1.15", 43312)
    assert query.instance_id == "i-0123456789abcdef0"
    assert query.firewall_rule_action is None


def test_firewall_fields():
    line = _line(
        firewall_rule_group_id="rslvr-frg-01234567890abcdef",
        firewall_rule_action="BLOCK",
        firewall_domain_list_id="rslvr-fdl-01234567890abcdef",
    )

    query = parse_resolver_line(line)

    assert query.firewall_rule_action == "BLOCK"
    assert query.firewall_domain_list_id == "rslvr-fdl-01234567890abcdef"


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"answers": []}, "answers", ()),
        ({"answers": None}, "answers", ()),
        ({"srcids": {}}, "instance_id", None),
        ({"srcport": None}, "srcport", None),
    ],
)
def test_empty_optional_fields(changes, field, expected):
    query = parse_resolver_line(_line(**changes))

    assert getattr(query, field) == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json", "invalid JSON at column 1"),
        ("[1, 2]", "expected a JSON object, found list"),
        (_line(query_name=None), "missing field 'query_name'"),
        (_line(srcaddr=""), "missing field 'srcaddr'"),
        (_line(query_timestamp="soon"), "invalid query_timestamp 'soon'"),
        (_line(answers="none"), "invalid answers"),
        (_line(srcport="http"), "invalid srcport 'http'"),
    ],
)
def test_rejected_line_reason(line, reason):
    with pytest.raises(MalformedLineError, match=reason):
        parse_resolver_line(line)


def test_malformed_line_in_middle_is_reported():
    batches = list(parse_resolver_lines([_line(), "{broken", _line()], source="r53.log"))

    assert [query.line_number for query in batches[0].records] == [1, 3]
    assert [(m.source, m.line) for m in batches[0].malformed] == [("r53.log", 2)]


def test_sample_file_counts():
    # 34 JSON objects, one per line, with no trailing newline (`wc -l` prints 33). Each one has
    # a timestamp, a query name and a source address, so none is malformed.
    with open(SAMPLES / "elastic-resolver-query-logs.ndjson", encoding="utf-8") as handle:
        batches = list(parse_resolver_lines(handle))

    records = [query for batch in batches for query in batch.records]
    assert [query.line_number for query in records] == list(range(1, 35))
    assert [m for batch in batches for m in batch.malformed] == []


def test_sample_file_firewall_and_ipv6_records():
    with open(SAMPLES / "elastic-resolver-query-logs.ndjson", encoding="utf-8") as handle:
        records = [query for batch in parse_resolver_lines(handle) for query in batch.records]

    blocked = [query for query in records if query.firewall_rule_action]
    assert [(query.line_number, query.firewall_rule_action) for query in blocked] == [(33, "BLOCK")]
    assert blocked[0].srcaddr == "81.2.69.143"
    assert records[33].domain.endswith("ip6.arpa")
    assert sum(1 for query in records if query.rcode == "NXDOMAIN") == 11
