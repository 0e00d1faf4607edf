"""Port scan detector: vertical and horizontal scans, unanswered attempts, thresholds, windows."""

from datetime import timedelta

import pytest

from threats.detectors import PortScanDetector
from threats.detectors.base import PortScanThresholds, Severity
from threats.tests.detector_inputs import BASE_TIME, flow, flow_table

SCANNER = "203.0.113.9"
TARGET = "10.0.1.5"


def _vertical(ports: int, *, action: str = "REJECT", start_step: int = 1) -> list[dict]:
    return [
        flow(
            srcaddr=SCANNER,
            dstaddr=TARGET,
            srcport=41000 + port,
            dstport=port,
            action=action,
            start=flow()["start"] + port * start_step,
        )
        for port in range(1, ports + 1)
    ]


def _horizontal(hosts: int, *, action: str = "REJECT", first_host: int = 1, **fields) -> list[dict]:
    """One flow from SCANNER to port 22 on each host 10.0.2.<first_host>.., one second apart."""
    return [
        flow(
            srcaddr=SCANNER,
            dstaddr=f"10.0.2.{host}",
            srcport=41000 + host,
            dstport=22,
            action=action,
            start=flow()["start"] + host,
            **fields,
        )
        for host in range(first_host, first_host + hosts)
    ]


def _detect(rows: list[dict], **thresholds) -> list:
    detector = PortScanDetector(PortScanThresholds(**thresholds))
    detector.observe(flow_table(rows))
    return detector.flush()


def test_vertical_scan_detected():
    rows = _vertical(60, action="ACCEPT")

    (found,) = _detect(rows)

    assert found.type == "port_scan"
    assert found.severity == Severity.MEDIUM
    assert (found.source_ip, found.destination_ip) == (SCANNER, TARGET)
    assert found.blocked is False
    assert found.evidence["scan"] == "vertical"
    assert found.evidence["distinct_ports"] == 60
    assert found.evidence["ports_sample"] == list(range(1, 21))
    assert found.evidence["flows"] == 60
    assert found.occurred_at == BASE_TIME + timedelta(seconds=1)
    assert found.evidence["log_source"] == "vpc_flow"


def test_rejected_scan_is_blocked_and_lower():
    (found,) = _detect(_vertical(60))

    assert found.blocked is True
    assert found.severity == Severity.LOW
    assert found.evidence["rejected_flows"] == 60


def test_broad_sweep_is_high():
    (found,) = _detect(_vertical(200, action="ACCEPT"))

    assert found.severity == Severity.HIGH


def test_horizontal_rejected_sweep_detected():
    (found,) = _detect(_horizontal(50))

    assert found.type == "port_scan"
    assert found.severity == Severity.LOW
    assert (found.source_ip, found.destination_ip) == (SCANNER, None)
    assert found.blocked is True
    assert found.description == (
        f"Port scan: {SCANNER} probed port 22 on 50 hosts with no completed handshake"
        " within 5 minutes (all rejected)"
    )
    assert found.evidence["scan"] == "horizontal"
    assert found.evidence["dstport"] == 22
    assert found.evidence["distinct_hosts"] == 50
    assert found.evidence["hosts_sample"] == sorted(f"10.0.2.{host}" for host in range(1, 51))[:20]
    assert found.evidence["flows"] == 50
    assert found.evidence["rejected_flows"] == 50
    assert found.evidence["first_seen"] == (BASE_TIME + timedelta(seconds=1)).isoformat()
    assert found.evidence["last_seen"] == (BASE_TIME + timedelta(seconds=50)).isoformat()
    assert found.occurred_at == BASE_TIME + timedelta(seconds=1)
    assert found.features["rejected_ratio"] == 1.0


def test_horizontal_syn_only_sweep_detected():
    # Security groups let the probes through, but no host completed a handshake: tcp-flags 2.
    (found,) = _detect(_horizontal(50, action="ACCEPT", tcp_flags=2))

    assert found.type == "port_scan"
    assert found.severity == Severity.MEDIUM
    assert (found.source_ip, found.destination_ip) == (SCANNER, None)
    assert found.blocked is False
    assert found.evidence["scan"] == "horizontal"
    assert found.evidence["distinct_hosts"] == 50
    assert found.evidence["flows"] == 50
    assert found.evidence["rejected_flows"] == 0


