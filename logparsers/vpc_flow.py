"""Parser of VPC Flow Log records (versions 2 to 8, default and custom formats) into Arrow tables.

Batches are pyarrow Tables whose columns are the AWS field names with `-` replaced by `_`
(`log-status` becomes `log_status`). Whole-number fields are int64, the others strings, and
`-` becomes null. NODATA and SKIPDATA records are part of the batches, so consumers that want
flows filter on `log_status`; `ParseStats` counts them apart.

Speed comes from parsing whole blocks of lines with pyarrow's CSV reader. A block that the
reader cannot take whole (a malformed line, a repeated header, a line of another layout) is
parsed again line by line, which finds and reports each malformed line with its number.
"""

import io
import json
from collections.abc import Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from logparsers.common import ParseStats, decompressed, line_blocks
from logparsers.vpc_flow_fields import (
    HEADERLESS_LAYOUTS,
    INTEGER_FIELDS,
    KNOWN_FIELDS,
    LOG_STATUSES,
    is_header,
    layout_schema,
)

FORMAT_NAME = "vpc-flow"
BLOCK_SIZE = 4 * 1024 * 1024
PARQUET_MAGIC = b"PAR1"
# pandas writes a missing value in a text column as one of these strings.
PARQUET_NULL_TEXTS = frozenset({"-", "", "None", "nan", "NaN"})


def detect_vpc_flow(head: bytes) -> bool:
    """Decide from the first decompressed bytes of an object whether it contains VPC Flow Logs."""
    if head.startswith(PARQUET_MAGIC):
        return True
    for raw in head.split(b"\n")[:10]:
        text = _unwrap_message(raw.decode("utf-8", "replace").strip())
        if not text:
            continue
        tokens = text.split()
        if is_header(tokens):
            return True
        layout = HEADERLESS_LAYOUTS.get(len(tokens))
        return layout is not None and invalid_reason(layout, tokens) is None
    return False


def parse_vpc_flow(
    chunks: Iterable[bytes], *, source: str, stats: ParseStats, block_size: int = BLOCK_SIZE
) -> Iterator[pa.Table]:
    """Parse a stream of (optionally gzipped) text or Parquet bytes into record batches.

    `stats` is updated as batches are yielded; malformed lines are counted there and skipped.
    """
    data = decompressed(chunks)
    first = next(data, b"")
    if first.startswith(PARQUET_MAGIC):
        yield from _parse_parquet(first + b"".join(data), source, stats)
        return
    stream = _TextStream(source, stats)
    for block in line_blocks(_prepend(first, data), block_size):
        yield from stream.parse_block(block)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def invalid_reason(fields: tuple[str, ...], tokens: list[str]) -> str | None:
    """Return why a record's values do not fit its fields, or None when they do."""
    for name, token in zip(fields, tokens, strict=True):
        limit = INTEGER_FIELDS.get(name)
        if limit is not None and token != "-":
            if not (token.isascii() and token.isdigit()) or int(token) > limit:
                return f"{name}={token!r} is not a whole number from 0 to {limit}"
        if name == "log-status" and token not in LOG_STATUSES:
            return f"log-status={token!r} is not OK, NODATA or SKIPDATA"
    return None


def count_statuses(table: pa.Table, stats: ParseStats) -> None:
    """Add a batch's records to `stats`: NODATA and SKIPDATA apart, every other record a flow."""
    nodata = skipdata = 0
    if "log_status" in table.column_names:
        for entry in pc.value_counts(table.column("log_status")).to_pylist():
            if entry["values"] == "NODATA":
                nodata = entry["counts"]
            elif entry["values"] == "SKIPDATA":
                skipdata = entry["counts"]
    stats.records += table.num_rows
    stats.nodata += nodata
    stats.skipdata += skipdata
    stats.flows += table.num_rows - nodata - skipdata


class _TextStream:
    """Parse state across the blocks of one text object: the header in force and the line number."""

    def __init__(self, source: str, stats: ParseStats) -> None:
        self.source = source
        self.stats = stats
        self.header: tuple[str, ...] | None = None
        self.next_line = 1

    def parse_block(self, block: bytes) -> Iterator[pa.Table]:
        first_line = self.next_line
        self.next_line += block.count(b"\n")
        block, first_line = self._take_leading_header(block, first_line)
        table = self._read_fast(block)
        tables = [table] if table is not None else self._read_lines(block, first_line)
        for table in tables:
            if table.num_rows:
                count_statuses(table, self.stats)
                yield table

    def _take_leading_header(self, block: bytes, first_line: int) -> tuple[bytes, int]:
        end = block.find(b"\n")
        line = block if end < 0 else block[:end]
        tokens = line.decode("utf-8", "replace").split()
        if not is_header(tokens):
            return block, first_line
        self.header = tuple(tokens)
        return (b"" if end < 0 else block[end + 1 :]), first_line + 1

    def _layout_for(self, field_count: int) -> tuple[str, ...] | None:
        if self.header is not None:
            return self.header if field_count == len(self.header) else None
        return HEADERLESS_LAYOUTS.get(field_count)

    def _read_fast(self, block: bytes) -> pa.Table | None:
        end = block.find(b"\n")
        first = block if end < 0 else block[:end]
        fields = self._layout_for(len(first.split()))
        if not block or fields is None:
            return None
        return read_block_columnar(block, fields)

    def _read_lines(self, block: bytes, first_line: int) -> list[pa.Table]:
        groups: dict[tuple[str, ...], list[list[str]]] = {}
        for offset, raw in enumerate(block.split(b"\n")):
            tokens = self._tokens(raw, first_line + offset)
            if tokens is None:
                continue
            fields = self._layout_for(len(tokens))
            reason = _layout_problem(fields, tokens, self.header)
            if reason is not None:
                self.stats.add_malformed(self.source, first_line + offset, reason)
                continue
            groups.setdefault(fields, []).append(tokens)
        return [table_from_rows(fields, rows) for fields, rows in groups.items()]

    def _tokens(self, raw: bytes, line: int) -> list[str] | None:
        """Return a line's values, or None for a blank line, a header or a broken JSON wrapper."""
        text = raw.decode("utf-8", "replace").strip()
        unwrapped = _unwrap_message(text)
        if unwrapped is None:
            self.stats.add_malformed(self.source, line, "invalid JSON or no 'message' string")
            return None
        tokens = unwrapped.split()
        if tokens and is_header(tokens):
            self.header = tuple(tokens)
            return None
        return tokens or None


