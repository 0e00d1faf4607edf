"""The admin sign-in page behind the same rate limits as `POST /api/login`."""

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
            ratelimit.check_login_rate_limits(request, email_key=ratelimit.form_username_key)
        except ratelimit.RateLimitExceeded as err:
            response = HttpResponse(
                f"Too many sign-in attempts. Try again in {err.retry_after} seconds.\n",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(err.retry_after)
            return response
    return admin.site.login(request, extra_context)

