"""The format registry and consumer plug-in point of the ingest pipeline, and the progress line."""

import io
from pathlib import Path

import pyarrow as pa
import pytest

from ingest import pipeline, progress
from ingest.pipeline import FORMATS, ingest_object, register_consumer, register_format
from ingest.sources.files import FileObject
from logparsers.common import ParseStats

pytestmark = pytest.mark.django_db


def parse_words(chunks, *, source: str, stats: ParseStats):
    words = b"".join(chunks).split()
    stats.records += len(words)
    yield pa.table({"word": [w.decode() for w in words]})


class CollectingConsumer:
    committed: list[list[str]] = []

    def __init__(self) -> None:
        self.words: list[str] = []

    def add(self, batch: pa.Table) -> None:
        self.words += batch.column("word").to_pylist()

    def commit(self) -> None:
        CollectingConsumer.committed.append(self.words)


@pytest.fixture
def words_format(monkeypatch):
    monkeypatch.setattr(pipeline, "FORMATS", dict(FORMATS))
    register_format("words", detect=lambda head: head.startswith(b"WORDS"), parse=parse_words)
    register_consumer("words", CollectingConsumer)
    CollectingConsumer.committed = []
    yield


def test_registered_format_detected_and_consumed(words_format, tmp_path: Path):
    path = tmp_path / "w.txt"
    path.write_bytes(b"WORDS alpha beta\n")

    result = ingest_object(FileObject(path))

    assert result.status == "ingested"
    assert result.log_format == "words"
    assert CollectingConsumer.committed == [["WORDS", "alpha", "beta"]]


def test_duplicate_format_name_rejected(words_format):
    with pytest.raises(ValueError, match="already registered"):
        register_format("words", detect=lambda head: False, parse=parse_words)


def test_vpc_flow_registered_with_rollups():
    assert "vpc-flow" in FORMATS
    consumers = FORMATS["vpc-flow"].consumers
    # Rollups come first, so a detector error never hides the statistics of an object.
    assert consumers[0].__name__ == "FlowRollupConsumer"
    assert len(consumers) == 2


def test_progress_line_on_terminal(monkeypatch):
    monkeypatch.setattr(progress, "TERMINAL_REFRESH_SECONDS", 0)
    stream = io.StringIO()
    reporter = progress.IngestProgress(stream, is_terminal=True)

    reporter.add_records(1500)
    reporter.finish()

    assert stream.getvalue().startswith("\r0 objects  1,500 records  ")
    assert "records/s" in stream.getvalue()


def test_progress_logged_when_not_terminal(monkeypatch, caplog):
    monkeypatch.setattr(progress, "LOG_EVERY_SECONDS", 0)
    caplog.set_level("INFO", logger="ingest.progress")
    stream = io.StringIO()

    progress.IngestProgress(stream, is_terminal=False).add_records(10)

    assert stream.getvalue() == ""
    assert "ingest progress: 0 objects, 10 records" in caplog.text


def test_checkpoint_admin_read_only(admin_client, tmp_path: Path):
    path = tmp_path / "flows.log"
    path.write_text(
        "2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 60 1733300000 1733300060 ACCEPT OK\n"
    )
    ingest_object(FileObject(path))

    listing = admin_client.get("/admin/ingest/ingestedobject/")
    adding = admin_client.get("/admin/ingest/ingestedobject/add/")

    assert listing.status_code == 200
    assert str(path.resolve()) in listing.content.decode()
    assert adding.status_code == 403
