"""`manage.py detect`: detectors run again over ingested objects, without counting windows twice."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ingest.models import IngestedObject, LogStreamCheckpoint
from metrics.models import FlowTalkerRollup, FlowTrafficRollup
from threats.models import SecurityEvent, SecurityEventOccurrence
from threats.tests.test_detection_ingest import (
    DAY_START,
    DEMO_INTEL,
    demo_day,  # noqa: F401 (fixture)
    demo_intel,  # noqa: F401 (fixture)
    event_rows,
    flow_line,
    ingest,
    port_scan_lines,
    ssh_attempt_lines,
    write_flows,
)

# 2026-03-02T00:00:00Z, the start of a five-minute window.
START = 1772409600

pytestmark = pytest.mark.django_db


def detect(*args: str) -> str:
    out = StringIO()
    call_command("detect", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def attack_files(tmp_path) -> Path:
    lines = port_scan_lines("203.0.113.45", "10.20.0.10", START)
    lines += port_scan_lines("203.0.113.45", "10.20.0.10", START + 300)
    lines += ssh_attempt_lines("203.0.113.77", "10.20.0.10", START + 600)
    write_flows(tmp_path / "flows.log", lines)
    return tmp_path


def test_detect_rerun_keeps_counts(attack_files):
    ingest(attack_files)
    before = event_rows()

    output = detect("--since", DAY_START)

    assert event_rows() == before
    assert SecurityEventOccurrence.objects.count() == 3
    assert "3 already recorded" in output
    assert SecurityEvent.objects.get(type="port_scan").count == 2


def test_detect_leaves_rollups_and_checkpoints(attack_files):
    ingest(attack_files)
    rollups = (FlowTrafficRollup.objects.count(), FlowTalkerRollup.objects.count())
    checkpoints = list(IngestedObject.objects.values_list("id", "ingested_at"))

    detect("--since", DAY_START)

    assert (FlowTrafficRollup.objects.count(), FlowTalkerRollup.objects.count()) == rollups
    assert list(IngestedObject.objects.values_list("id", "ingested_at")) == checkpoints


def test_detect_finds_contacts_with_a_new_list(tmp_path, settings):
    lines = [
        flow_line("10.20.11.23", "198.51.100.200", 50000 + n, 443, START + n, "ACCEPT")
        for n in range(3)
    ]
    ingest(write_flows(tmp_path / "beacon.log", lines))
    assert not SecurityEvent.objects.exists()
    settings.SIEM_INTEL_IP_FILES = [str(DEMO_INTEL / "ip-blocklist.txt")]

    output = detect("--since", DAY_START)

    (event,) = SecurityEvent.objects.all()
    assert (event.type, event.source_ip, event.destination_ip) == (
        "malware",
        "10.20.11.23",
        "198.51.100.200",
    )
    assert "1 new windows" in output


def test_detect_stores_only_the_requested_range(attack_files):
    ingest(attack_files)
    SecurityEvent.objects.all().delete()

    detect("--since", "2026-03-02T00:05:00Z", "--until", "2026-03-02T00:10:00Z")

    (event,) = SecurityEvent.objects.all()
    assert event.type == "port_scan"
    assert event.occurrences.get().window_start.isoformat() == "2026-03-02T00:05:00+00:00"


def test_detect_skips_objects_ingested_before_since(attack_files):
    ingest(attack_files)
    SecurityEvent.objects.all().delete()

    output = detect("--since", "2100-01-01T00:00:00Z")

    assert not SecurityEvent.objects.exists()
    assert "objects re-read: 0" in output


def test_detect_reports_missing_file(attack_files):
    ingest(attack_files)
    (attack_files / "flows.log").unlink()

    output = detect("--since", DAY_START)

    assert "flows.log: the file is no longer on disk" in output
    assert "objects re-read: 0" in output


def test_detect_reports_changed_file(attack_files):
    ingest(attack_files)
    with open(attack_files / "flows.log", "a") as handle:
        handle.write(flow_line("192.0.2.1", "10.20.0.10", 50000, 443, START, "ACCEPT") + "\n")

    output = detect("--since", DAY_START)

    assert "the file changed since it was ingested" in output


def test_detect_names_what_it_cannot_rerun():
    LogStreamCheckpoint.objects.create(
        log_group="/vpc/flow-logs", log_stream="eni-0a1b2c3d-all", last_timestamp=0
    )

    output = detect("--since", DAY_START)

    assert "CloudWatch Logs events from 1 log streams" in output
    assert "statistics rollups" in output


def test_detect_rejects_time_without_zone():
    with pytest.raises(CommandError, match="ISO 8601 time with a zone"):
        detect("--since", "2026-03-02T00:00")


def test_detect_rerun_of_generated_day_keeps_counts(demo_day, demo_intel):  # noqa: F811
    ingest(demo_day / "AWSLogs")
    before = event_rows()
    windows = SecurityEventOccurrence.objects.count()

    output = detect("--since", DAY_START)

    assert event_rows() == before
    assert SecurityEventOccurrence.objects.count() == windows
    assert "0 new windows" in output
