"""Detection consumers: the threat detectors over each ingested object, stored at its commit.

One consumer per object (vpc-flow, alb, route53-resolver) observes the parsed batches, and
`commit()` flushes every window, labels the detections with the configured classifier and
stores them through `threats.services.event_record_detections`, inside the transaction that
records the object's checkpoint. So a failed object leaves no event, and its retry stores
each detection once.

NOTE: windows are per object, because the pipeline builds a consumer per object and may
commit each object on its own. A scan or flood split across two delivery files is judged
as two halves, so one just over a threshold can be missed. A window seen in two files is
still counted once, because occurrences are keyed by fingerprint and window start.
"""

import dataclasses
import logging
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ingest.pipeline import Batch, BatchConsumer, register_consumer
from logparsers.alb import FORMAT_NAME as ALB
from logparsers.resolver import FORMAT_NAME as RESOLVER
from logparsers.vpc_flow import FORMAT_NAME as VPC_FLOW
from siem import aws
from threats.classifier import Classifier, RuleClassifier, apply_classification, build_classifier
from threats.detectors import (
    DetectorThresholds,
    alb_detectors,
    flow_detectors,
    resolver_detectors,
)
from threats.detectors.base import Detection
from threats.intel import IntelFeed
from threats.services import RecordedDetections, event_record_detections

logger = logging.getLogger(__name__)


def detector_thresholds() -> DetectorThresholds:
    """Build the thresholds from the defaults and SIEM_DETECT_<DETECTOR>_<FIELD> overrides."""
    groups = {group.name: {} for group in dataclasses.fields(DetectorThresholds)}
    defaults = DetectorThresholds()
    for name, raw in settings.SIEM_DETECT_OVERRIDES.items():
        detector, field = _split_threshold_name(name, groups)
        current = getattr(getattr(defaults, detector), field)
        groups[detector][field] = _threshold_value(name, raw, current)
    return DetectorThresholds(
        **{
            detector: dataclasses.replace(getattr(defaults, detector), **values)
            for detector, values in groups.items()
        }
    )


def _split_threshold_name(name: str, groups: dict[str, dict]) -> tuple[str, str]:
    for detector in groups:
        prefix = detector.upper() + "_"
        if name.startswith(prefix):
            field = name.removeprefix(prefix).lower()
            fields = {
                item.name for item in dataclasses.fields(getattr(DetectorThresholds(), detector))
            }
            if field in fields:
                return detector, field
            raise ImproperlyConfigured(
                f"SIEM_DETECT_{name} is unknown: {detector} has {', '.join(sorted(fields))}."
            )
    raise ImproperlyConfigured(
        f"SIEM_DETECT_{name} names no detector: use one of {', '.join(groups)} after SIEM_DETECT_."
    )


def _threshold_value(name: str, raw: str, current: Any) -> Any:
    """Convert `raw` to the type of the default: a number, or comma-separated port numbers."""
    is_list = isinstance(current, tuple)
    try:
        if is_list:
            value = tuple(int(item) for item in raw.split(",") if item.strip())
        else:
            value = type(current)(raw)
    except ValueError as err:
        expected = {tuple: "comma-separated whole numbers", int: "a whole number"}.get(
            type(current), "a number"
        )
        raise ImproperlyConfigured(
            f"SIEM_DETECT_{name}={raw!r} is invalid: use {expected}."
        ) from err
    if not value or (not is_list and value < 0):
        raise ImproperlyConfigured(f"SIEM_DETECT_{name}={raw!r} is invalid: use a positive value.")
    return value


@lru_cache(maxsize=16)
def _intel_feeds(paths: tuple[str, ...]) -> tuple[IntelFeed, ...]:
    """Return one IntelFeed per path, shared by every object (each reloads its file on change)."""
    return tuple(IntelFeed(path) for path in paths)


def intel_feeds(paths: Sequence[str]) -> tuple[IntelFeed, ...]:
    """Return the loaded lists for the configured paths."""
    return _intel_feeds(tuple(paths))


