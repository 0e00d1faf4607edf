"""Phishing: DNS queries for domains, or their subdomains, on a phishing list."""

from collections.abc import Sequence

from threats.detectors.base import PhishingThresholds, ThreatType
from threats.detectors.dns_lists import DomainListDetector
from threats.intel import IntelFeed


class PhishingDnsDetector(DomainListDetector):
    """Decide that a client looked up a listed phishing domain (or a subdomain of one)."""

    name = "phishing"
    version = "1"
    threat_type = ThreatType.PHISHING
    list_label = "phishing"

    def __init__(
        self, feeds: Sequence[IntelFeed], thresholds: PhishingThresholds | None = None
    ) -> None:
        self.thresholds = thresholds or PhishingThresholds()
        super().__init__(feeds, self.thresholds.window_seconds, self.thresholds.min_queries)
