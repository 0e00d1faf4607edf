"""Polling of the asynchronous AWS query APIs (Logs Insights, Athena) with a deadline."""

import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from siem.aws import AwsUnavailable

Result = TypeVar("Result")

POLL_INTERVAL_SECONDS = 0.5
# Both engines search around the window, because a flow is delivered after its `start`:
# AWS documents up to a 10-minute capture window plus several minutes of delivery delay.
SEARCH_MARGIN_SECONDS = 900


def poll_until_done(check: Callable[[], Result | None], *, description: str) -> Result:
    """Call `check` until it returns a result, or raise AwsUnavailable past the timeout."""
    deadline = time.monotonic() + settings.SIEM_REMOTE_QUERY_TIMEOUT_SECONDS
    while True:
        result = check()
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise AwsUnavailable(
                f"{description} did not finish within {settings.SIEM_REMOTE_QUERY_TIMEOUT_SECONDS} s; "
                "retry, or raise SIEM_REMOTE_QUERY_TIMEOUT_SECONDS.",
                code="query_timeout",
            )
        time.sleep(POLL_INTERVAL_SECONDS)