@lru_cache(maxsize=4)
def _classifier(mode: str, endpoint_name: str, content_type: str) -> Classifier:
    if mode != "sagemaker":
        return build_classifier(mode)
    try:
        client = aws.client("sagemaker-runtime")
    except aws.AwsError as err:
        logger.warning("SageMaker classifier unavailable, keeping the rule labels: %s", err.message)
        return RuleClassifier()
    return build_classifier(
        mode, client=client, endpoint_name=endpoint_name, content_type=content_type
    )


def detection_classifier() -> Classifier:
    """Return the classifier THREAT_CLASSIFIER selects; rules when SageMaker cannot be reached."""
    return _classifier(
        settings.THREAT_CLASSIFIER,
        settings.SAGEMAKER_CLASSIFIER_ENDPOINT,
        settings.SAGEMAKER_CLASSIFIER_CONTENT_TYPE,
    )


def classified(detections: list[Detection]) -> list[Detection]:
    """Return the detections with the configured classifier's label and confidence."""
    classifier = detection_classifier()
    if isinstance(classifier, RuleClassifier):
        return detections
    return [apply_classification(found, classifier.classify(found)) for found in detections]


def store_detections(detections: list[Detection]) -> RecordedDetections:
    """Classify detections and store them as events, inside the caller's transaction if any."""
    return event_record_detections(detections=classified(detections))


class FlowDetectionConsumer:
    """Runs the flow detectors over one VPC Flow Logs object."""

    def __init__(self) -> None:
        self.detectors = flow_detectors(
            detector_thresholds(), ip_feeds=intel_feeds(settings.SIEM_INTEL_IP_FILES)
        )

    def add(self, batch: Batch) -> None:
        self.detectors.observe(batch)

    def detections(self) -> list[Detection]:
        """Flush every window of the object."""
        return self.detectors.flush()

    def commit(self) -> None:
        store_detections(self.detections())


class RecordDetectionConsumer:
    """Runs record detectors (ALB or Resolver) over one object's parsed batches."""

    def __init__(self, detectors: list) -> None:
        self.detectors = detectors

    def add(self, batch: Batch) -> None:
        for detector in self.detectors:
            detector.observe(batch.records)

    def detections(self) -> list[Detection]:
        """Flush every window of the object."""
        return [found for detector in self.detectors for found in detector.flush()]

    def commit(self) -> None:
        store_detections(self.detections())


class DisabledConsumer:
    """Stands in for a detection consumer while SIEM_DETECTION_ENABLED is false."""

    def add(self, batch: Batch) -> None:
        pass

    def commit(self) -> None:
        pass


def flow_consumer() -> FlowDetectionConsumer:
    return FlowDetectionConsumer()


def alb_consumer() -> RecordDetectionConsumer:
    return RecordDetectionConsumer(alb_detectors(detector_thresholds()))


def resolver_consumer() -> RecordDetectionConsumer:
    detectors = resolver_detectors(
        detector_thresholds(),
        malware_domain_feeds=intel_feeds(settings.SIEM_INTEL_MALWARE_DOMAIN_FILES),
        phishing_domain_feeds=intel_feeds(settings.SIEM_INTEL_PHISHING_DOMAIN_FILES),
    )
    return RecordDetectionConsumer(detectors)


# Detection consumers by log format, for ingest and for `manage.py detect`.
DETECTION_CONSUMERS: dict[str, Callable[[], Any]] = {
    VPC_FLOW: flow_consumer,
    ALB: alb_consumer,
    RESOLVER: resolver_consumer,
}


def _when_enabled(build: Callable[[], Any]) -> Callable[[], BatchConsumer]:
    def factory() -> BatchConsumer:
        return build() if settings.SIEM_DETECTION_ENABLED else DisabledConsumer()

    return factory


for _format_name, _build in DETECTION_CONSUMERS.items():
    register_consumer(_format_name, _when_enabled(_build))
