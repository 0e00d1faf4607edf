"""Request id and request context for every request."""

import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from accounts.ratelimit import client_ip
from siem.observability.context import bind_request, bind_user_id, clear_request

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is reused only when it is short and plain, so a client cannot inject line
# breaks or megabytes into every log line. Any other value is replaced by a fresh id.
VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Take the request id from X-Request-ID or create one, expose it to logs and return it.

    The context is cleared when Django sends `request_finished`, after the response is
    written, so Django's own "Not Found" and "Unauthorized" warnings still carry the id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        request_finished.connect(_clear_request_context, dispatch_uid="siem.request_context")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = incoming_request_id(request) or uuid.uuid4().hex
        request.request_id = request_id
        bind_request(request_id=request_id, remote_addr=client_ip(request))

        response = self.get_response(request)

        # DRF authenticates inside the view and then sets request.user on the Django request.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            bind_user_id(user.pk)
        response[REQUEST_ID_HEADER] = request_id
        return response


def incoming_request_id(request: HttpRequest) -> str | None:
    """Return the client's or load balancer's X-Request-ID when it is safe to log."""
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if VALID_REQUEST_ID.match(value) else None


def _clear_request_context(sender: object, **kwargs: object) -> None:
    clear_request()
