"""Rollup arithmetic: bucketing by start time, window covering, and percentage rounding."""

import pyarrow as pa
import pytest

from metrics.flows.accumulator import FlowRollupAccumulator
from metrics.flows.selectors import window_spans
from metrics.flows.stats import largest_remainder_percentages, top_talkers

HOUR = 3600


def batch(rows: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [("srcaddr", pa.string()), ("dstaddr", pa.string()), ("protocol", pa.int64()),
             ("bytes", pa.int64()), ("packets", pa.int64()), ("start", pa.int64()),
             ("action", pa.string()), ("log_status", pa.string())]
        ),
    )  # fmt: skip


def flow(start: int, **overrides) -> dict:
    row = {"srcaddr": "10.0.0.1", "dstaddr": "10.0.0.2", "protocol": 6, "bytes": 100,
           "packets": 1, "start": start, "action": "ACCEPT", "log_status": "OK"}  # fmt: skip
    row.update(overrides)
    return row


def test_flow_counted_in_bucket_of_its_start():
    accumulator = FlowRollupAccumulator()
    accumulator.add(batch([flow(1733300099), flow(1733300100)]))  # 08:14:59 and 08:15:00

    rows = accumulator.traffic().filter(pa.compute.equal(accumulator.traffic()["resolution"], 300))

    assert sorted(rows.column("bucket_start").to_pylist()) == [1733299800, 1733300100]


def test_nodata_and_skipdata_not_summed():
    accumulator = FlowRollupAccumulator()
    accumulator.add(batch([flow(1733300000), flow(1733300000, log_status="NODATA", srcaddr=None),
                           flow(1733300000, log_status="SKIPDATA")]))  # fmt: skip

    assert accumulator.flows == 1


def test_batches_merge_across_compaction(monkeypatch):
    monkeypatch.setattr("metrics.flows.accumulator.COMPACT_ROWS", 1)
    accumulator = FlowRollupAccumulator()
    for _ in range(4):
        accumulator.add(batch([flow(1733300000), flow(1733300000, srcaddr="10.0.0.9")]))

    talkers = accumulator.talkers().to_pylist()

    base_sources = {
        r["address"]: r["flows"]
        for r in talkers
        if r["resolution"] == 300 and r["direction"] == "src"
    }
    assert base_sources == {"10.0.0.1": 4, "10.0.0.9": 4}


def test_window_spans_use_coarse_buckets():
    start = 13 * HOUR  # 13:00 UTC on 1 January 1970

    spans = window_spans(start, start + 24 * HOUR)

    assert spans == [
        (3600, 13 * HOUR, 18 * HOUR),
        (21600, 18 * HOUR, 36 * HOUR),
        (3600, 36 * HOUR, 37 * HOUR),
    ]


def test_window_spans_cover_five_minute_edges():
    spans = window_spans(HOUR - 600, 2 * HOUR + 300)

    assert spans == [
        (300, HOUR - 600, HOUR),
        (3600, HOUR, 2 * HOUR),
        (300, 2 * HOUR, 2 * HOUR + 300),
    ]


def test_window_spans_reject_unaligned_window():
    with pytest.raises(ValueError, match="not aligned"):
        window_spans(100, 100 + HOUR)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"TCP": 1, "UDP": 1, "ICMP": 1}, {"ICMP": 34, "TCP": 33, "UDP": 33}),
        ({"TCP": 65, "UDP": 25, "ICMP": 10}, {"TCP": 65, "UDP": 25, "ICMP": 10}),
        ({"TCP": 2, "UDP": 1}, {"TCP": 67, "UDP": 33}),
        ({"TCP": 999, "GRE": 1}, {"TCP": 100, "GRE": 0}),
        ({}, {}),
    ],
)
def test_largest_remainder_percentages(counts, expected):
    result = largest_remainder_percentages(counts)

    assert result == expected
    assert list(result) == list(expected)


def test_top_talkers_break_ties_by_address():
    counts = {"10.0.0.9": 5, "10.0.0.10": 5, "10.0.0.1": 7, "a": 1, "b": 1, "c": 1}

    assert top_talkers(counts) == [
        ("10.0.0.1", 7),
        ("10.0.0.10", 5),
        ("10.0.0.9", 5),
        ("a", 1),
        ("b", 1),
    ]


@pytest.mark.django_db
def test_top_lists_keep_busiest_addresses(monkeypatch):
    from metrics.flows.services import flow_rollups_add
    from metrics.models import FlowTopTalker

    monkeypatch.setattr("metrics.flows.top_talkers.TOP_LIST_SIZE", 2)
    accumulator = FlowRollupAccumulator()
    rows = [flow(1733300000, srcaddr=f"10.0.0.{n}") for n in (1, 2, 2, 3, 3, 3)]
    accumulator.add(batch(rows))

    flow_rollups_add(traffic=accumulator.traffic(), talkers=accumulator.talkers())

    listed = FlowTopTalker.objects.filter(resolution=300, direction="src").order_by("-flows")
    assert list(listed.values_list("address", "flows")) == [("10.0.0.3", 3), ("10.0.0.2", 2)]
