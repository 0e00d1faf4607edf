"""Rate limits on sign-in and registration, built on django-ratelimit's counters.

django-ratelimit's decorator returns 403 on a hit and reads keys from `request.POST`.
The API needs 429 with `Retry-After` and reads the email from a JSON body, so the views call
`enforce_rate_limit` with the counters' `get_usage` instead.
"""

import ipaddress
import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from rest_framework.exceptions import Throttled

from accounts.models import normalize_email_address

logger = logging.getLogger(__name__)

LOGIN_IP_GROUP = "accounts.login.ip"
LOGIN_EMAIL_GROUP = "accounts.login.email"
REGISTER_IP_GROUP = "accounts.register.ip"


class RateLimitExceeded(Exception):
    """A request exceeded a rate limit. `retry_after` is in seconds."""

    def __init__(self, *, group: str, retry_after: int) -> None:
        super().__init__(f"rate limit {group} exceeded")
        self.group = group
        self.retry_after = retry_after


def client_ip(request: HttpRequest) -> str:
    """Return the client's address: `REMOTE_ADDR`, or the entry a trusted proxy appended.

    With `SIEM_TRUSTED_PROXY_COUNT = n`, the n-th entry from the right of `X-Forwarded-For`
    was written by the outermost trusted proxy. Entries to its left come from the client and
    are ignored, so a forged header cannot move a client into another rate-limit bucket.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxy_count = settings.SIEM_TRUSTED_PROXY_COUNT
    if proxy_count <= 0:
        return remote_addr

    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < proxy_count:
        return remote_addr
    candidate = forwarded[-proxy_count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        logger.warning("invalid X-Forwarded-For entry", extra={"remote_addr": remote_addr})
        return remote_addr
    return candidate


def ip_key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def json_email_key(group: str, request: HttpRequest) -> str:
    """Return the normalized `email` of a JSON body (a DRF request), or "" when it has none."""
    data = getattr(request, "data", None)
    email = data.get("email") if isinstance(data, dict) else None
    return normalize_email_address(email) if isinstance(email, str) else ""


def form_username_key(group: str, request: HttpRequest) -> str:
    """Return the normalized `username` field of a form post, as the admin sign-in sends it."""
    return normalize_email_address(request.POST.get("username", ""))


def check_rate_limit(
    request: HttpRequest, *, group: str, rate: str, key: Callable[[str, HttpRequest], str]
) -> None:
    """Count one request against `group`, raising `RateLimitExceeded` once over `rate`."""
    value = key(group, request)
    usage = get_usage(
        request, group=group, key=lambda _group, _request: value, rate=rate, increment=True
    )
    if usage is None or not usage["should_limit"]:
        return

    # time_left is -1 when the cache failed, so the client is asked to retry after a second.
    retry_after = max(int(usage["time_left"]), 1)
    extra = {
        "rate_limit_group": group,
        "remote_addr": client_ip(request),
        "retry_after": retry_after,
    }
    if key is not ip_key:
        extra["email"] = value
    logger.warning("rate limit exceeded", extra=extra)
    raise RateLimitExceeded(group=group, retry_after=retry_after)


def check_login_rate_limits(
    request: HttpRequest, *, email_key: Callable[[str, HttpRequest], str]
) -> None:
    """Count one sign-in attempt per client IP and per email, raising `RateLimitExceeded`.

    The API and the admin share these counters, so switching between them does not double the
    attempts an attacker gets. `email_key` reads the email from the JSON body or the form.
    """
    check_rate_limit(
        request, group=LOGIN_IP_GROUP, rate=settings.SIEM_LOGIN_RATE_PER_IP, key=ip_key
    )
    check_rate_limit(
        request, group=LOGIN_EMAIL_GROUP, rate=settings.SIEM_LOGIN_RATE_PER_EMAIL, key=email_key
    )


class TooManyRequests(Throttled):
    """DRF's 429 with the dashboard's wording. DRF sets the `Retry-After` header from `wait`."""

    default_detail = "Too many requests."
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


def enforce_rate_limit(
    request: HttpRequest, *, group: str, rate: str, key: Callable[[str, HttpRequest], str]
) -> None:
    """Count one API request against `group`, raising `TooManyRequests` (429) once over `rate`."""
    try:
        check_rate_limit(request, group=group, rate=rate, key=key)
    except RateLimitExceeded as err:
        raise TooManyRequests(wait=err.retry_after) from err
