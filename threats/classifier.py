"""Label detections with the rule detectors' own type, or with a SageMaker endpoint.

THREAT_CLASSIFIER=rules (the default) keeps each detection's type and confidence.
THREAT_CLASSIFIER=sagemaker sends the detection's feature vector to the endpoint through
`sagemaker-runtime` InvokeEndpoint and stores the label and confidence it returns.

Request body, by content type:
- `text/csv` (the default, the input of SageMaker's built-in XGBoost container): one line of
  comma-separated numbers in FEATURE_NAMES order, no header.
- `application/json`: `{"instances": [[...numbers...]], "feature_names": [...]}`.

Accepted responses: JSON `{"label": "ddos", "confidence": 0.93}`, the same object inside
`{"predictions": [...]}`, or text `ddos,0.93`. `score` is accepted for `confidence`. A label
outside THREAT_TYPES, an error or a timeout keeps the rule label, with a logged warning.
"""

import csv
import io
import json
import logging
from dataclasses import dataclass, replace
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from threats.detectors.base import Detection, ThreatType

logger = logging.getLogger(__name__)

THREAT_TYPES = frozenset(threat.value for threat in ThreatType)
CSV = "text/csv"
JSON = "application/json"

# Order of the feature vector. Detectors fill the features that apply to them, and the rest are 0.
# The last entries one-hot encode the rule label and the log source.
FEATURE_NAMES: tuple[str, ...] = (
    "flows",
    "packets",
    "bytes",
    "requests",
    "queries",
    "distinct_ports",
    "distinct_hosts",
    "distinct_sources",
    "rejected_ratio",
    "syn_ratio",
    "baseline_ratio",
    "duration_seconds",
    "decode_passes",
    "resolved",
    "intel_hits",
    *(f"rule_{threat.value}" for threat in ThreatType),
    "source_vpc_flow",
    "source_alb",
    "source_resolver",
)


class ClassificationError(Exception):
    """The endpoint's response could not be used."""


@dataclass(frozen=True)
class Classification:
    """A label with its confidence and where it came from (`rules` or `sagemaker`)."""

    label: str
    confidence: float
    source: str


class Classifier(Protocol):
    def classify(self, detection: Detection) -> Classification: ...


class RuleClassifier:
    """Keep the label and confidence that the detector set."""

    def classify(self, detection: Detection) -> Classification:
        return Classification(str(detection.type), detection.confidence, "rules")


def feature_vector(detection: Detection) -> list[float]:
    """Return the detection's features in FEATURE_NAMES order."""
    values = dict(detection.features)
    values[f"rule_{detection.type}"] = 1.0
    source = detection.evidence.get("log_source")
    if source:
        values[f"source_{source}"] = 1.0
    return [float(values.get(name, 0.0)) for name in FEATURE_NAMES]


class SageMakerClassifier:
    """Ask a SageMaker endpoint for the label, falling back to the rule label when it fails."""

    def __init__(self, client: Any, endpoint_name: str, *, content_type: str = CSV) -> None:
        if content_type not in (CSV, JSON):
            raise ValueError(f"content_type must be {CSV!r} or {JSON!r}, got {content_type!r}")
        self.client = client
        self.endpoint_name = endpoint_name
        self.content_type = content_type

    def classify(self, detection: Detection) -> Classification:
        try:
            response = self.client.invoke_endpoint(
                EndpointName=self.endpoint_name,
                ContentType=self.content_type,
                Accept=JSON,
                Body=self._body(feature_vector(detection)),
            )
            label, confidence = parse_prediction(response["Body"].read())
        except (BotoCoreError, ClientError, ClassificationError) as err:
            logger.warning(
                "SageMaker endpoint %s failed for detection %s; keeping the rule label %s: %s",
                self.endpoint_name,
                detection.fingerprint,
                detection.type,
                err,
            )
            return RuleClassifier().classify(detection)
        return Classification(label, confidence, "sagemaker")

    def _body(self, vector: list[float]) -> bytes:
        if self.content_type == CSV:
            return ",".join(repr(value) for value in vector).encode("ascii")
        return json.dumps({"instances": [vector], "feature_names": list(FEATURE_NAMES)}).encode(
            "utf-8"
        )


def parse_prediction(body: bytes) -> tuple[str, float]:
    """Read (label, confidence) from an endpoint response, or raise ClassificationError."""
    text = body.decode("utf-8", errors="replace").strip()
    try:
        label, confidence = _from_json(json.loads(text))
    except json.JSONDecodeError:
        label, confidence = _from_csv(text)
    if label not in THREAT_TYPES:
        raise ClassificationError(
            f"unknown label {label!r}; expected one of {sorted(THREAT_TYPES)}"
        )
    if not 0.0 <= confidence <= 1.0:
        raise ClassificationError(f"confidence {confidence} is outside 0..1")
    return label, confidence


def _from_json(data: Any) -> tuple[str, float]:
    if isinstance(data, dict) and isinstance(data.get("predictions"), list) and data["predictions"]:
        data = data["predictions"][0]
    if not isinstance(data, dict) or "label" not in data:
        raise ClassificationError(f"no label in the response: {str(data)[:200]}")
    confidence = data.get("confidence", data.get("score"))
    try:
        return str(data["label"]), float(confidence)
    except (TypeError, ValueError) as err:
        raise ClassificationError(f"invalid confidence {confidence!r}") from err


def _from_csv(text: str) -> tuple[str, float]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or len(rows[0]) < 2:
        raise ClassificationError(f"expected 'label,confidence', got {text[:200]!r}")
    try:
        return rows[0][0].strip(), float(rows[0][1])
    except ValueError as err:
        raise ClassificationError(f"invalid confidence {rows[0][1]!r}") from err


def apply_classification(detection: Detection, classification: Classification) -> Detection:
    """Return the detection with the classifier's label, keeping the rule label in the evidence."""
    evidence = {
        **detection.evidence,
        "classifier": {
            "source": classification.source,
            "rule_label": str(detection.type),
            "rule_confidence": detection.confidence,
        },
    }
    return replace(
        detection,
        type=classification.label,
        confidence=classification.confidence,
        evidence=evidence,
    )


def build_classifier(
    mode: str, *, client: Any = None, endpoint_name: str = "", content_type: str = CSV
) -> Classifier:
    """Return the classifier for THREAT_CLASSIFIER (`rules` or `sagemaker`)."""
    if mode == "rules":
        return RuleClassifier()
    if mode == "sagemaker":
        if client is None or not endpoint_name:
            raise ValueError(
                "THREAT_CLASSIFIER=sagemaker needs a sagemaker-runtime client and an endpoint name"
            )
        return SageMakerClassifier(client, endpoint_name, content_type=content_type)
    raise ValueError(f"THREAT_CLASSIFIER={mode!r} is invalid: use 'rules' or 'sagemaker'")
