"""`manage.py ingest` over local files: counts, checkpoints, and crash recovery."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Sum

from ingest.models import IngestedObject
from ingest.pipeline import ingest_object
from ingest.sources import files
from ingest.sources.files import FileObject
from logparsers.tests.test_vpc_flow_parser import SAMPLE_COUNTS
from metrics.models import FlowTalkerRollup, FlowTrafficRollup

SAMPLES = Path(settings.BASE_DIR).parent / "shared" / "samples" / "vpc-flow"
UNRECOGNISED = {"beats-bad-unsupported-format.log"}

pytestmark = pytest.mark.django_db


def ingest(*sources: str) -> str:
    out = StringIO()
    call_command("ingest", *sources, stdout=out)
    return out.getvalue()


def rollup_snapshot() -> tuple[list, list]:
    traffic = list(FlowTrafficRollup.objects.order_by("pk").values_list(
        "resolution", "bucket_start", "action", "protocol", "flows", "bytes", "packets"))  # fmt: skip
    talkers = list(FlowTalkerRollup.objects.order_by("pk").values_list(
        "resolution", "bucket_start", "direction", "address", "flows"))  # fmt: skip
    return traffic, talkers


def base_flow_total() -> int:
    total = FlowTrafficRollup.objects.filter(resolution=300).aggregate(n=Sum("flows"))["n"]
    return int(total or 0)


def write_flow_file(path: Path, count: int, start: int = 1733300000) -> Path:
    lines = ["version account-id interface-id srcaddr dstaddr srcport dstport protocol "
             "packets bytes start end action log-status"]  # fmt: skip
    for i in range(count):
        action = "REJECT" if i % 7 == 0 else "ACCEPT"
        lines.append(
            f"2 123456789012 eni-1 10.0.{i % 3}.{i % 11} 172.16.0.{i % 5} {2000 + i} 443 "
            f"{6 if i % 4 else 17} 2 {100 + i} {start + i * 7} {start + i * 7 + 60} {action} OK"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("name", sorted(set(SAMPLE_COUNTS) - UNRECOGNISED))
def test_sample_file_checkpoint_counts(name):
    ingest(str(SAMPLES / name))

    row = IngestedObject.objects.get()
    flows, nodata, skipdata, malformed = SAMPLE_COUNTS[name]
    assert (row.flows, row.nodata, row.skipdata, row.malformed) == (
        flows,
        nodata,
        skipdata,
        malformed,
    )
    assert row.log_format == "vpc-flow"


def test_sample_folder_ingests_without_error():
    output = ingest(str(SAMPLES))

    assert IngestedObject.objects.count() == len(SAMPLE_COUNTS) - len(UNRECOGNISED)
    assert "objects in no known format: 1" in output
    assert "flowlogs-reader-v2-pandas.parquet line 3" in output


def test_flows_without_start_not_rolled_up():
    ingest(str(SAMPLES))

    # Every flow has a start except the 2 of the NAT gateway file, whose format lacks it.
    expected = sum(flows for name, (flows, *_rest) in SAMPLE_COUNTS.items()) - 2
    assert base_flow_total() == expected


def test_reingest_changes_nothing():
    ingest(str(SAMPLES))
    before = rollup_snapshot()

    output = ingest(str(SAMPLES))

    assert rollup_snapshot() == before
    assert f"duplicate objects skipped: {len(SAMPLE_COUNTS) - len(UNRECOGNISED)}" in output
    assert "records: 0" in output


def test_moved_copy_is_skipped(tmp_path):
    original = write_flow_file(tmp_path / "a.log", 50)
    ingest(str(original))
    copy = tmp_path / "sub" / "b.log"
    copy.parent.mkdir()
    shutil.copy(original, copy)

    output = ingest(str(copy))

    assert "duplicate objects skipped: 1" in output
    assert base_flow_total() == 50


def test_glob_reads_matching_files(tmp_path):
    write_flow_file(tmp_path / "one.log", 10)
    write_flow_file(tmp_path / "two.log", 20, start=1733400000)
    (tmp_path / "other.txt").write_text("not a log")

    ingest(str(tmp_path / "*.log"))

    assert base_flow_total() == 30


def test_crash_mid_file_then_exact_retry(tmp_path, monkeypatch):
    path = write_flow_file(tmp_path / "flows.log", 2000)
    monkeypatch.setattr(files, "READ_CHUNK_BYTES", 4096)
    original_chunks = FileObject.chunks

    def chunks_then_crash(self):
        chunk_iter = iter(original_chunks(self))
        for _ in range(5):
            yield next(chunk_iter)
        raise OSError("device went away")

    monkeypatch.setattr(FileObject, "chunks", chunks_then_crash)
    with pytest.raises(CommandError):
        ingest(str(path))
    assert rollup_snapshot() == ([], [])
    assert not IngestedObject.objects.exists()

    monkeypatch.setattr(FileObject, "chunks", original_chunks)
    ingest(str(path))

    assert base_flow_total() == 2000
    assert IngestedObject.objects.get().flows == 2000


def test_crash_during_commit_rolls_back_rollups(tmp_path, monkeypatch):
    path = write_flow_file(tmp_path / "flows.log", 300)

    def fail(self, log_format, stats):
        raise RuntimeError("killed before the checkpoint was written")

    monkeypatch.setattr(FileObject, "mark_ingested", fail)
    with pytest.raises(RuntimeError):
        ingest_object(FileObject(path))
    assert rollup_snapshot() == ([], [])

    monkeypatch.undo()
    ingest(str(path))

    assert base_flow_total() == 300


def test_resolutions_agree(tmp_path):
    ingest(str(write_flow_file(tmp_path / "flows.log", 1500)))

    totals = {
        resolution: FlowTrafficRollup.objects.filter(resolution=resolution).aggregate(
            n=Sum("flows")
        )["n"]
        for resolution in (300, 3600, 21600)
    }
    assert set(totals.values()) == {1500}


def test_missing_path_fails_with_message():
    with pytest.raises(CommandError, match="1 objects failed"):
        ingest("/nonexistent/flows-*.log")


def test_format_option_rejects_unknown_format():
    with pytest.raises(CommandError):
        ingest("--format", "syslog", str(SAMPLES))
