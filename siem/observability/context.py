"""Per-request values that every log line carries: request id, user id and remote address.

They are stored in context variables, so each gunicorn thread reads only its own request's values.
"""

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("siem_request_id", default=None)
user_id_var: ContextVar[str | None] = ContextVar("siem_user_id", default=None)
remote_addr_var: ContextVar[str | None] = ContextVar("siem_remote_addr", default=None)


def bind_request(*, request_id: str, remote_addr: str | None) -> None:
    """Start the context of a new request. The user id stays unset until authentication."""
    request_id_var.set(request_id)
    remote_addr_var.set(remote_addr)
    user_id_var.set(None)


def bind_user_id(user_id: object) -> None:
    """Record the authenticated user of the current request for the log lines that follow."""
    user_id_var.set(None if user_id is None else str(user_id))


def clear_request() -> None:
    """Forget the finished request, so log lines between requests carry no stale values."""
    request_id_var.set(None)
    user_id_var.set(None)
    remote_addr_var.set(None)


def current_context() -> dict[str, str | None]:
    """Return the request id, user id and remote address of the current request."""
    return {
        "request_id": request_id_var.get(),
        "user_id": user_id_var.get(),
        "remote_addr": remote_addr_var.get(),
    }
