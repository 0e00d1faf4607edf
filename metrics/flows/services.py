"""Writes of flow rollups: add the deltas of one ingested object to the stored buckets."""

import logging
from collections.abc import Sequence

import pyarrow as pa
from django.db import connection, models, transaction

from metrics.flows.top_talkers import top_lists_refresh
from metrics.models import FlowTalkerRollup, FlowTrafficRollup

logger = logging.getLogger(__name__)

# Rows per INSERT statement; small enough for MariaDB's max_allowed_packet default (16 MiB).
UPSERT_CHUNK_ROWS = 2000


def flow_rollups_add(*, traffic: pa.Table, talkers: pa.Table) -> None:
    """Add rollup deltas to the stored rows, inserting the buckets that do not exist yet.

    Runs inside the caller's transaction when there is one, so an object's deltas and its
    ingest checkpoint commit together.
    """
    with transaction.atomic():
        _upsert_add(
            FlowTrafficRollup,
            keys=["resolution", "bucket_start", "action", "protocol"],
            sums=["flows", "bytes", "packets"],
            table=traffic,
        )
        _upsert_add(
            FlowTalkerRollup,
            keys=["resolution", "direction", "bucket_start", "address"],
            sums=["flows"],
            table=talkers,
        )
        top_lists_refresh(talkers)
    logger.debug(
        "added flow rollups: %d traffic rows, %d talker rows", traffic.num_rows, talkers.num_rows
    )


def _upsert_add(
    model: type[models.Model], *, keys: list[str], sums: list[str], table: pa.Table
) -> None:
    if not table.num_rows:
        return
    columns = keys + sums
    sql = _upsert_sql(model._meta.db_table, keys, sums)
    # Rows in unique-key order reach neighbouring index pages one after another.
    table = table.sort_by([(key, "ascending") for key in keys])
    with connection.cursor() as cursor:
        # Converted to Python a chunk at a time, so memory does not grow with the row count.
        for offset in range(0, table.num_rows, UPSERT_CHUNK_ROWS):
            chunk = table.slice(offset, UPSERT_CHUNK_ROWS)
            rows = zip(*(chunk.column(name).to_pylist() for name in columns), strict=True)
            cursor.executemany(sql, list(rows))


def _upsert_sql(table: str, keys: Sequence[str], sums: Sequence[str]) -> str:
    """Return an INSERT that adds `sums` to an existing row with the same `keys`.

    Django's bulk_create(update_conflicts=True) can only overwrite a column, not add to it,
    hence the vendor-specific statement.
    """
    quote = connection.ops.quote_name
    columns = [*keys, *sums]
    names = ", ".join(quote(name) for name in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    insert = f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})"
    if connection.vendor == "mysql":
        updates = ", ".join(f"{quote(s)} = {quote(s)} + VALUES({quote(s)})" for s in sums)
        return f"{insert} ON DUPLICATE KEY UPDATE {updates}"
    if connection.vendor in {"sqlite", "postgresql"}:
        conflict = ", ".join(quote(key) for key in keys)
        updates = ", ".join(
            f"{quote(s)} = {quote(table)}.{quote(s)} + excluded.{quote(s)}" for s in sums
        )
        return f"{insert} ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    raise NotImplementedError(f"flow rollups cannot be written to a {connection.vendor} database")
