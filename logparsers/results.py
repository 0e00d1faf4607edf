"""Batches of parsed records for the line-oriented parsers (ALB access logs, Resolver logs)."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from logparsers.common import MalformedLine, ParseStats

RecordT = TypeVar("RecordT")


class MalformedLineError(ValueError):
    """A line cannot be parsed. The message is the reason reported with the line number."""


@dataclass(slots=True)
class ParsedBatch(Generic[RecordT]):
    """Records parsed from consecutive lines, and the lines in that span that were rejected.

    ParseStats keeps only the first malformed lines of a file, but a batch lists all of its own.
    """

    records: list[RecordT] = field(default_factory=list)
    malformed: list[MalformedLine] = field(default_factory=list)
    blank_lines: int = 0

    def __len__(self) -> int:
        return len(self.records) + len(self.malformed)


def numbered_lines(
    lines: Iterable[str | bytes], first_line_number: int = 1
) -> Iterator[tuple[int, str]]:
    """Yield (line number, text) with line endings removed; bytes are decoded as UTF-8."""
    for number, line in enumerate(lines, start=first_line_number):
        if isinstance(line, bytes):
            line = line.decode("utf-8", errors="replace")
        yield number, line.rstrip("\r\n")


def parse_in_batches(
    lines: Iterable[str | bytes],
    parse_line: Callable[[str, int], RecordT],
    *,
    batch_size: int,
    source: str = "",
    first_line_number: int = 1,
    stats: ParseStats | None = None,
) -> Iterator[ParsedBatch[RecordT]]:
    """Apply `parse_line(text, line_number)` to each non-blank line and yield batches.

    `parse_line` raises MalformedLineError for a line it rejects. That line is reported with
    `source` and its number, and parsing goes on. A batch contains at most `batch_size`
    parsed or malformed lines. `stats`, when given, is updated as each batch is yielded.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    batch: ParsedBatch[RecordT] = ParsedBatch()
    for number, text in numbered_lines(lines, first_line_number):
        if not text.strip():
            batch.blank_lines += 1
            continue
        try:
            batch.records.append(parse_line(text, number))
        except MalformedLineError as err:
            batch.malformed.append(MalformedLine(source, number, str(err)))
        if len(batch) >= batch_size:
            yield _counted(batch, stats)
            batch = ParsedBatch()
    if len(batch) or batch.blank_lines:
        yield _counted(batch, stats)


def _counted(batch: ParsedBatch[RecordT], stats: ParseStats | None) -> ParsedBatch[RecordT]:
    if stats is not None:
        stats.records += len(batch.records)
        for line in batch.malformed:
            stats.add_malformed(line.source, line.line, line.reason)
    return batch
