"""Detection consumers of the ingest pipeline: settings, commit-time writes, the classifier."""

import io
import json
import logging
from pathlib import Path

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError

from ingest import detection
from ingest.detection import FlowDetectionConsumer, detector_thresholds
from ingest.sources.files import FileObject
from logparsers.common import ParseStats
from logparsers.vpc_flow import parse_vpc_flow
from metrics.models import FlowTrafficRollup
from siem import aws
from siem.telemetry import DETECTIONS_RAISED
from threats.detectors import DetectorThresholds
from threats.models import SecurityEvent
from threats.tests.test_detection_ingest import ingest, port_scan_lines, write_flows

# 2026-03-02T00:00:00Z, the start of a five-minute window.
START = 1772409600
SCANNER = "203.0.113.45"

pytestmark = pytest.mark.django_db


@pytest.fixture
def scan_file(tmp_path) -> Path:
    return write_flows(tmp_path / "scan.log", port_scan_lines(SCANNER, "10.20.0.10", START))


@pytest.fixture(autouse=True)
def _fresh_classifier():
    detection._classifier.cache_clear()
    yield
    detection._classifier.cache_clear()


@pytest.fixture
def sagemaker(settings, monkeypatch):
    settings.THREAT_CLASSIFIER = "sagemaker"
    settings.SAGEMAKER_CLASSIFIER_ENDPOINT = "threat-classifier"
    client = boto3.client("sagemaker-runtime", region_name="us-east-1")
    monkeypatch.setattr(detection.aws, "client", lambda service: client)
    with Stubber(client) as stubber:
        yield stubber


def endpoint_answer(payload: dict) -> dict:
    body = json.dumps(payload).encode()
    return {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": "application/json"}


def test_thresholds_default_to_detector_values(settings):
    settings.SIEM_DETECT_OVERRIDES = {}

    assert detector_thresholds() == DetectorThresholds()


def test_thresholds_read_overrides(settings):
    settings.SIEM_DETECT_OVERRIDES = {
        "BRUTE_FORCE_MIN_FLOW_ATTEMPTS": "12",
        "BRUTE_FORCE_LOGIN_PORTS": "22, 2222",
        "DDOS_MIN_SYN_RATIO": "0.5",
        "WEB_ATTACKS_WINDOW_SECONDS": "60",
    }

    thresholds = detector_thresholds()

    assert thresholds.brute_force.min_flow_attempts == 12
    assert thresholds.brute_force.login_ports == (22, 2222)
    assert thresholds.ddos.min_syn_ratio == 0.5
    assert thresholds.web_attacks.window_seconds == 60


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORTSCAN_WINDOW_SECONDS", "60", "names no detector"),
        ("PORT_SCAN_MIN_PORTS", "10", "is unknown: port_scan has"),
        ("DDOS_MIN_SOURCES", "many", "is invalid: use a whole number"),
        ("DDOS_MIN_SOURCES", "-1", "use a positive value"),
        ("BRUTE_FORCE_LOGIN_PORTS", "ssh", "comma-separated whole numbers"),
    ],
)
def test_thresholds_reject_bad_overrides(settings, name, value, message):
    settings.SIEM_DETECT_OVERRIDES = {name: value}

    with pytest.raises(ImproperlyConfigured, match=message):
        detector_thresholds()


def test_bad_override_fails_the_ingest(settings, scan_file):
    settings.SIEM_DETECT_OVERRIDES = {"PORT_SCAN_MIN_PORTS": "10"}

    with pytest.raises(ImproperlyConfigured, match="SIEM_DETECT_PORT_SCAN_MIN_PORTS"):
        ingest(scan_file)


def test_consumer_writes_nothing_before_commit(scan_file):
    consumer = FlowDetectionConsumer()
    for table in parse_vpc_flow([scan_file.read_bytes()], source="scan.log", stats=ParseStats()):
        consumer.add(table)
    assert not SecurityEvent.objects.exists()

    consumer.commit()

    assert SecurityEvent.objects.get().type == "port_scan"


def test_failed_checkpoint_rolls_back_events(scan_file, monkeypatch):
    def fail(self, log_format, stats):
        raise OSError("disk full")

    monkeypatch.setattr(FileObject, "mark_ingested", fail)

    with pytest.raises(CommandError):
        ingest(scan_file)

    assert not SecurityEvent.objects.exists()


def test_detection_disabled_keeps_statistics(settings, scan_file):
    settings.SIEM_DETECTION_ENABLED = False

    ingest(scan_file)

    assert not SecurityEvent.objects.exists()
    assert FlowTrafficRollup.objects.exists()


def test_detection_logged_and_counted_after_commit(
    scan_file, caplog, django_capture_on_commit_callbacks
):
    counter = DETECTIONS_RAISED.labels(type="port_scan")
    before = counter._value.get()

    with caplog.at_level(logging.INFO, logger="threats.services"):
        with django_capture_on_commit_callbacks(execute=True):
            ingest(scan_file)

    event = SecurityEvent.objects.get()
    assert counter._value.get() == before + 1
    logged = f"detection raised: port_scan from {SCANNER}, fingerprint {event.fingerprint}"
    assert logged in caplog.text


def test_sagemaker_label_is_stored(sagemaker, scan_file):
    sagemaker.add_response(
        "invoke_endpoint",
        endpoint_answer({"label": "brute_force", "confidence": 0.42}),
        {
            "EndpointName": "threat-classifier",
            "ContentType": "text/csv",
            "Accept": ANY,
            "Body": ANY,
        },
    )

    ingest(scan_file)

    event = SecurityEvent.objects.get()
    assert event.type == "brute_force"
    assert event.confidence == 0.42
    assert event.evidence["classifier"] == {
        "source": "sagemaker",
        "rule_label": "port_scan",
        "rule_confidence": 0.8,
    }
    sagemaker.assert_no_pending_responses()


def test_sagemaker_failure_keeps_rule_label(sagemaker, scan_file, caplog):
    sagemaker.add_client_error("invoke_endpoint", "ModelError", http_status_code=424)

    with caplog.at_level(logging.WARNING, logger="threats.classifier"):
        ingest(scan_file)

    event = SecurityEvent.objects.get()
    assert (event.type, event.confidence) == ("port_scan", 0.8)
    assert "keeping the rule label port_scan" in caplog.text


def test_sagemaker_without_region_keeps_rule_labels(settings, monkeypatch, scan_file, caplog):
    settings.THREAT_CLASSIFIER = "sagemaker"
    settings.SAGEMAKER_CLASSIFIER_ENDPOINT = "threat-classifier"
    settings.AWS_REGION = ""
    monkeypatch.setattr(detection.aws, "client", aws.client)

    with caplog.at_level(logging.WARNING, logger="ingest.detection"):
        ingest(scan_file)

    assert SecurityEvent.objects.get().type == "port_scan"
    assert "SageMaker classifier unavailable" in caplog.text
