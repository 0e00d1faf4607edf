"""Prometheus counters of the product's own work, exported by the service metrics endpoint."""

from prometheus_client import Counter

RECORDS_INGESTED = Counter(
    "siem_records_ingested_total", "Log records ingested, by log format.", ["format"]
)
RECORDS_MALFORMED = Counter(
    "siem_records_malformed_total", "Log lines that could not be parsed, by log format.", ["format"]
)
DETECTIONS_RAISED = Counter(
    "siem_detections_raised_total", "Detections raised by the detectors, by threat type.", ["type"]
)
CLOUDWATCH_CALLS = Counter(
    "siem_cloudwatch_calls_total", "GetMetricData requests sent to CloudWatch, by endpoint.", ["endpoint"]
)
METRICS_CACHE_HITS = Counter(
    "siem_metrics_cache_hits_total", "Metric responses served from the shared cache, by endpoint.", ["endpoint"]
)
