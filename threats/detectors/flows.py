"""Columnar machinery for the flow detectors: integer address codes and numpy group-bys.

Flow batches arrive as pyarrow tables with AWS field names (`-` turned into `_`). Hashing
address strings is the dominant cost, so a batch is converted once into a FlowBatch of
numpy arrays, with each address replaced by a code that stays stable across batches
(AddressBook). Detectors then group and count integers only, and turn codes back into
addresses for the few groups over threshold.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from threats.detectors.base import Detection, ready_before, with_log_source

Columns = dict[str, np.ndarray]
_INT_MAX = np.iinfo(np.int64).max
# Packed group keys are compacted before they could pass this bound.
_KEY_LIMIT = 2**62


class AddressBook:
    """Stable integer codes for address strings, shared by the detectors of one ingest.

    NOTE: the book keeps every distinct address it has seen (roughly 100 bytes each) for
    the life of the detector set, because open windows and baselines refer to the codes.
    """

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self.addresses: list[str] = []

    def __len__(self) -> int:
        return len(self.addresses)

    def encode(self, columns: Sequence[pa.ChunkedArray | pa.Array]) -> list[np.ndarray]:
        """Return int64 codes for each column (-1 for nulls), hashing all strings in one pass."""
        arrays = [_string_array(column) for column in columns]
        encoded = pc.dictionary_encode(pa.concat_arrays(arrays))
        local = encoded.dictionary.to_pylist()
        mapping = np.fromiter((self._code(address) for address in local), np.int64, len(local))
        mapping = np.append(mapping, -1)
        codes = mapping[pc.fill_null(encoded.indices, len(local)).to_numpy(zero_copy_only=False)]
        bounds = np.cumsum([len(array) for array in arrays])[:-1]
        return np.split(codes, bounds)

    def decode(self, code: int) -> str | None:
        return self.addresses[code] if code >= 0 else None

    def _code(self, address: str) -> int:
        code = self._codes.get(address)
        if code is None:
            code = self._codes[address] = len(self.addresses)
            self.addresses.append(address)
        return code


def _string_array(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_dictionary(array.type):
        array = array.cast(array.type.value_type)
    return array if array.type == pa.string() else array.cast(pa.string())


@dataclass
class FlowBatch:
    """Flow records with a source and destination address, as numpy arrays.

    Integers absent in the log (`-`) are -1 for ports and protocol and 0 for counts.
    """

    src: np.ndarray
    dst: np.ndarray
    srcport: np.ndarray
    dstport: np.ndarray
    protocol: np.ndarray
    packets: np.ndarray
    bytes: np.ndarray
    start: np.ndarray
    rejected: np.ndarray
    syn_only: np.ndarray

    @classmethod
    def from_table(cls, table: pa.Table, book: AddressBook) -> "FlowBatch":
        """Convert a flow table, keeping records with both addresses, a start and status OK.

        NODATA and SKIPDATA records describe gaps, not traffic, so they are left out.
        """
        src, dst = book.encode([table["srcaddr"], table["dstaddr"]])
        protocol = _integers(table, "protocol", -1)
        batch = cls(
            src=src,
            dst=dst,
            srcport=_integers(table, "srcport", -1),
            dstport=_integers(table, "dstport", -1),
            protocol=protocol,
            packets=_integers(table, "packets", 0),
            bytes=_integers(table, "bytes", 0),
            start=_integers(table, "start", -1),
            rejected=_action_is_reject(table),
            # tcp-flags is the OR of the flags seen in the aggregation interval: 2 is SYN alone.
            syn_only=(protocol == 6) & (_integers(table, "tcp_flags", -1) == 2),
        )
        return batch.select((src >= 0) & (dst >= 0) & (batch.start >= 0) & _status_ok(table))

    def __len__(self) -> int:
        return len(self.src)

    def select(self, mask: np.ndarray) -> "FlowBatch":
        return FlowBatch(**{field.name: getattr(self, field.name)[mask] for field in fields(self)})

    def windows(self, seconds: int) -> np.ndarray:
        return self.start // seconds


def _integers(table: pa.Table, name: str, missing: int) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, missing, dtype=np.int64)
    column = table[name]
    if not pa.types.is_integer(column.type):
        column = pc.cast(column, pa.int64())
    return np.asarray(pc.fill_null(column, missing).to_numpy(), dtype=np.int64)


def _status_ok(table: pa.Table) -> np.ndarray:
    if "log_status" not in table.column_names:
        return np.ones(table.num_rows, dtype=bool)
    status = table["log_status"]
    is_ok = pc.or_kleene(pc.is_null(status), pc.equal(status, "OK"))
    return np.asarray(pc.fill_null(is_ok, True).to_numpy(zero_copy_only=False), dtype=bool)


def _action_is_reject(table: pa.Table) -> np.ndarray:
    if "action" not in table.column_names:
        return np.zeros(table.num_rows, dtype=bool)
    is_reject = pc.fill_null(pc.equal(table["action"], "REJECT"), False)
    return np.asarray(is_reject.to_numpy(zero_copy_only=False), dtype=bool)


def combine_keys(columns: Sequence[np.ndarray]) -> np.ndarray:
    """Return one int64 per row, equal for two rows exactly when all the columns are equal."""
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        if not len(column):
            break
        low = int(column.min())
        span = int(column.max()) - low + 1
        if (int(key.max()) + 1) * span >= _KEY_LIMIT:
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
        key = key * span + (column - low)
    return key


def group_by(
    columns: Columns,
    keys: Sequence[str],
    *,
    sums: Sequence[str] = (),
    mins: Sequence[str] = (),
    maxs: Sequence[str] = (),
) -> tuple[Columns, np.ndarray]:
    """Aggregate rows with equal keys; return the groups (with `rows`) and each row's group."""
    _, first, inverse = np.unique(
        combine_keys([columns[key] for key in keys]), return_index=True, return_inverse=True
    )
    size = len(first)
    grouped = {key: columns[key][first] for key in keys}
    grouped["rows"] = np.bincount(inverse, minlength=size)
    for name in sums:
        grouped[name] = np.bincount(inverse, weights=columns[name], minlength=size).astype(np.int64)
    for name in mins:
        grouped[name] = np.full(size, _INT_MAX, dtype=np.int64)
        np.minimum.at(grouped[name], inverse, columns[name])
    for name in maxs:
        grouped[name] = np.full(size, -_INT_MAX, dtype=np.int64)
        np.maximum.at(grouped[name], inverse, columns[name])
    return grouped, inverse


