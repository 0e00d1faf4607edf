"""A CloudWatch Logs group read with FilterLogEvents, one page of events per ingest object."""

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import BotoCoreError, ClientError

from ingest.models import LogStreamCheckpoint, key_digest
from logparsers.common import ParseStats
from siem import aws

logger = logging.getLogger(__name__)

# Events per FilterLogEvents page; 10,000 is the API maximum.
PAGE_LIMIT = 10000


@dataclass
class StreamPosition:
    """The last ingested timestamp of a stream and the ids of its events at that timestamp."""

    timestamp: int
    event_ids: set[str] = field(default_factory=set)

    def covers(self, event: dict) -> bool:
        if event["timestamp"] != self.timestamp:
            return event["timestamp"] < self.timestamp
        return event["eventId"] in self.event_ids

    def advance(self, event: dict) -> None:
        if event["timestamp"] > self.timestamp:
            self.timestamp, self.event_ids = event["timestamp"], set()
        self.event_ids.add(event["eventId"])


class LogEventsPage:
    """The new events of one FilterLogEvents page; committing it moves the stream checkpoints."""

    def __init__(self, group: str, number: int, events: list[dict], positions: dict) -> None:
        self.name = f"logs://{group} page {number}"
        self.group = group
        self.events = events
        self.positions = positions

    def chunks(self) -> Iterable[bytes]:
        # One record per event message, so line N of the page is its Nth new event.
        yield "".join(event["message"].rstrip("\n") + "\n" for event in self.events).encode()

    def is_ingested(self) -> bool:
        return not self.events

    def mark_ingested(self, log_format: str, stats: ParseStats) -> None:
        touched = set()
        for event in self.events:
            stream = event["logStreamName"]
            self.positions.setdefault(stream, StreamPosition(event["timestamp"])).advance(event)
            touched.add(stream)
        for stream in touched:
            position = self.positions[stream]
            LogStreamCheckpoint.objects.update_or_create(
                key_hash=key_digest(self.group, stream),
                defaults={
                    "log_group": self.group,
                    "log_stream": stream,
                    "last_timestamp": position.timestamp,
                    "last_event_ids": sorted(position.event_ids),
                },
            )


def cloudwatch_objects(group: str, *, since: datetime | None = None) -> Iterator[LogEventsPage]:
    """Yield the group's events page by page, leaving out events already ingested.

    Without `since`, reading starts at the oldest stream checkpoint of the group, or at the
    group's first event when it has none. FilterLogEvents returns events in timestamp order,
    which is what lets a per-stream position tell old events from new ones.
    """
    positions = _load_positions(group)
    request = {"logGroupName": group, "limit": PAGE_LIMIT}
    start_ms = _start_time(positions, since)
    if start_ms is not None:
        request["startTime"] = start_ms
    client = aws.client("logs")
    number = 0
    while True:
        response = _filter(client, request)
        number += 1
        events = [e for e in response.get("events", []) if not _seen(positions, e)]
        skipped = len(response.get("events", [])) - len(events)
        if skipped:
            logger.info("skipped %d already ingested events of %s page %d", skipped, group, number)
        yield LogEventsPage(group, number, events, positions)
        if not response.get("nextToken"):
            return
        request["nextToken"] = response["nextToken"]


def _filter(client, request: dict) -> dict:
    try:
        return client.filter_log_events(**request)
    except (BotoCoreError, ClientError) as err:
        raise aws.AwsError(f"reading log group {request['logGroupName']} failed: {err}") from err


def _seen(positions: dict[str, StreamPosition], event: dict) -> bool:
    position = positions.get(event["logStreamName"])
    return position is not None and position.covers(event)


def _load_positions(group: str) -> dict[str, StreamPosition]:
    return {
        row.log_stream: StreamPosition(row.last_timestamp, set(row.last_event_ids))
        for row in LogStreamCheckpoint.objects.filter(log_group=group)
    }


def _start_time(positions: dict[str, StreamPosition], since: datetime | None) -> int | None:
    if since is not None:
        return int(since.timestamp() * 1000)
    if positions:
        return min(position.timestamp for position in positions.values())
    return None