def test_horizontal_mixed_unanswered_attempts_add_up():
    rows = _horizontal(40) + _horizontal(10, action="ACCEPT", first_host=41, tcp_flags=2)

    (found,) = _detect(rows)

    assert found.evidence["distinct_hosts"] == 50
    assert found.evidence["rejected_flows"] == 40
    assert found.blocked is False


def test_horizontal_broad_rejected_sweep_is_medium():
    # 200 hosts is four times the threshold (high), lowered one level because all were rejected.
    (found,) = _detect(_horizontal(200))

    assert found.severity == Severity.MEDIUM
    assert found.evidence["distinct_hosts"] == 200


def test_busy_client_accepted_flows_are_quiet():
    # A client of one service on 50 servers: the same volume as the sweep above, accepted.
    assert _detect(_horizontal(50, action="ACCEPT")) == []


def test_busy_client_with_handshakes_is_quiet():
    # 19 is SYN, ACK and FIN: the client completed the handshake and closed the connection.
    assert _detect(_horizontal(50, action="ACCEPT", tcp_flags=19)) == []


def test_accepted_flows_with_null_tcp_flags_are_quiet():
    rows = _horizontal(50, action="ACCEPT", tcp_flags=None)

    assert _detect(rows) == []


def test_busy_client_with_some_rejects_is_quiet():
    # Each server accepted the client three times and rejected it once in the window.
    rows = [row for _ in range(3) for row in _horizontal(50, action="ACCEPT")] + _horizontal(50)

    assert _detect(rows) == []


def test_accepting_host_leaves_sweep_under_threshold():
    rows = _horizontal(49) + _horizontal(1, action="ACCEPT", first_host=50)

    assert _detect(rows) == []


def test_accepting_hosts_left_out_of_evidence():
    rows = _horizontal(50) + _horizontal(10, action="ACCEPT", first_host=51)

    (found,) = _detect(rows)

    assert found.evidence["distinct_hosts"] == 50
    assert found.evidence["flows"] == 50
    assert found.blocked is True


@pytest.mark.parametrize("rows", [_vertical(49), _horizontal(49)], ids=["49 ports", "49 hosts"])
def test_just_under_threshold_is_quiet(rows):
    assert _detect(rows) == []


def test_server_replies_to_ephemeral_ports_are_quiet():
    # A web server replying on 60 connections sends flows from port 443 to 60 client ports.
    replies = [
        flow(srcaddr=TARGET, dstaddr=SCANNER, srcport=443, dstport=40000 + index)
        for index in range(60)
    ]
    requests = [
        flow(srcaddr=SCANNER, dstaddr=TARGET, srcport=40000 + index, dstport=443)
        for index in range(60)
    ]

    assert _detect(replies + requests) == []


def test_scan_split_across_windows_is_quiet():
    # 60 ports, one every 10 s from 08:00:10: 29 fall before 08:05 and 31 after.
    assert _detect(_vertical(60, start_step=10)) == []


def test_batches_add_up_to_one_detection():
    detector = PortScanDetector()
    rows = _vertical(60)
    for part in (rows[:20], rows[20:40], rows[40:]):
        detector.observe(flow_table(part))

    (found,) = detector.flush()

    assert found.evidence["distinct_ports"] == 60


def test_open_window_waits_for_watermark():
    detector = PortScanDetector()
    detector.observe(flow_table(_vertical(60)))

    assert detector.flush(BASE_TIME + timedelta(minutes=4)) == []
    assert len(detector.flush(BASE_TIME + timedelta(minutes=5))) == 1
    assert detector.flush() == []


def test_rerun_gives_same_fingerprint():
    first = _detect(_vertical(60))[0]
    second = _detect(list(reversed(_vertical(60))))[0]

    assert first.fingerprint == second.fingerprint
    assert first.evidence == second.evidence


def test_udp_and_icmp():
    udp = [dict(row, protocol=17) for row in _vertical(60)]
    icmp = [dict(row, protocol=1, dstport=0) for row in _vertical(60)]

    assert len(_detect(udp)) == 1
    assert _detect(icmp) == []
