"""The daily traffic curve and the per-window record counts drawn from it."""

import math
import random

# Hour of least traffic, in UTC. The busiest hour is 12 hours later because the site's
# users live a few hours west of UTC.
TROUGH_HOUR = 4
TROUGH_LEVEL = 0.2


def activity(epoch_seconds: int) -> float:
    """Return the relative load at this time, from TROUGH_LEVEL at 04:00 UTC to 1.0 at 16:00 UTC."""
    hour = (epoch_seconds % 86400) / 3600
    phase = 2 * math.pi * (hour - TROUGH_HOUR) / 24
    rise = 0.5 - 0.5 * math.cos(phase)
    return TROUGH_LEVEL + (1 - TROUGH_LEVEL) * rise


def draw_count(rng: random.Random, mean: float) -> int:
    """Draw a whole count with the given mean, varied by up to 30% either way."""
    if mean <= 0:
        return 0
    varied = mean * (0.7 + 0.6 * rng.random())
    whole = int(varied)
    return whole + (1 if rng.random() < varied - whole else 0)
