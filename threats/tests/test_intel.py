"""Threat-intel lists: line formats, address and domain lookups, reloading, sample lists."""

import logging
import os
from pathlib import Path

import pyarrow as pa
import pytest

from threats.intel import IntelFeed, IntelMatch, parse_intel_lines

INTEL = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "threat-intel"

MIXED_LIST = """\
# a comment line
198.51.100.7
203.0.113.0/24   # a trailing comment
10.0.0.0/8
10.1.2.0/24
2001:db8:bad::/48
192.0.2.1\t9
192.0.2.2\t1
0.0.0.0 c2.evil.example
127.0.0.1 drop.evil.example
phish.example.
not a valid entry
0.0.0.0
::/0
"""


def test_mixed_formats_parsed():
    parsed = parse_intel_lines(MIXED_LIST.splitlines(), min_count=2)

    assert sorted(str(network) for network in parsed.networks) == [
        "10.0.0.0/8",
        "10.1.2.0/24",
        "192.0.2.1/32",
        "198.51.100.7/32",
        "2001:db8:bad::/48",
        "203.0.113.0/24",
    ]
    assert parsed.domains == {"c2.evil.example", "drop.evil.example", "phish.example"}
    assert parsed.below_min_count == 1
    assert parsed.skipped_lines == 3


@pytest.fixture
def feed(tmp_path) -> IntelFeed:
    path = tmp_path / "mixed.txt"
    path.write_text(MIXED_LIST)
    return IntelFeed(path)


@pytest.mark.parametrize(
    ("address", "entry"),
    [
        ("198.51.100.7", "198.51.100.7/32"),
        ("203.0.113.255", "203.0.113.0/24"),
        ("10.1.2.3", "10.0.0.0/8"),
        ("2001:db8:bad:ffff::1", "2001:db8:bad::/48"),
        ("192.0.2.2", "192.0.2.2/32"),
        ("198.51.100.8", None),
        ("11.0.0.1", None),
        ("2001:db8:bae::1", None),
        ("not-an-ip", None),
        (None, None),
    ],
)
def test_find_ip(feed, address, entry):
    expected = IntelMatch(entry, "mixed.txt") if entry else None

    assert feed.find_ip(address) == expected


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("c2.evil.example", "c2.evil.example"),
        ("X.C2.Evil.Example.", "c2.evil.example"),
        ("phish.example", "phish.example"),
        ("evil.example", None),
        ("c2.evil.example.org", None),
        ("", None),
    ],
)
def test_find_domain(feed, name, entry):
    match = feed.find_domain(name)

    assert (match.entry if match else None) == entry


def test_mask_checks_a_column(feed):
    column = pa.chunked_array(
        [["10.9.9.9", None, "8.8.8.8"], ["2001:db8:bad::5", "999.1.1.1", "198.51.100.7"]]
    )

    assert feed.networks.mask(column).to_pylist() == [True, False, False, True, False, True]


def test_reload_after_change(feed):
    assert feed.refresh() is False
    feed.path.write_text("192.0.2.200\n")
    os.utime(feed.path, ns=(0, 1))

    assert feed.refresh() is True
    assert feed.find_ip("192.0.2.200") is not None
    assert feed.find_ip("198.51.100.7") is None


def test_missing_file_keeps_last_entries(feed, caplog):
    feed.path.unlink()

    with caplog.at_level(logging.WARNING, logger="threats.intel"):
        assert feed.refresh() is False

    assert feed.find_ip("198.51.100.7") is not None
    assert "unreadable" in caplog.text


@pytest.mark.parametrize(
    ("name", "networks", "domains"),
    [
        # 1,413 addresses, one a line, no comments.
        ("ipsum-level5-ips.txt", 1413, 0),
        # 500 lines: a 7-line `#` header, then 493 `IP<TAB>count` rows.
        ("ipsum-head500.tsv", 493, 0),
        # A 12-line `#` header, a blank line, then 53 `0.0.0.0 domain` rows.
        ("blocklistproject-ransomware-hosts-excerpt.txt", 0, 53),
    ],
)
def test_sample_lists_load(name, networks, domains):
    feed = IntelFeed(INTEL / name)

    assert (feed.networks.size, feed.domains.size) == (networks, domains)


def test_sample_ipsum_lookup():
    feed = IntelFeed(INTEL / "ipsum-head500.tsv")

    assert feed.find_ip("77.90.185.20") == IntelMatch("77.90.185.20/32", "ipsum-head500.tsv")