def members(inverse: np.ndarray, groups: Iterable[int]) -> dict[int, np.ndarray]:
    """Return the row indexes of each requested group."""
    wanted = set(groups)
    if not wanted:
        return {}
    order = np.argsort(inverse, kind="stable")
    starts = np.searchsorted(inverse[order], sorted(wanted), side="left")
    ends = np.searchsorted(inverse[order], sorted(wanted), side="right")
    return {group: order[a:b] for group, a, b in zip(sorted(wanted), starts, ends, strict=True)}


def concat(parts: Sequence[Columns]) -> Columns:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def take(columns: Columns, mask: np.ndarray) -> Columns:
    return {name: values[mask] for name, values in columns.items()}


# Rows are buffered and grouped once per this many, so that a stream of small batches costs
# about as much as one large table. Each detector buffers at most about 80 MB of int64 columns.
MAX_BUFFERED_ROWS = 1_000_000


class FlowDetector:
    """Base for detectors over VPC flow records.

    `observe` keeps the columns a detector needs and groups them by window and key. `flush`
    merges the groups of closed windows and turns those over threshold into detections.
    """

    name: str
    version: str = "1"
    source_type = "vpc_flow"

    def __init__(self, window_seconds: int, book: AddressBook | None = None) -> None:
        self.window_seconds = window_seconds
        self.book = book or AddressBook()
        self._buffer: list[Columns] = []
        self._buffered_rows = 0
        self._grouped: Columns | None = None

    def observe(self, flows: pa.Table) -> None:
        """Add a batch of flow records (a pyarrow table) to the open windows."""
        self.observe_batch(FlowBatch.from_table(flows, self.book))

    def observe_batch(self, batch: FlowBatch) -> None:
        """Add a batch already converted with this detector's address book."""
        rows = self._rows(batch) if len(batch) else None
        if rows is None or not len(rows["window"]):
            return
        self._buffer.append(rows)
        self._buffered_rows += len(rows["window"])
        if self._buffered_rows >= MAX_BUFFERED_ROWS:
            self._group_buffer()

    def flush(self, watermark: datetime | None = None) -> list[Detection]:
        """Evaluate windows that end at or before `watermark` (all windows when None)."""
        self._group_buffer()
        if self._grouped is None:
            return []
        table = self._grouped
        first_open = ready_before(watermark, self.window_seconds)
        if first_open is None:
            is_ready = np.ones(len(table["window"]), dtype=bool)
        else:
            is_ready = table["window"] < first_open
        pending = take(table, ~is_ready)
        self._grouped = pending if len(pending["window"]) else None
        ready = take(table, is_ready)
        if not len(ready["window"]):
            return []
        return with_log_source(self._evaluate(ready), self.source_type)

    def _group_buffer(self) -> None:
        parts = self._buffer if self._grouped is None else [self._grouped, *self._buffer]
        if self._buffer:
            self._grouped = self._combine(concat(parts))
        self._buffer, self._buffered_rows = [], 0

    def _rows(self, batch: FlowBatch) -> Columns:
        """Return the columns this detector groups, for the batch rows it looks at."""
        raise NotImplementedError

    def _combine(self, table: Columns) -> Columns:
        """Group rows (raw or already grouped) by window and key, summing the counts."""
        raise NotImplementedError

    def _evaluate(self, table: Columns) -> list[Detection]:
        """Turn the groups of closed windows that pass the thresholds into detections."""
        raise NotImplementedError


class FlowDetectorSet:
    """Several flow detectors fed from one conversion per batch (one address hashing pass)."""

    def __init__(self, detectors: Sequence[FlowDetector]) -> None:
        self.book = AddressBook()
        self.detectors = list(detectors)
        for detector in self.detectors:
            detector.book = self.book

    def observe(self, flows: pa.Table) -> None:
        """Convert the batch once and pass it to every detector."""
        batch = FlowBatch.from_table(flows, self.book)
        for detector in self.detectors:
            detector.observe_batch(batch)

    def flush(self, watermark: datetime | None = None) -> list[Detection]:
        """Collect the detections of windows closed at `watermark` (all when None)."""
        return [found for detector in self.detectors for found in detector.flush(watermark)]
