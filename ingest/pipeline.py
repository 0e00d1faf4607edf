"""The ingest pipeline: source object -> format detection -> parser -> batch consumers.

Plug-in points, for a new log format or a new use of an existing one:

- `register_format(name, detect=..., parse=...)` adds a format. `detect(head: bytes) -> bool`
  gets the first 64 KiB of the decompressed object. `parse(chunks, *, source, stats)` turns
  an iterable of decompressed byte chunks into an iterator of batches: pyarrow Tables
  (vpc-flow) or `logparsers.results.ParsedBatch` objects (the line-oriented formats). It
  counts records and malformed lines in the `logparsers.common.ParseStats` it is given.
- `register_consumer(format_name, factory)` adds a consumer. `factory()` returns a fresh
  `BatchConsumer` for each object: `add(batch)` is called for every parsed batch (keep sums,
  not rows, so memory stays flat), then `commit()` once, inside the transaction that also
  records the object's checkpoint. A consumer must not write anything before `commit()`: the
  pipeline cannot check this, and it is what lets an object that fails halfway leave no trace
  and its retry count everything exactly once.

Formats are registered in `ingest.formats`, which this module imports at the end.
"""

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa
from django.db import transaction

from logparsers.common import ParseStats, decompressed
from logparsers.results import ParsedBatch
from siem.telemetry import RECORDS_INGESTED, RECORDS_MALFORMED

logger = logging.getLogger(__name__)

HEAD_BYTES = 64 * 1024
AUTO = "auto"

# A parsed batch: the type that a format's parser yields and its consumers receive.
Batch = pa.Table | ParsedBatch


class BatchConsumer(Protocol):
    """Receives the parsed batches of one object, then writes its result in `commit`."""

    def add(self, batch: Batch) -> None: ...

    def commit(self) -> None: ...


class SourceObject(Protocol):
    """One unit of ingestion (a file, an S3 object, a page of log events) and its checkpoint."""

    name: str

    def chunks(self) -> Iterable[bytes]: ...

    def is_ingested(self) -> bool: ...

    def mark_ingested(self, log_format: str, stats: ParseStats) -> None: ...


Parser = Callable[..., Iterator[Batch]]


@dataclass
class LogFormat:
    """A registered log format: how to recognise it, parse it, and who consumes its batches."""

    name: str
    detect: Callable[[bytes], bool]
    parse: Parser
    consumers: list[Callable[[], BatchConsumer]] = field(default_factory=list)


@dataclass
class ObjectResult:
    """Outcome of one object: ingested (with counts), duplicate, or unrecognised."""

    name: str
    status: str
    log_format: str = ""
    stats: ParseStats = field(default_factory=ParseStats)


FORMATS: dict[str, LogFormat] = {}


def register_format(name: str, *, detect: Callable[[bytes], bool], parse: Parser) -> LogFormat:
    """Add a log format; detection tries formats in registration order."""
    if name in FORMATS or name == AUTO:
        raise ValueError(f"log format {name!r} is already registered")
    FORMATS[name] = LogFormat(name, detect, parse)
    return FORMATS[name]


def register_consumer(format_name: str, factory: Callable[[], BatchConsumer]) -> None:
    """Add a consumer of a format's batches; `factory` is called once per object."""
    FORMATS[format_name].consumers.append(factory)


def detect_format(head: bytes) -> LogFormat | None:
    """Return the first registered format whose detector accepts `head`, or None."""
    return next((fmt for fmt in FORMATS.values() if fmt.detect(head)), None)


def ingest_object(
    source: SourceObject,
    *,
    format_name: str = AUTO,
    on_records: Callable[[int], None] | None = None,
) -> ObjectResult:
    """Ingest one object unless its checkpoint shows it was ingested already.

    Parsing and consuming happen outside any transaction; the consumers' writes and the
    checkpoint then commit in one transaction.
    """
    if source.is_ingested():
        logger.debug("skipped already ingested object %s", source.name)
        return ObjectResult(source.name, "duplicate")
    head, chunks = _peek(decompressed(source.chunks()))
    log_format = FORMATS[format_name] if format_name != AUTO else detect_format(head)
    if log_format is None:
        logger.warning("skipped object %s: no registered log format recognises it", source.name)
        return ObjectResult(source.name, "unrecognised")

    stats = ParseStats()
    consumers = [factory() for factory in log_format.consumers]
    for batch in log_format.parse(chunks, source=source.name, stats=stats):
        for consumer in consumers:
            consumer.add(batch)
        if on_records is not None:
            on_records(batch_record_count(batch))

    with transaction.atomic():
        for consumer in consumers:
            consumer.commit()
        source.mark_ingested(log_format.name, stats)
    _count(log_format.name, stats)
    logger.info(
        "ingested object %s as %s: %d records, %d flows, %d malformed",
        source.name, log_format.name, stats.records, stats.flows, stats.malformed,
    )  # fmt: skip
    return ObjectResult(source.name, "ingested", log_format.name, stats)


def batch_record_count(batch: Batch) -> int:
    """Return the number of parsed records in a batch, leaving out its malformed lines."""
    if isinstance(batch, pa.Table):
        return batch.num_rows
    return len(batch.records)


def _peek(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """Read at least HEAD_BYTES (or all) and return them with an iterator over everything."""
    head_chunks: list[bytes] = []
    size = 0
    for chunk in chunks:
        head_chunks.append(chunk)
        size += len(chunk)
        if size >= HEAD_BYTES:
            break
    head = b"".join(head_chunks)

    def replay() -> Iterator[bytes]:
        yield head
        yield from chunks

    return head[:HEAD_BYTES], replay()


def _count(log_format: str, stats: ParseStats) -> None:
    RECORDS_INGESTED.labels(format=log_format).inc(stats.records)
    RECORDS_MALFORMED.labels(format=log_format).inc(stats.malformed)


# Registration of the built-in formats; imported last because it uses the names above.
from ingest import formats as _formats  # noqa: E402, F401
