"""A log handler for tests that formats records exactly as production does, into memory."""

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from siem.observability.jsonlog import JsonFormatter, RequestContextFilter


@contextmanager
def json_log_lines() -> Iterator[list[dict]]:
    """Collect the JSON lines that the production formatter writes while the block runs.

    The list is filled when the block exits.
    """
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestContextFilter())
    watched = [logging.getLogger(), logging.getLogger("django")]
    for logger in watched:
        logger.addHandler(handler)
    lines: list[dict] = []
    try:
        yield lines
    finally:
        for logger in watched:
            logger.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())
