"""The detections that the shared sample files contain, and no others."""

from pathlib import Path

import pytest

from logparsers.alb import parse_alb_lines
from logparsers.common import ParseStats
from logparsers.resolver import parse_resolver_lines
from logparsers.vpc_flow import parse_vpc_flow
from threats.detectors import alb_detectors, flow_detectors, resolver_detectors
from threats.detectors.base import Severity
from threats.intel import IntelFeed

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
INTEL = SAMPLES / "threat-intel"


@pytest.fixture(scope="module")
def ip_feeds() -> list[IntelFeed]:
    return [IntelFeed(INTEL / "ipsum-level5-ips.txt"), IntelFeed(INTEL / "ipsum-head500.tsv")]


@pytest.fixture(scope="module")
def domain_feeds() -> list[IntelFeed]:
    return [IntelFeed(INTEL / "blocklistproject-ransomware-hosts-excerpt.txt")]


def test_alb_samples_hold_only_the_dropper_request():
    detectors = alb_detectors()
    for path in sorted((SAMPLES / "alb").iterdir()):
        with open(path, encoding="utf-8") as handle:
            for batch in parse_alb_lines(handle, source=path.name):
                for detector in detectors:
                    detector.observe(batch.records, source=path.name)

    (found,) = [detection for detector in detectors for detection in detector.flush()]

    assert found.type == "malware"
    assert found.detector == "web_attacks"
    assert found.source_ip == "67.43.156.20"
    # ALB returned a redirect itself, so the command never reached a target.
    assert found.severity == Severity.MEDIUM
    assert found.blocked is False
    sample = found.evidence["samples"][0]
    assert (sample["source"], sample["line"]) == ("elastic-elb-mixed-alb-nlb-connlog.log", 2)
    assert sample["rule"] == "remote-download-command"


def test_resolver_sample_holds_only_the_firewall_block(domain_feeds):
    detectors = resolver_detectors(malware_domain_feeds=domain_feeds)
    path = SAMPLES / "route53-resolver" / "elastic-resolver-query-logs.ndjson"
    with open(path, encoding="utf-8") as handle:
        for batch in parse_resolver_lines(handle, source=path.name):
            for detector in detectors:
                detector.observe(batch.records, source=path.name)

    (found,) = [detection for detector in detectors for detection in detector.flush()]

    assert found.type == "malware"
    assert found.evidence["match"] == "firewall"
    assert found.source_ip == "81.2.69.143"
    assert found.blocked is True
    assert found.severity == Severity.LOW
    assert found.evidence["domain"] == "15.199.16.175.in-addr.arpa"
    assert found.evidence["samples"][0]["line"] == 33


@pytest.mark.parametrize(
    "path", sorted((SAMPLES / "vpc-flow").iterdir()), ids=lambda path: path.name
)
def test_vpc_flow_samples_raise_nothing(path, ip_feeds):
    # The samples hold a few flows each and no address from the ipsum lists.
    detectors = flow_detectors(ip_feeds=ip_feeds)
    with open(path, "rb") as handle:
        for table in parse_vpc_flow([handle.read()], source=path.name, stats=ParseStats()):
            detectors.observe(table)

    assert detectors.flush() == []
