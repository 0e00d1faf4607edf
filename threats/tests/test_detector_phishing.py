"""Phishing detector: DNS queries for listed domains and their subdomains."""

import pytest

from threats.detectors import PhishingDnsDetector
from threats.detectors.base import PhishingThresholds, Severity
from threats.intel import IntelFeed
from threats.tests.detector_inputs import dns_query


@pytest.fixture
def phishing_feed(tmp_path) -> IntelFeed:
    path = tmp_path / "phishing-domains.txt"
    path.write_text("# plain domain list\nlogin-paypa1.example\nsecure-bank.example.net.\n")
    return IntelFeed(path)


def _detect(feed: IntelFeed, queries: list, **thresholds) -> list:
    detector = PhishingDnsDetector([feed], PhishingThresholds(**thresholds))
    detector.observe(queries)
    return detector.flush()


def test_subdomain_of_listed_domain_detected(phishing_feed):
    (found,) = _detect(
        phishing_feed, [dns_query("accounts.LOGIN-PAYPA1.example.", srcaddr="10.0.4.8")]
    )

    assert found.type == "phishing"
    assert found.severity == Severity.HIGH
    assert (found.source_ip, found.destination_ip) == ("10.0.4.8", "192.0.2.80")
    assert found.blocked is False
    assert found.evidence["domain"] == "login-paypa1.example"
    assert found.evidence["lists"] == ["phishing-domains.txt"]
    assert found.evidence["log_source"] == "resolver"


def test_firewall_blocked_phishing_query_is_low(phishing_feed):
    (found,) = _detect(
        phishing_feed, [dns_query("secure-bank.example.net.", answers=(), firewall_action="BLOCK")]
    )

    assert found.blocked is True
    assert found.severity == Severity.LOW


def test_threshold_counts_queries_in_window(phishing_feed):
    queries = [dns_query("login-paypa1.example.", seconds=second) for second in (0, 10)]

    assert _detect(phishing_feed, queries[:1], min_queries=2) == []
    assert len(_detect(phishing_feed, queries, min_queries=2)) == 1


@pytest.mark.parametrize(
    "name",
    ["paypa1.example.", "login-paypa1.example.org.", "xlogin-paypa1.example.", "bank.example.net."],
)
def test_look_alike_domains_are_quiet(phishing_feed, name):
    assert _detect(phishing_feed, [dns_query(name)]) == []


def test_benign_queries_of_same_volume_are_quiet(phishing_feed):
    queries = [dns_query(f"www{index}.paypal.example.", seconds=index) for index in range(50)]

    assert _detect(phishing_feed, queries) == []
