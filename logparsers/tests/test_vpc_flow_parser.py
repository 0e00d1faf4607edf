"""The VPC Flow Log parser against the shared sample files and hand-written edge cases."""

import gzip
from pathlib import Path

import pyarrow as pa
import pytest

from logparsers.common import ParseStats
from logparsers.vpc_flow import detect_vpc_flow, parse_vpc_flow
from logparsers.vpc_flow_fields import protocol_name

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "vpc-flow"

# Expected (flows, NODATA, SKIPDATA, malformed) per file, counted by reading each file by
# hand: one record per non-header line, its log-status field decides NODATA/SKIPDATA/flow,
# and a file without a log-status field (the NAT gateway header) has flows only.
SAMPLE_COUNTS = {
    # 6 fields and no known layout: the whole line is malformed.
    "beats-bad-unsupported-format.log": (0, 0, 0, 1),
    # header + 2 records, no log-status column.
    "beats-custom-nat-gateway-header.log": (2, 0, 0, 0),
    # 7 default records (1 NODATA, 1 SKIPDATA), 1 ECS record NODATA, 1 TGW record SKIPDATA.
    "elastic-mixed-v2-v3-malformed-eni.log": (5, 2, 2, 0),
    # lines 2 and 3 are NODATA and SKIPDATA, the other 5 are flows.
    "elastic-v2-default-extra-samples.log": (5, 1, 1, 0),
    # one {"message": ...} line holding a NODATA record.
    "elastic-v2-message-wrapped.ndjson": (0, 1, 0, 0),
    # log-status column: OK, NODATA, SKIPDATA, OK, OK, OK, NODATA, SKIPDATA, NODATA, NODATA.
    "elastic-v3-ecs-fields.log": (4, 4, 2, 0),
    # header repeated before each record: ACCEPT OK, SKIPDATA, NODATA.
    "elastic-v3-header-tcp-flags.log": (1, 1, 1, 0),
    # log-status column: SKIPDATA, NODATA, OK, SKIPDATA x3, OK, SKIPDATA, OK, SKIPDATA.
    "elastic-v3-transit-gateway.log": (3, 1, 6, 0),
    # one REJECT OK record; its 9-digit start is still a whole number, so it is a flow.
    "elastic-v5-all-fields.log": (1, 0, 0, 0),
    "elastic-v8-ecs-reject-reason.log": (0, 1, 0, 0),
    # rows: ACCEPT OK, a NODATA row of 'None' texts, and a row with protocol 8080 (> 255).
    "flowlogs-reader-v2-pandas.parquet": (1, 1, 0, 1),
    # header + TCP accept, UDP accept, TCP reject, NODATA.
    "own-v2-default-with-header.log": (3, 1, 0, 0),
    "own-v2-default-with-header.log.gz": (3, 1, 0, 0),
}


def parse_bytes(data: bytes, block_size: int = 4 * 1024 * 1024) -> tuple[pa.Table, ParseStats]:
    stats = ParseStats()
    batches = list(parse_vpc_flow([data], source="test.log", stats=stats, block_size=block_size))
    if not batches:
        return pa.table({}), stats
    return pa.concat_tables(batches, promote_options="permissive"), stats


def test_every_sample_file_is_listed():
    assert sorted(p.name for p in SAMPLES.iterdir()) == sorted(SAMPLE_COUNTS)


@pytest.mark.parametrize("name", sorted(SAMPLE_COUNTS))
def test_sample_counts(name):
    _, stats = parse_bytes((SAMPLES / name).read_bytes())

    flows, nodata, skipdata, malformed = SAMPLE_COUNTS[name]
    assert stats.flows == flows
    assert stats.nodata == nodata
    assert stats.skipdata == skipdata
    assert stats.malformed == malformed
    assert stats.records == flows + nodata + skipdata


def test_default_columns_and_types():
    table, _ = parse_bytes((SAMPLES / "own-v2-default-with-header.log").read_bytes())

    assert table.column_names == [
        "version", "account_id", "interface_id", "srcaddr", "dstaddr", "srcport", "dstport",
        "protocol", "packets", "bytes", "start", "end", "action", "log_status",
    ]  # fmt: skip
    assert table.schema.field("protocol").type == pa.int64()
    assert table.schema.field("srcaddr").type == pa.string()
    assert table.column("protocol").to_pylist() == [6, 17, 6, None]


