"""DDoS detector: rate against the destination's own baseline, and SYN floods."""

import pytest

from threats.detectors import DdosDetector
from threats.detectors.base import Severity
from threats.tests.detector_inputs import BASE_EPOCH, flow, flow_table

VICTIM = "10.0.3.3"
MINUTE = 60


def _bucket(minute: int, flows: int, sources: int, **fields) -> list[dict]:
    """`flows` flows to the victim within minute `minute`, spread over `sources` sources."""
    return [
        flow(
            srcaddr=f"198.51.{index % sources // 250}.{index % sources % 250 + 1}",
            dstaddr=VICTIM,
            srcport=30000 + index % 30000,
            dstport=80,
            packets=1,
            start=BASE_EPOCH + minute * MINUTE + index % 60,
            **fields,
        )
        for index in range(flows)
    ]


def _history(flows_per_minute: int, minutes: int = 10) -> list[dict]:
    return [row for minute in range(minutes) for row in _bucket(minute, flows_per_minute, 10)]


def _detect(rows: list[dict]) -> list:
    detector = DdosDetector()
    detector.observe(flow_table(rows))
    return detector.flush()


def test_flood_over_baseline_detected():
    rows = _history(100) + _bucket(10, 1000, 100)

    (found,) = _detect(rows)

    assert found.type == "ddos"
    assert found.severity == Severity.HIGH
    assert found.destination_ip == VICTIM
    assert found.source_ip.startswith("198.51.0.")
    assert found.blocked is False
    assert found.evidence["kind"] == "volume"
    assert found.evidence["flows"] == 1000
    assert found.evidence["distinct_sources"] == 100
    assert found.evidence["baseline_flows"] == 100
    assert found.evidence["ratio"] == 10.0
    assert len(found.evidence["top_sources"]) == 5
    assert found.evidence["window_start"] == "2024-12-04T08:10:00+00:00"


@pytest.mark.parametrize(
    "rows",
    [
        _history(100) + _bucket(10, 999, 100),
        _history(100) + _bucket(10, 1000, 49),
        _history(1000, 10) + _bucket(10, 1000, 100),
    ],
    ids=["9.99x baseline", "49 sources", "steady busy destination"],
)
def test_near_misses_and_steady_load_are_quiet(rows):
    assert _detect(rows) == []


def test_baseline_survives_between_flushes():
    detector = DdosDetector()
    detector.observe(flow_table(_history(1000)))
    assert detector.flush() == []

    detector.observe(flow_table(_bucket(10, 1000, 100)))

    assert detector.flush() == []


def test_syn_flood_detected():
    rows = _bucket(0, 500, 500, tcp_flags=2)

    (found,) = _detect(rows)

    assert found.evidence["kind"] == "syn_flood"
    assert found.severity == Severity.CRITICAL
    assert found.evidence["syn"] == 500
    assert found.evidence["distinct_sources"] == 500
    assert "SYN flood" in found.description


def test_rejected_syn_flood_is_blocked():
    (found,) = _detect(_bucket(0, 600, 600, tcp_flags=2, action="REJECT"))

    assert found.blocked is True
    assert found.severity == Severity.HIGH


@pytest.mark.parametrize(
    "rows",
    [
        _bucket(0, 499, 499, tcp_flags=2),
        _bucket(0, 500, 500, tcp_flags=19),
        _bucket(0, 500, 500, tcp_flags=2) + _bucket(0, 200, 50, tcp_flags=19),
        _bucket(0, 500, 500),
    ],
    ids=["499 SYN-only", "completed handshakes", "SYN share under 80%", "no tcp_flags column"],
)
def test_syn_near_misses_are_quiet(rows):
    assert _detect(rows) == []
