"""Progress of a running ingest: a live line on a terminal, periodic log lines otherwise."""

import logging
import time
from typing import TextIO

logger = logging.getLogger(__name__)

TERMINAL_REFRESH_SECONDS = 0.2
LOG_EVERY_SECONDS = 10.0


class IngestProgress:
    """Counts records and objects and reports the rate in records per second."""

    def __init__(self, stream: TextIO, *, is_terminal: bool) -> None:
        self.stream = stream
        self.is_terminal = is_terminal
        self.started = time.monotonic()
        self.last_report = self.started
        self.records = 0
        self.objects = 0

    def add_records(self, count: int) -> None:
        self.records += count
        self._maybe_report()

    def object_done(self) -> None:
        self.objects += 1
        self._maybe_report()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.records / elapsed if elapsed > 0 else 0.0

    def finish(self) -> None:
        if self.is_terminal:
            self.stream.write("\n")
            self.stream.flush()

    def _maybe_report(self) -> None:
        now = time.monotonic()
        interval = TERMINAL_REFRESH_SECONDS if self.is_terminal else LOG_EVERY_SECONDS
        if now - self.last_report < interval:
            return
        self.last_report = now
        if self.is_terminal:
            self.stream.write(
                f"\r{self.objects:,} objects  {self.records:,} records  "
                f"{self.rate():,.0f} records/s   "
            )
            self.stream.flush()
        else:
            logger.info(
                "ingest progress: %d objects, %d records, %.0f records/s",
                self.objects, self.records, self.rate(),
            )  # fmt: skip
