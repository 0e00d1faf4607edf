"""Exact top talkers of a window from per-bucket top lists, with a full scan as the fallback.

Each bucket keeps its TOP_LIST_SIZE busiest addresses (FlowTopTalker). An address missing
from a bucket's list has at most as many flows there as the list's last entry, so an address
missing from every list in the window has at most the sum of those last entries (`bound`).
When the Nth best listed address has more flows than `bound`, the listed addresses contain
the exact result. Otherwise the query falls back to summing every address in the window.
"""

import logging

import pyarrow as pa
from django.db import connection
from django.db.models import Q, Sum

from metrics.flows.stats import top_talkers
from metrics.models import FlowTalkerRollup, FlowTopTalker

logger = logging.getLogger(__name__)

TOP_LIST_SIZE = 50
# Buckets per refresh statement, well under the bound-parameter limits of SQLite and MariaDB.
REFRESH_CHUNK_BUCKETS = 500


def top_lists_refresh(talker_deltas: pa.Table) -> None:
    """Rebuild the top lists of every bucket that `talker_deltas` changed."""
    touched = talker_deltas.select(["resolution", "direction", "bucket_start"])
    keys = touched.group_by(["resolution", "direction"], use_threads=False).aggregate(
        [("bucket_start", "distinct")]
    )
    for resolution, direction, buckets in zip(
        *(keys.column(i).to_pylist() for i in range(3)), strict=True
    ):
        for offset in range(0, len(buckets), REFRESH_CHUNK_BUCKETS):
            chunk = sorted(buckets[offset : offset + REFRESH_CHUNK_BUCKETS])
            FlowTopTalker.objects.filter(
                resolution=resolution, direction=direction, bucket_start__in=chunk
            ).delete()
            _insert_top_rows(resolution, direction, chunk)


def _insert_top_rows(resolution: int, direction: str, buckets: list[int]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(c) for c in ("resolution", "bucket_start", "direction", "address", "flows")
    )
    placeholders = ", ".join(["%s"] * len(buckets))
    sql = (
        f"INSERT INTO {quote(FlowTopTalker._meta.db_table)} ({columns}) "
        f"SELECT {columns} FROM (SELECT {columns}, ROW_NUMBER() OVER ("
        f"PARTITION BY {quote('bucket_start')} ORDER BY {quote('flows')} DESC, {quote('address')}"
        f") AS talker_rank FROM {quote(FlowTalkerRollup._meta.db_table)} "
        f"WHERE {quote('resolution')} = %s AND {quote('direction')} = %s "
        f"AND {quote('bucket_start')} IN ({placeholders})) AS ranked WHERE talker_rank <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [resolution, direction, *buckets, TOP_LIST_SIZE])


def window_top_talkers(
    spans: list[tuple[int, int, int]], direction: str, limit: int
) -> list[tuple[str, int]]:
    """Return the window's `limit` busiest addresses, exactly, ties broken by address."""
    listed = _listed(spans, direction)
    bound = _bound(listed)
    candidates = {address for address, _flows, _bucket in listed}
    sums = _exact_sums(spans, direction, candidates) if candidates else {}
    best = top_talkers(sums, limit)
    if bound == 0 or (len(best) == limit and best[-1][1] > bound):
        return best
    logger.debug(
        "top talkers fell back to a full scan: bound %d, %d candidates", bound, len(candidates)
    )
    return _full_scan(spans, direction, limit)


def _span_filter(spans: list[tuple[int, int, int]]) -> Q:
    where = Q(pk__in=[])
    for resolution, first, stop in spans:
        where |= Q(resolution=resolution, bucket_start__gte=first, bucket_start__lt=stop)
    return where


def _listed(spans, direction: str) -> list[tuple[str, int, tuple[int, int]]]:
    rows = FlowTopTalker.objects.filter(_span_filter(spans), direction=direction).values_list(
        "address", "flows", "resolution", "bucket_start"
    )
    return [(address, flows, (resolution, start)) for address, flows, resolution, start in rows]


def _bound(listed) -> int:
    """Return the most flows an address absent from every list can have in the window."""
    lists: dict[tuple[int, int], list[int]] = {}
    for _, flows, bucket in listed:
        lists.setdefault(bucket, []).append(flows)
    return sum(min(counts) for counts in lists.values() if len(counts) >= TOP_LIST_SIZE)


def _exact_sums(spans, direction: str, candidates: set[str]) -> dict[str, int]:
    # Bucket starts are listed rather than given as a range, so the database can seek each
    # (bucket, address) pair in the unique index instead of reading whole buckets.
    addresses = sorted(candidates)
    sums: dict[str, int] = {}
    for resolution, first, stop in spans:
        rows = (
            FlowTalkerRollup.objects.filter(
                resolution=resolution,
                direction=direction,
                address__in=addresses,
                bucket_start__in=list(range(first, stop, resolution)),
            )  # fmt: skip
            .values("address")
            .annotate(total=Sum("flows"))
        )
        for row in rows:
            sums[row["address"]] = sums.get(row["address"], 0) + int(row["total"])
    return sums


def _full_scan(spans, direction: str, limit: int) -> list[tuple[str, int]]:
    rows = (
        FlowTalkerRollup.objects.filter(_span_filter(spans), direction=direction)
        .values("address")
        .annotate(total=Sum("flows"))
        .order_by("-total", "address")[:limit]
    )
    return [(row["address"], int(row["total"])) for row in rows]
