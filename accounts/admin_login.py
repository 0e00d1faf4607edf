"""The admin sign-in page behind the same rate limits as `POST /api/login`."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from accounts import ratelimit


def rate_limited_admin_login(
    request: HttpRequest, extra_context: dict | None = None
) -> HttpResponse:
    """Serve the admin's login view, returning 429 once a client or an email signs in too often.

    The admin and the API share the per-IP and per-email counters, so switching between them
    does not double the attempts an attacker gets.
    """
    if request.method == "POST":
        try:
            _count_attempt(request)
        except ratelimit.RateLimitExceeded as err:
            response = HttpResponse(
                f"Too many sign-in attempts. Try again in {err.retry_after} seconds.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(err.retry_after)
            return response
    return admin.site.login(request, extra_context)


def _count_attempt(request: HttpRequest) -> None:
    ratelimit.check_rate_limit(
        request,
        group=ratelimit.LOGIN_IP_GROUP,
        rate=settings.SIEM_LOGIN_RATE_PER_IP,
        key=ratelimit.ip_key,
    )
    ratelimit.check_rate_limit(
        request,
        group=ratelimit.LOGIN_EMAIL_GROUP,
        rate=settings.SIEM_LOGIN_RATE_PER_EMAIL,
        key=ratelimit.form_username_key,
    )
