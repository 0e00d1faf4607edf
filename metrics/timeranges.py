"""The dashboard's time ranges and the CloudWatch period that goes with each."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from rest_framework.exceptions import ValidationError


@dataclass(frozen=True)
class TimeRange:
    """A named range back from now, charted at one point per `period_seconds`."""

    name: str
    seconds: int
    period_seconds: int

    def aligned_window(self, now: datetime) -> tuple[datetime, datetime]:
        """Return [start, end): `end` is the period boundary after `now`, `start` one range before.

        Aligning to period boundaries makes every bucket whole, so a chart point never mixes
        two periods and a rollup can answer the range exactly.
        """
        epoch = int(now.timestamp())
        end_epoch = epoch - epoch % self.period_seconds + self.period_seconds
        end = datetime.fromtimestamp(end_epoch, tz=now.tzinfo)
        return end - timedelta(seconds=self.seconds), end


TIME_RANGES = {
    "1h": TimeRange("1h", 3600, 300),
    "6h": TimeRange("6h", 21600, 900),
    "24h": TimeRange("24h", 86400, 3600),
    "7d": TimeRange("7d", 604800, 21600),
}


def parse_time_range(raw: str | None, default: str = "1h") -> TimeRange:
    """Return the TimeRange for a `time_range` query value, or raise a 400 listing the choices."""
    name = default if raw in (None, "") else raw
    try:
        return TIME_RANGES[name]
    except KeyError:
        choices = ", ".join(TIME_RANGES)
        raise ValidationError(f"time_range={name!r} is invalid: use one of {choices}.") from None