def test_dash_becomes_null():
    table, _ = parse_bytes((SAMPLES / "elastic-v2-default-extra-samples.log").read_bytes())

    nodata = table.slice(1, 1).to_pylist()[0]
    assert nodata["srcaddr"] is None
    assert nodata["bytes"] is None
    assert nodata["log_status"] == "NODATA"


def test_ipv6_addresses_kept():
    table, _ = parse_bytes((SAMPLES / "elastic-v2-default-extra-samples.log").read_bytes())

    assert table.column("srcaddr")[0].as_py() == "2001:db8:1234:a100:8d6e:3477:df66:f105"
    assert table.column("dstaddr")[0].as_py() == "2001:db8:1234:a102:3304:8879:34cf:4071"


CUSTOM_V5 = (
    "srcaddr dstaddr version pkt-srcaddr tcp-flags flow-direction traffic-path action "
    "log-status start bytes protocol future-field\n"
    "10.0.0.5 2001:db8::1 5 10.0.0.5 19 egress 8 ACCEPT OK 1733300000 500 6 x1\n"
    "- - 5 - - - - - NODATA 1733300000 - - -\n"
)


def test_custom_header_with_v5_fields():
    table, stats = parse_bytes(CUSTOM_V5.encode())

    first = table.to_pylist()[0]
    assert first["tcp_flags"] == 19
    assert first["flow_direction"] == "egress"
    assert first["traffic_path"] == 8
    assert first["pkt_srcaddr"] == "10.0.0.5"
    assert first["future_field"] == "x1"
    assert (stats.flows, stats.nodata) == (1, 1)


def test_gzip_matches_plain():
    plain = (SAMPLES / "elastic-v2-default-extra-samples.log").read_bytes()

    plain_table, _ = parse_bytes(plain)
    gzip_table, _ = parse_bytes(gzip.compress(plain))

    assert gzip_table.equals(plain_table)


def default_line(index: int) -> str:
    return (
        f"2 123456789012 eni-1 10.0.0.{index % 250} 10.1.0.1 {1024 + index} 443 6 3 300 "
        f"{1733300000 + index} {1733300060 + index} ACCEPT OK"
    )


def test_malformed_line_mid_file_reported_and_skipped():
    lines = [default_line(i) for i in range(10)]
    lines[4] = "2 123456789012 eni-1 10.0.0.4 10.1.0.1 notaport 443 6 3 300 1 2 ACCEPT OK"
    lines[7] = "garbage"

    table, stats = parse_bytes(("\n".join(lines) + "\n").encode())

    assert table.num_rows == 8
    assert stats.malformed == 2
    assert [m.line for m in stats.malformed_examples] == [5, 8]
    assert "srcport='notaport'" in stats.malformed_examples[0].reason


def test_line_numbers_across_blocks():
    lines = [default_line(i) for i in range(400)]
    lines[333] = "2 bad"

    table, stats = parse_bytes(("\n".join(lines) + "\n").encode(), block_size=1000)

    assert table.num_rows == 399
    assert [m.line for m in stats.malformed_examples] == [334]


def test_small_blocks_give_same_table():
    data = ("\n".join(default_line(i) for i in range(500)) + "\n").encode()

    whole, _ = parse_bytes(data)
    blocks, _ = parse_bytes(data, block_size=700)

    assert blocks.equals(whole)


def test_crlf_line_ends_accepted():
    data = (default_line(1) + "\r\n" + default_line(2) + "\r\n").encode()

    table, stats = parse_bytes(data)

    assert table.column("log_status").to_pylist() == ["OK", "OK"]
    assert stats.malformed == 0


def test_out_of_range_port_is_malformed():
    line = default_line(1).replace(" 443 ", " 70000 ")

    _, stats = parse_bytes(line.encode())

    assert stats.malformed == 1


@pytest.mark.parametrize(
    ("number", "name"),
    [
        (6, "TCP"),
        (17, "UDP"),
        (1, "ICMP"),
        (58, "ICMPv6"),
        (47, "GRE"),
        (200, "200"),
        (None, "Unknown"),
    ],
)
def test_protocol_names(number, name):
    assert protocol_name(number) == name


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"version account-id interface-id srcaddr\n", True),
        (default_line(1).encode(), True),
        (b'{"message":"' + default_line(1).encode() + b'"}\n', True),
        (b"PAR1....", True),
        (b"Phony unsupported log format.\n", False),
        (b'{"version":"1.1","query_name":"example.com."}\n', False),
    ],
)
def test_detection(head, expected):
    assert detect_vpc_flow(head) is expected
