"""Brute force detectors: login-port connections in flows, failed logins in ALB logs."""

import pytest

from threats.detectors import BruteForceAlbDetector, BruteForceFlowDetector
from threats.detectors.base import Severity
from threats.tests.detector_inputs import alb_record, flow, flow_table

ATTACKER = "203.0.113.50"
SERVER = "10.0.1.5"


def _attempts(
    count: int, *, dstport: int = 22, action: str = "REJECT", sources: int = 1
) -> list[dict]:
    return [
        flow(
            srcaddr=f"203.0.113.{50 + index % sources}",
            dstaddr=SERVER,
            srcport=50000 + index,
            dstport=dstport,
            action=action,
            start=flow()["start"] + index,
        )
        for index in range(count)
    ]


def _flow_detections(rows: list[dict]) -> list:
    detector = BruteForceFlowDetector()
    detector.observe(flow_table(rows))
    return detector.flush()


@pytest.mark.parametrize(
    ("action", "severity", "blocked"),
    [("REJECT", Severity.MEDIUM, True), ("ACCEPT", Severity.HIGH, False)],
)
def test_ssh_attempts_detected(action, severity, blocked):
    (found,) = _flow_detections(_attempts(30, action=action))

    assert found.type == "brute_force"
    assert found.severity == severity
    assert found.blocked is blocked
    assert (found.source_ip, found.destination_ip) == (ATTACKER, SERVER)
    assert found.evidence["service"] == "SSH"
    assert found.evidence["flows"] == 30
    assert "30 SSH connection attempts" in found.description


def test_rdp_attempts_detected():
    (found,) = _flow_detections(_attempts(40, dstport=3389))

    assert found.evidence["dstport"] == 3389
    assert found.evidence["service"] == "RDP"


@pytest.mark.parametrize(
    "rows",
    [
        _attempts(29),
        _attempts(30, dstport=443),
        _attempts(30, dstport=3306),
        _attempts(30, sources=30),
        [
            dict(row, srcaddr=SERVER, dstaddr=ATTACKER, srcport=22, dstport=row["srcport"])
            for row in _attempts(30)
        ],
    ],
    ids=["29 attempts", "HTTPS", "MySQL pool", "30 sources", "server replies"],
)
def test_flow_near_misses_and_benign_traffic_are_quiet(rows):
    assert _flow_detections(rows) == []


def _failed_logins(
    count: int, *, path: str = "/wp-login.php", elb: int = 200, target: int | None = 401
) -> list:
    return [
        alb_record(
            f"https://shop.example.com:443{path}",
            client_ip=ATTACKER,
            method="POST",
            elb_status_code=elb,
            target_status_code=target,
            seconds=index * 5,
            line_number=index + 1,
        )
        for index in range(count)
    ]


def _alb_detections(records: list) -> list:
    detector = BruteForceAlbDetector()
    detector.observe(records, source="s3://logs/alb.log.gz")
    return detector.flush()


def test_failed_logins_detected():
    (found,) = _alb_detections(_failed_logins(20))

    assert found.type == "brute_force"
    assert found.severity == Severity.HIGH
    assert found.blocked is False
    assert found.source_ip == ATTACKER
    assert found.evidence["failures"] == 20
    assert found.evidence["statuses"] == {"401": 20}
    assert found.evidence["samples"][0]["source"] == "s3://logs/alb.log.gz"
    assert found.evidence["samples"][0]["line"] == 1
    assert found.evidence["log_source"] == "alb"


def test_waf_403_logins_are_blocked():
    (found,) = _alb_detections(_failed_logins(25, path="/api/auth/token", elb=403, target=None))

    assert found.blocked is True
    assert found.severity == Severity.MEDIUM


@pytest.mark.parametrize(
    "records",
    [
        _failed_logins(19),
        _failed_logins(20, target=200),
        _failed_logins(20, path="/api/orders"),
        _failed_logins(10)
        + [
            alb_record(r.url, client_ip="203.0.113.51", target_status_code=401, seconds=1)
            for r in _failed_logins(10)
        ],
    ],
    ids=["19 failures", "successful logins", "401 off login path", "two clients"],
)
def test_alb_near_misses_and_benign_traffic_are_quiet(records):
    assert _alb_detections(records) == []
