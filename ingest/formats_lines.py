"""Adapter from the pipeline's byte chunks to the line parsers of ALB and Resolver logs."""

from collections.abc import Callable, Iterable, Iterator

from ingest.pipeline import Parser
from logparsers.common import ParseStats, line_blocks
from logparsers.results import ParsedBatch

# Bytes regrouped per block before splitting into lines; a longer line is kept whole.
BLOCK_SIZE = 1024 * 1024


def byte_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Split decompressed chunks into lines, breaking only at b"\\n".

    Only b"\\n" ends a line, so the line numbers match those of `wc -l` and a text editor.
    `numbered_lines` later strips a trailing b"\\r".
    """
    for block in line_blocks(chunks, BLOCK_SIZE):
        lines = block.split(b"\n")
        if block.endswith(b"\n"):
            lines.pop()
        yield from lines


def line_parser(parse_lines: Callable[..., Iterator[ParsedBatch]]) -> Parser:
    """Return a pipeline parser that feeds an object's lines to `parse_lines`.

    `parse_lines` is a `parse_*_lines` function of `logparsers`: it numbers the lines from 1,
    reports malformed ones with `source`, and counts records and malformed lines in `stats`.
    """

    def parse(chunks: Iterable[bytes], *, source: str, stats: ParseStats) -> Iterator[ParsedBatch]:
        return parse_lines(byte_lines(chunks), source=source, stats=stats)

    return parse