def _layout_problem(
    fields: tuple[str, ...] | None, tokens: list[str], header: tuple[str, ...] | None
) -> str | None:
    if fields is None and header is not None:
        return f"{len(tokens)} fields, but the header names {len(header)}"
    if fields is None:
        return f"{len(tokens)} fields match no known VPC Flow Log layout and no header was given"
    return invalid_reason(fields, tokens)


def _unwrap_message(text: str) -> str | None:
    """Return the record inside a `{"message": "..."}` line, the line itself, or None if broken."""
    if not text.startswith("{"):
        return text
    try:
        message = json.loads(text).get("message")
    except (ValueError, AttributeError):
        return None
    return message.strip() if isinstance(message, str) else None


def read_block_columnar(block: bytes, fields: tuple[str, ...]) -> pa.Table | None:
    """Parse a block of lines of one layout with pyarrow's CSV reader, or return None.

    None means the block needs the line-by-line path: some line has another field count,
    a value does not convert or is out of range, or a header line is repeated inside it.
    """
    schema = layout_schema(fields)
    invalid_rows = []

    def note_invalid(row: pacsv.InvalidRow) -> str:
        invalid_rows.append(row)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(block),
            read_options=pacsv.ReadOptions(
                column_names=schema.names, use_threads=False, block_size=len(block) + 1
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=" ", quote_char=False, ignore_empty_lines=False,
                invalid_row_handler=note_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=schema, null_values=["-"], strings_can_be_null=True
            ),
        )  # fmt: skip
    except pa.ArrowInvalid:
        return None
    if invalid_rows or not _columns_valid(table, fields):
        return None
    return table


def _columns_valid(table: pa.Table, fields: tuple[str, ...]) -> bool:
    for index, name in enumerate(fields):
        column = table.column(index)
        limit = INTEGER_FIELDS.get(name)
        if limit is not None:
            bounds = pc.min_max(column).as_py()
            if bounds["min"] is not None and (bounds["min"] < 0 or bounds["max"] > limit):
                return False
        elif name == "log-status":
            if not pc.all(pc.is_in(column, value_set=pa.array(sorted(LOG_STATUSES)))).as_py():
                return False
    first = table.column(0)
    if (
        pa.types.is_string(first.type)
        and pc.any(pc.is_in(first, value_set=pa.array(sorted(KNOWN_FIELDS)))).as_py()
    ):
        return False
    return True


def table_from_rows(fields: tuple[str, ...], rows: list[list[str]]) -> pa.Table:
    """Build a batch from validated rows of text values, `-` becoming null."""
    schema = layout_schema(fields)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in fields]
    arrays = []
    for name, values in zip(fields, columns, strict=True):
        if name in INTEGER_FIELDS:
            arrays.append(pa.array([None if v == "-" else int(v) for v in values], pa.int64()))
        else:
            arrays.append(pa.array([None if v == "-" else v for v in values], pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema)


def _parse_parquet(data: bytes, source: str, stats: ParseStats) -> Iterator[pa.Table]:
    """Parse a Parquet flow log: columns named like `log_status`, each row validated as text."""
    # NOTE: the object is held in memory whole, because Parquet keeps its index at the end, and
    # rows are checked one by one in Python, which is far slower than the text path.
    parquet = pq.ParquetFile(io.BytesIO(data))
    fields = tuple(name.replace("_", "-") for name in parquet.schema_arrow.names)
    row_number = 0
    for batch in parquet.iter_batches(batch_size=65536):
        rows = []
        for values in zip(*(column.to_pylist() for column in batch.columns), strict=True):
            row_number += 1
            tokens = ["-" if v is None or str(v) in PARQUET_NULL_TEXTS else str(v) for v in values]
            reason = invalid_reason(fields, tokens)
            if reason is None:
                rows.append(tokens)
            else:
                stats.add_malformed(source, row_number, reason)
        table = table_from_rows(fields, rows)
        if table.num_rows:
            count_statuses(table, stats)
            yield table
