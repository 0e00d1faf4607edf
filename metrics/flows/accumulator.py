"""In-memory sums of flow batches per time bucket, ready to be added to the stored rollups.

A flow belongs to the bucket that contains its `start` time (the first packet of its capture
window), even when its capture window ends in the next bucket. NODATA and SKIPDATA records and
flows without a `start` are not summed.
"""

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

BASE_RESOLUTION = 300
# Bucket lengths in seconds. Each divides the next, so a window aligned to 5 minutes is a
# union of whole buckets, and coarse buckets keep the long-range queries small.
RESOLUTIONS = (300, 3600, 21600)
# Partial sums are merged once they hold this many rows, which keeps memory flat however
# many records an object has (it then grows only with distinct buckets and addresses).
COMPACT_ROWS = 500_000

TRAFFIC_KEYS = ["bucket_start", "action", "protocol"]
TALKER_KEYS = ["bucket_start", "direction", "address"]


class FlowRollupAccumulator:
    """Sum of flows, bytes and packets by bucket, action and protocol, and flows per address."""

    def __init__(self) -> None:
        self._traffic: list[pa.Table] = []
        self._talkers: list[pa.Table] = []
        self._rows = 0
        self.flows = 0
        self.flows_without_start = 0

    def add(self, batch: pa.Table) -> None:
        """Add the flows of one parsed batch."""
        flows = _flows_of(batch)
        self.flows_without_start += flows.num_rows
        flows = flows.filter(pc.is_valid(flows.column("start")))
        self.flows_without_start -= flows.num_rows
        if not flows.num_rows:
            return
        self.flows += flows.num_rows
        bucket = _bucket(flows.column("start"), BASE_RESOLUTION)
        self._traffic.append(_traffic_sums(flows, bucket))
        self._talkers.extend(_talker_counts(flows, bucket))
        self._rows += self._traffic[-1].num_rows + sum(t.num_rows for t in self._talkers[-2:])
        if self._rows > COMPACT_ROWS:
            self._compact()

    def traffic(self) -> pa.Table:
        """Return rows (resolution, bucket_start, action, protocol, flows, bytes, packets)."""
        base = _regroup_traffic(self._traffic)
        return _at_all_resolutions(base, _regroup_traffic)

    def talkers(self) -> pa.Table:
        """Return rows (resolution, bucket_start, direction, address, flows)."""
        base = _regroup_talkers(self._talkers)
        return _at_all_resolutions(base, _regroup_talkers)

    def _compact(self) -> None:
        self._traffic = [_regroup_traffic(self._traffic)]
        self._talkers = [_regroup_talkers(self._talkers)]
        self._rows = self._traffic[0].num_rows + self._talkers[0].num_rows


def _flows_of(batch: pa.Table) -> pa.Table:
    if "start" not in batch.column_names:
        return batch.slice(0, 0).append_column("start", pa.nulls(0, pa.int64()))
    if "log_status" not in batch.column_names:
        return batch
    status = batch.column("log_status")
    return batch.filter(pc.or_kleene(pc.is_null(status), pc.equal(status, "OK")))


def _bucket(start: pa.ChunkedArray, resolution: int) -> pa.ChunkedArray:
    # Integer division truncates toward zero; `start` is never negative after parsing.
    return pc.multiply(pc.divide(start, resolution), resolution)


def _column_or(table: pa.Table, name: str, fill: object, type_: pa.DataType) -> pa.ChunkedArray:
    if name not in table.column_names:
        return pa.chunked_array([pa.array([fill] * table.num_rows, type_)])
    return pc.fill_null(table.column(name), fill)


def _traffic_sums(flows: pa.Table, bucket: pa.ChunkedArray) -> pa.Table:
    table = pa.table(
        {
            "bucket_start": bucket,
            "action": _column_or(flows, "action", "", pa.string()),
            "protocol": _column_or(flows, "protocol", -1, pa.int64()),
            "flows": pa.chunked_array([pa.array([1] * flows.num_rows, pa.int64())]),
            "bytes": _column_or(flows, "bytes", 0, pa.int64()),
            "packets": _column_or(flows, "packets", 0, pa.int64()),
        }
    )
    return _regroup_traffic([table])


def _talker_counts(flows: pa.Table, bucket: pa.ChunkedArray) -> list[pa.Table]:
    counts = []
    for direction, column in (("src", "srcaddr"), ("dst", "dstaddr")):
        if column not in flows.column_names:
            continue
        table = pa.table({"bucket_start": bucket, "address": flows.column(column)})
        table = table.filter(pc.is_valid(table.column("address")))
        grouped = table.group_by(["bucket_start", "address"], use_threads=False).aggregate(
            [([], "count_all")]
        )
        direction_column = pa.array([direction] * grouped.num_rows, pa.string())
        counts.append(
            pa.table(
                {
                    "bucket_start": grouped.column("bucket_start"),
                    "direction": direction_column,
                    "address": grouped.column("address"),
                    "flows": grouped.column("count_all"),
                }
            )
        )
    return counts


def _regroup_traffic(tables: list[pa.Table]) -> pa.Table:
    table = _concat(tables, _TRAFFIC_SCHEMA)
    grouped = table.group_by(TRAFFIC_KEYS, use_threads=False).aggregate(
        [("flows", "sum"), ("bytes", "sum"), ("packets", "sum")]
    )
    return grouped.rename_columns(_renamed(grouped.column_names)).select(_TRAFFIC_SCHEMA.names)


def _regroup_talkers(tables: list[pa.Table]) -> pa.Table:
    table = _concat(tables, _TALKER_SCHEMA)
    grouped = table.group_by(TALKER_KEYS, use_threads=False).aggregate([("flows", "sum")])
    return grouped.rename_columns(_renamed(grouped.column_names)).select(_TALKER_SCHEMA.names)


def _renamed(names: list[str]) -> list[str]:
    return [name.removesuffix("_sum") for name in names]


def _concat(tables: list[pa.Table], schema: pa.Schema) -> pa.Table:
    if not tables:
        return schema.empty_table()
    return pa.concat_tables([table.select(schema.names).cast(schema) for table in tables])


def _at_all_resolutions(base: pa.Table, regroup: Callable[[list[pa.Table]], pa.Table]) -> pa.Table:
    levels = []
    for resolution in RESOLUTIONS:
        level = base
        if resolution != BASE_RESOLUTION:
            coarse = _bucket(base.column("bucket_start"), resolution)
            level = regroup([base.set_column(0, "bucket_start", coarse)])
        column = pa.array([resolution] * level.num_rows, pa.int64())
        levels.append(level.add_column(0, "resolution", column))
    return pa.concat_tables(levels)


_TRAFFIC_SCHEMA = pa.schema(
    [("bucket_start", pa.int64()), ("action", pa.string()), ("protocol", pa.int64()),
     ("flows", pa.int64()), ("bytes", pa.int64()), ("packets", pa.int64())]
)  # fmt: skip
_TALKER_SCHEMA = pa.schema(
    [("bucket_start", pa.int64()), ("direction", pa.string()), ("address", pa.string()),
     ("flows", pa.int64())]
)  # fmt: skip
