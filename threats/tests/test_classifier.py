"""Classifier: rule labels, the SageMaker endpoint path through botocore's Stubber, fallbacks."""

import io
import json
import logging
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import ANY, Stubber

from threats.classifier import (
    CSV,
    FEATURE_NAMES,
    JSON,
    RuleClassifier,
    SageMakerClassifier,
    apply_classification,
    build_classifier,
    feature_vector,
    parse_prediction,
)
from threats.detectors.base import Detection, Severity

ENDPOINT = "threat-classifier"

DETECTION = Detection(
    type="port_scan",
    severity=Severity.MEDIUM,
    source_ip="203.0.113.9",
    destination_ip="10.0.1.5",
    description="Port scan: 203.0.113.9 probed 60 ports on 10.0.1.5 within 5 minutes",
    blocked=False,
    detector="port_scan",
    detector_version="1",
    confidence=0.8,
    evidence={"distinct_ports": 60, "log_source": "vpc_flow"},
    occurred_at=datetime(2024, 12, 4, 8, 0, tzinfo=UTC),
    fingerprint="17360c5c140cf0b70366070719240b67e7df07be",
    features={"flows": 60, "distinct_ports": 60, "rejected_ratio": 1.0},
)


@pytest.fixture
def runtime():
    client = boto3.client("sagemaker-runtime", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber


def _answer(body: bytes) -> dict:
    return {"Body": StreamingBody(io.BytesIO(body), len(body)), "ContentType": JSON}


def test_feature_vector_order():
    vector = feature_vector(DETECTION)

    assert len(vector) == len(FEATURE_NAMES)
    assert vector[FEATURE_NAMES.index("flows")] == 60.0
    assert vector[FEATURE_NAMES.index("rejected_ratio")] == 1.0
    assert vector[FEATURE_NAMES.index("rule_port_scan")] == 1.0
    assert vector[FEATURE_NAMES.index("source_vpc_flow")] == 1.0
    assert vector[FEATURE_NAMES.index("requests")] == 0.0


def test_rules_keep_detector_label():
    classification = RuleClassifier().classify(DETECTION)

    assert (classification.label, classification.confidence, classification.source) == (
        "port_scan",
        0.8,
        "rules",
    )


def test_sagemaker_label_is_stored(runtime):
    client, stubber = runtime
    body = ",".join(repr(value) for value in feature_vector(DETECTION)).encode()
    stubber.add_response(
        "invoke_endpoint",
        _answer(b'{"label": "ddos", "confidence": 0.93}'),
        {"EndpointName": ENDPOINT, "ContentType": CSV, "Accept": JSON, "Body": body},
    )

    classification = SageMakerClassifier(client, ENDPOINT).classify(DETECTION)
    labelled = apply_classification(DETECTION, classification)

    stubber.assert_no_pending_responses()
    assert (labelled.type, labelled.confidence) == ("ddos", 0.93)
    assert labelled.evidence["classifier"] == {
        "source": "sagemaker",
        "rule_label": "port_scan",
        "rule_confidence": 0.8,
    }


def test_sagemaker_json_request(runtime):
    client, stubber = runtime
    expected = json.dumps(
        {"instances": [feature_vector(DETECTION)], "feature_names": list(FEATURE_NAMES)}
    )
    stubber.add_response(
        "invoke_endpoint",
        _answer(b'{"predictions": [{"label": "port_scan", "score": 0.7}]}'),
        {"EndpointName": ENDPOINT, "ContentType": JSON, "Accept": JSON, "Body": expected.encode()},
    )

    classification = SageMakerClassifier(client, ENDPOINT, content_type=JSON).classify(DETECTION)

    assert (classification.label, classification.confidence) == ("port_scan", 0.7)


@pytest.mark.parametrize(
    "failure",
    [
        {"service_error_code": "ModelError", "http_status_code": 424},
        {"service_error_code": "ServiceUnavailable", "http_status_code": 503},
        {"response": b'{"label": "ransomware", "confidence": 0.9}'},
        {"response": b"<html>bad gateway</html>"},
        {"response": b'{"label": "ddos", "confidence": 7}'},
    ],
    ids=[
        "model error",
        "unavailable",
        "unknown label",
        "not JSON or CSV",
        "confidence out of range",
    ],
)
def test_failing_endpoint_falls_back_to_rule_label(runtime, caplog, failure):
    client, stubber = runtime
    if "response" in failure:
        stubber.add_response(
            "invoke_endpoint",
            _answer(failure["response"]),
            {
                "EndpointName": ENDPOINT,
                "ContentType": CSV,
                "Accept": JSON,
                "Body": ANY,
            },
        )
    else:
        stubber.add_client_error("invoke_endpoint", **failure)

    with caplog.at_level(logging.WARNING, logger="threats.classifier"):
        classification = SageMakerClassifier(client, ENDPOINT).classify(DETECTION)

    assert (classification.label, classification.source) == ("port_scan", "rules")
    assert classification.confidence == 0.8
    assert "keeping the rule label port_scan" in caplog.text
    assert ENDPOINT in caplog.text


class _TimingOutClient:
    def invoke_endpoint(self, **kwargs):
        raise ReadTimeoutError(endpoint_url="https://runtime.sagemaker.us-east-1.amazonaws.com")


def test_timeout_falls_back_to_rule_label(caplog):
    with caplog.at_level(logging.WARNING, logger="threats.classifier"):
        classification = SageMakerClassifier(_TimingOutClient(), ENDPOINT).classify(DETECTION)

    assert classification.source == "rules"
    assert "Read timeout" in caplog.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"xss,0.61\n", ("xss", 0.61)),
        (b'{"label": "malware", "confidence": "0.5"}', ("malware", 0.5)),
        (b'{"predictions": [{"label": "phishing", "confidence": 1}]}', ("phishing", 1.0)),
    ],
)
def test_prediction_formats(body, expected):
    assert parse_prediction(body) == expected


def test_build_classifier_modes(runtime):
    client, _ = runtime

    assert isinstance(build_classifier("rules"), RuleClassifier)
    assert isinstance(
        build_classifier("sagemaker", client=client, endpoint_name=ENDPOINT), SageMakerClassifier
    )
    with pytest.raises(ValueError, match="needs a sagemaker-runtime client"):
        build_classifier("sagemaker")
    with pytest.raises(ValueError, match="THREAT_CLASSIFIER='ml' is invalid"):
        build_classifier("ml")
