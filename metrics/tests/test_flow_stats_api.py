"""GET /api/metrics/vpc over rollups of a generated file, checked against a direct count."""

import gzip
import random
from collections import Counter
from datetime import UTC, datetime
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command

from metrics.timeranges import TIME_RANGES

NOW = datetime(2026, 12, 4, 13, 37, 12, tzinfo=UTC)
URL = "/api/metrics/vpc"
NAMES = {6: "TCP", 17: "UDP", 1: "ICMP", 58: "ICMPv6", 47: "GRE"}
SOURCES = [f"10.0.{i}.{i * 7}" for i in range(8)] + ["2001:db8::1", "2001:db8::2", "203.0.113.9"]
DESTINATIONS = [f"172.16.0.{i}" for i in range(6)] + ["2001:db8:ff::10"]

pytestmark = pytest.mark.django_db


def generate_flows(count: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    first = int(NOW.timestamp()) - 8 * 86400
    flows = []
    for _ in range(count):
        flows.append(
            {
                "srcaddr": rng.choice(SOURCES),
                "dstaddr": rng.choice(DESTINATIONS),
                "protocol": rng.choice([6, 6, 6, 6, 17, 17, 1, 58, 47]),
                "bytes": rng.randrange(40, 90000),
                # Up to an hour after NOW, so some flows fall after every window's end.
                "start": rng.randrange(first, int(NOW.timestamp()) + 3600),
                "action": "REJECT" if rng.random() < 0.2 else "ACCEPT",
            }
        )
    return flows


def write_flows(path, flows: list[dict]) -> None:
    lines = ["version account-id interface-id srcaddr dstaddr srcport dstport protocol "
             "packets bytes start end action log-status"]  # fmt: skip
    for f in flows:
        lines.append(
            f"2 123456789012 eni-7 {f['srcaddr']} {f['dstaddr']} 40000 443 {f['protocol']} 3 "
            f"{f['bytes']} {f['start']} {f['start'] + 50} {f['action']} OK"
        )
        lines.append(f"2 123456789012 eni-7 - - - - - - - {f['start']} {f['start'] + 60} - NODATA")
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def expected_percentages(counts: Counter) -> dict[str, int]:
    """Largest-remainder percentages, computed with exact fractions."""
    total = sum(counts.values())
    shares = {name: Fraction(100 * n, total) for name, n in counts.items()}
    result = {name: int(share) for name, share in shares.items()}
    leftover = 100 - sum(result.values())
    by_remainder = sorted(
        shares,
        key=lambda n: (shares[n] - int(shares[n]), counts[n], [-ord(c) for c in n]),
        reverse=True,
    )
    for name in by_remainder[:leftover]:
        result[name] += 1
    return result


def expected_stats(flows: list[dict], range_name: str) -> dict:
    start, end = TIME_RANGES[range_name].aligned_window(NOW)
    inside = [f for f in flows if start.timestamp() <= f["start"] < end.timestamp()]
    sources = Counter(f["srcaddr"] for f in inside)
    destinations = Counter(f["dstaddr"] for f in inside)
    protocols = Counter(NAMES[f["protocol"]] for f in inside)
    return {
        "total_flows": len(inside),
        "accepted_flows": sum(f["action"] == "ACCEPT" for f in inside),
        "rejected_flows": sum(f["action"] == "REJECT" for f in inside),
        "bytes_transferred": sum(f["bytes"] for f in inside),
        "top_sources": [
            {"ip": ip, "count": n}
            for ip, n in sorted(sources.items(), key=lambda i: (-i[1], i[0]))[:5]
        ],
        "top_destinations": [
            {"ip": ip, "count": n}
            for ip, n in sorted(destinations.items(), key=lambda i: (-i[1], i[0]))[:5]
        ],
        "protocol_distribution": expected_percentages(protocols) if inside else {},
    }


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr("metrics.api.flow_views.timezone.now", lambda: NOW)


@pytest.fixture
def generated_flows(tmp_path, frozen_now):
    flows = generate_flows(6000)
    path = tmp_path / "flows.log.gz"
    write_flows(path, flows)
    call_command("ingest", str(path), stdout=StringIO())
    return flows


@pytest.mark.parametrize("range_name", list(TIME_RANGES))
def test_stats_match_direct_count(auth_client, generated_flows, range_name):
    response = auth_client.get(URL, {"time_range": range_name})

    assert response.status_code == 200
    expected = expected_stats(generated_flows, range_name)
    body = response.json()
    assert body["total_flows"] == expected["total_flows"]
    assert body["accepted_flows"] == expected["accepted_flows"]
    assert body["rejected_flows"] == expected["rejected_flows"]
    assert body["bytes_transferred"] == expected["bytes_transferred"]
    assert body["top_sources"] == expected["top_sources"]
    assert body["top_destinations"] == expected["top_destinations"]
    assert body["protocol_distribution"] == expected["protocol_distribution"]
    assert sum(body["protocol_distribution"].values()) == 100


def test_ranges_see_flows(auth_client, generated_flows):
    totals = [auth_client.get(URL, {"time_range": r}).json()["total_flows"] for r in TIME_RANGES]

    assert 0 < totals[0] < totals[1] < totals[2] < totals[3]


def test_default_range_is_one_hour(auth_client, generated_flows):
    default = auth_client.get(URL).json()

    assert default == auth_client.get(URL, {"time_range": "1h"}).json()


def test_no_flows_gives_zeros(auth_client, frozen_now):
    response = auth_client.get(URL, {"time_range": "24h"})

    assert response.status_code == 200
    assert response.json() == {
        "total_flows": 0,
        "accepted_flows": 0,
        "rejected_flows": 0,
        "bytes_transferred": 0,
        "top_sources": [],
        "top_destinations": [],
        "protocol_distribution": {},
    }


def test_requires_token(api_client):
    response = api_client.get(URL, {"time_range": "1h"})

    assert response.status_code == 401


def test_invalid_range_rejected(auth_client):
    response = auth_client.get(URL, {"time_range": "2d"})

    assert response.status_code == 400
    assert "time_range" in response.json()["message"]


def test_short_top_lists_still_exact(auth_client, tmp_path, frozen_now, monkeypatch):
    # With lists of 2 entries the bound check fails often, so both the listed-candidate path
    # and the full-scan fallback compute some of the ranges.
    monkeypatch.setattr("metrics.flows.top_talkers.TOP_LIST_SIZE", 2)
    flows = generate_flows(3000, seed=11)
    path = tmp_path / "flows.log.gz"
    write_flows(path, flows)
    call_command("ingest", str(path), stdout=StringIO())

    for range_name in TIME_RANGES:
        body = auth_client.get(URL, {"time_range": range_name}).json()
        expected = expected_stats(flows, range_name)
        assert body["top_sources"] == expected["top_sources"], range_name
        assert body["top_destinations"] == expected["top_destinations"], range_name
