"""Windowed accumulation for the detectors that take parsed log records (ALB, Resolver)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from threats.detectors.base import MAX_SAMPLES, Detection, ready_before, with_log_source


@dataclass(frozen=True, slots=True)
class Hit:
    """One record matching a record detector's rule, before windowing."""

    key: tuple
    time: datetime
    blocked: bool
    sample: dict[str, Any]
    tallies: dict[str, str] = field(default_factory=dict)


@dataclass
class HitGroup:
    """Hits sharing a key within one window."""

    window: int
    key: tuple
    count: int = 0
    blocked: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    samples: list[dict[str, Any]] = field(default_factory=list)
    tallies: dict[str, Counter] = field(default_factory=dict)

    def add(self, hit: Hit) -> None:
        self.count += 1
        self.blocked += hit.blocked
        self.first_seen = min(filter(None, (self.first_seen, hit.time)))
        self.last_seen = max(filter(None, (self.last_seen, hit.time)))
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(hit.sample)
        for name, value in hit.tallies.items():
            self.tallies.setdefault(name, Counter())[value] += 1


class RecordDetector:
    """Base for detectors over parsed log records (ALB entries, Resolver queries)."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    source_type: ClassVar[str]

    def __init__(self, window_seconds: int) -> None:
        self.window_seconds = window_seconds
        self._groups: dict[tuple[int, tuple], HitGroup] = {}

    def observe(self, records: Iterable[Any], *, source: str | None = None) -> None:
        """Add records to the open windows; `source` names their object for the evidence."""
        for record in records:
            for hit in self._hits(record):
                if source is not None:
                    hit.sample["source"] = source
                window = int(hit.time.timestamp()) // self.window_seconds
                group = self._groups.get((window, hit.key))
                if group is None:
                    group = self._groups[(window, hit.key)] = HitGroup(window, hit.key)
                group.add(hit)

    def flush(self, watermark: datetime | None = None) -> list[Detection]:
        """Evaluate windows that end at or before `watermark` (all windows when None)."""
        first_open = ready_before(watermark, self.window_seconds)
        ready = [slot for slot in self._groups if first_open is None or slot[0] < first_open]
        detections = []
        for slot in sorted(ready, key=repr):
            detection = self._detection(self._groups.pop(slot))
            if detection is not None:
                detections.append(detection)
        return with_log_source(detections, self.source_type)

    def _hits(self, record: Any) -> Iterable[Hit]:
        raise NotImplementedError

    def _detection(self, group: HitGroup) -> Detection | None:
        raise NotImplementedError
