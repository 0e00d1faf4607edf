"""Helpers shared by the log parsers: parse statistics, decompression and line blocks.

Plain Python with no Django import, so parsers can be tested and benchmarked alone.
"""

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

GZIP_MAGIC = b"\x1f\x8b"
# Each malformed line is counted, but only this many are kept with their line numbers,
# so a file of garbage cannot fill memory with reports.
MAX_MALFORMED_EXAMPLES = 20


@dataclass(frozen=True)
class MalformedLine:
    """A line that could not be parsed: where it is and why it was rejected."""

    source: str
    line: int
    reason: str


@dataclass
class ParseStats:
    """Counts of one parse: valid records, flows, NODATA/SKIPDATA records and malformed lines."""

    records: int = 0
    flows: int = 0
    nodata: int = 0
    skipdata: int = 0
    malformed: int = 0
    malformed_examples: list[MalformedLine] = field(default_factory=list)

    def add_malformed(self, source: str, line: int, reason: str) -> None:
        self.malformed += 1
        if len(self.malformed_examples) < MAX_MALFORMED_EXAMPLES:
            self.malformed_examples.append(MalformedLine(source, line, reason))

    def merge(self, other: "ParseStats") -> None:
        self.records += other.records
        self.flows += other.flows
        self.nodata += other.nodata
        self.skipdata += other.skipdata
        self.malformed += other.malformed
        room = MAX_MALFORMED_EXAMPLES - len(self.malformed_examples)
        self.malformed_examples.extend(other.malformed_examples[: max(room, 0)])


def decompressed(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Yield the chunks unchanged, or gunzipped when the stream starts with the gzip magic.

    Concatenated gzip members (as `cat a.gz b.gz` produces) are decompressed one after another.
    """
    iterator = iter(chunks)
    first = b""
    for first in iterator:
        if first:
            break
    if not first.startswith(GZIP_MAGIC):
        if first:
            yield first
        yield from iterator
        return
    yield from _gunzip(first, iterator)


def _gunzip(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj(wbits=31)
    pending = first
    while True:
        while pending:
            yield decompressor.decompress(pending)
            if decompressor.eof:
                pending = decompressor.unused_data
                decompressor = zlib.decompressobj(wbits=31)
            else:
                pending = b""
        pending = next(rest, None)
        if pending is None:
            break
    tail = decompressor.flush()
    if tail:
        yield tail


def line_blocks(chunks: Iterable[bytes], block_size: int) -> Iterator[bytes]:
    """Regroup byte chunks into blocks of about `block_size` bytes that end on a line break.

    The last block may lack the final newline. A line longer than `block_size` is kept whole.
    """
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size < block_size:
            continue
        data = b"".join(parts)
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            parts, size = [data], len(data)
            continue
        yield data[:cut]
        parts, size = [data[cut:]], len(data) - cut
    tail = b"".join(parts)
    if tail:
        yield tail
