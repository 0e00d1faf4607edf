"""The Prometheus endpoint of the service, readable only with SIEM_METRICS_TOKEN."""

import logging
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_prometheus.exports import ExportToDjangoView

# Imported for its side effect: the product's counters are listed from the first scrape on,
# even before the code that increments them has been loaded.
import siem.telemetry  # noqa: F401

logger = logging.getLogger(__name__)


@csrf_exempt
def service_metrics(request: HttpRequest) -> HttpResponse:
    """Return the Prometheus text exposition after checking the scraper's bearer token.

    The view is plain Django rather than DRF, so the API's JWT authentication never reads
    this token.
    """
    if request.method not in {"GET", "HEAD"}:
        response = JsonResponse({"message": "Method not allowed"}, status=405)
        response["Allow"] = "GET, HEAD"
        return response

    expected = settings.SIEM_METRICS_TOKEN
    if not expected:
        return JsonResponse(
            {"message": "The metrics endpoint is disabled: set SIEM_METRICS_TOKEN to enable it."},
            status=403,
        )

    if not bearer_token_matches(request, expected):
        logger.warning("metrics scrape rejected: missing or invalid bearer token")
        response = JsonResponse({"message": "Unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response

    return ExportToDjangoView(request)


def bearer_token_matches(request: HttpRequest, expected: str) -> bool:
    """Compare the request's `Authorization: Bearer` token with `expected` in constant time."""
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return False
    return secrets.compare_digest(presented.strip().encode(), expected.encode())
