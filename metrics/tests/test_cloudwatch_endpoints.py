"""The four CloudWatch endpoints against moto: exact values and timestamps for every range."""

# Fixtures imported from cloudwatch_fixtures reappear as test parameters, which F811 flags.
# ruff: noqa: F811

from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from metrics.tests.cloudwatch_fixtures import (
    FIXED_NOW,
    auto_scaling_group_create,
    cloudwatch_settings,  # noqa: F401
    datapoints_put,
    db_instance_create,
    fixed_now,  # noqa: F401
    load_balancer_create,
    moto_aws,  # noqa: F401
    sagemaker_endpoint_create,
)

pytestmark = pytest.mark.django_db

# Every metric gets three datapoints, put newest first: RECENT at 10:01, then EARLY_1 at 09:12
# and EARLY_2 at 09:14, which share a period in every range.
RECENT = datetime(2026, 11, 30, 10, 1, tzinfo=FIXED_NOW.tzinfo)
EARLY_1 = datetime(2026, 11, 30, 9, 12, tzinfo=FIXED_NOW.tzinfo)
EARLY_2 = datetime(2026, 11, 30, 9, 14, tzinfo=FIXED_NOW.tzinfo)


def _clock_labels(first: str, step_minutes: int, count: int) -> list[str]:
    start = datetime.strptime(first, "%H:%M")
    return [(start + timedelta(minutes=i * step_minutes)).strftime("%H:%M") for i in range(count)]


# For each range: period count, the index of the EARLY period, the index of the RECENT period,
# and the HH:MM labels. FIXED_NOW is 10:07:30, so the 1h window is 09:10-10:10, the 6h window
# 04:15-10:15, the 24h window 11:00 yesterday to 11:00, and the 7d window ends at 12:00.
RANGES = {
    "1h": (12, 0, 10, _clock_labels("09:10", 5, 12)),
    "6h": (24, 19, 23, _clock_labels("04:15", 15, 24)),
    "24h": (24, 22, 23, _clock_labels("11:00", 60, 24)),
    "7d": (28, 27, 27, _clock_labels("12:00", 360, 28)),
}

LOAD_BALANCER = "app/web-alb/"  # completed with moto's id in the fixture
RDS = {"DBInstanceIdentifier": "orders-db"}
ASG = {"AutoScalingGroupName": "web-asg"}
VARIANT = {"EndpointName": "fraud-model", "VariantName": "AllTraffic"}


def _expected(range_name: str, recent, early, whole, fill) -> list:
    """Return the chart values of one range: `early` for EARLY_1 + EARLY_2, `recent` for
    RECENT, `whole` when the range puts all three in one period, `fill` elsewhere."""
    count, early_index, recent_index, _ = RANGES[range_name]
    values = [fill] * count
    if early_index == recent_index:
        values[early_index] = whole
    else:
        values[early_index] = early
        values[recent_index] = recent
    return values


def _put(namespace, metric, dimensions, recent, early_1, early_2):
    datapoints_put(
        namespace, metric, dimensions, [(RECENT, recent), (EARLY_1, early_1), (EARLY_2, early_2)]
    )


@pytest.fixture
def alb_data(moto_aws):
    dims = load_balancer_create("web-alb", ("web",))
    balancer = {"LoadBalancer": dims["LoadBalancer"]}
    _put("AWS/ApplicationELB", "RequestCount", balancer, 100, 10, 30)
    _put("AWS/ApplicationELB", "TargetResponseTime", balancer, 0.05, 0.02, 0.04)
    group = balancer | {"TargetGroup": dims["TargetGroups"][0]}
    _put("AWS/ApplicationELB", "HealthyHostCount", group, 4, 3, 2)
    _put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", balancer, 7, 1, 2)
    _put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", balancer, 5, 0, 1)


@pytest.fixture
def rds_data(moto_aws):
    db_instance_create("orders-db")
    _put("AWS/RDS", "CPUUtilization", RDS, 40, 20, 30)
    _put("AWS/RDS", "DatabaseConnections", RDS, 12, 8, 10)
    _put("AWS/RDS", "ReadLatency", RDS, 0.003, 0.001, 0.002)
    _put("AWS/RDS", "WriteLatency", RDS, 0.004, 0.002, 0.005)
    _put("AWS/RDS", "FreeableMemory", RDS, 2.5e9, 2e9, 3e9)


@pytest.fixture
def asg_data(moto_aws):
    auto_scaling_group_create("web-asg")
    _put("AWS/AutoScaling", "GroupDesiredCapacity", ASG, 4, 2, 3)
    _put("AWS/AutoScaling", "GroupInServiceInstances", ASG, 3, 2, 2)
    _put("AWS/EC2", "CPUUtilization", ASG, 60, 30, 45)


@pytest.fixture
def sagemaker_data(moto_aws):
    sagemaker_endpoint_create("fraud-model")
    _put("AWS/SageMaker", "Invocations", VARIANT, 500, 100, 200)
    _put("AWS/SageMaker", "ModelLatency", VARIANT, 150_000, 100_000, 120_000)
    _put("AWS/SageMaker", "Invocation4XXErrors", VARIANT, 2, 1, 0)
    _put("AWS/SageMaker", "Invocation5XXErrors", VARIANT, 3, 0, 4)


# (endpoint, chart key, label, value for RECENT, for EARLY_1 + EARLY_2, for all three, fill)
CHARTS = [
    ("alb", "request_count", "Request Count", 100, 40, 140, 0),
    ("alb", "target_response_time", "Target Response Time (ms)", 50.0, 30.0, 36.667, None),
    ("alb", "healthy_host_count", "Healthy Hosts", 4, 2, 2, None),
    ("alb", "http_code_4xx", "4xx Errors", 7, 3, 10, 0),
    ("alb", "http_code_5xx", "5xx Errors", 5, 1, 6, 0),
    ("rds", "cpu_utilization", "CPU Utilization (%)", 40, 25, 30, None),
    ("rds", "database_connections", "Database Connections", 12, 9, 10, None),
    ("rds", "read_latency", "Read Latency (ms)", 3.0, 1.5, 2.0, None),
    ("rds", "write_latency", "Write Latency (ms)", 4.0, 3.5, 3.667, None),
    ("rds", "freeable_memory", "Freeable Memory (GB)", 2.5, 2.5, 2.5, None),
    ("asg", "desired_capacity", "Desired Capacity", 4, 2.5, 3, None),
    ("asg", "group_in_service_instances", "In-Service Instances", 3, 2, 2.333, None),
    ("asg", "cpu_utilization", "Average CPU (%)", 60, 37.5, 45, None),
    ("sagemaker", "invocations", "Model Invocations", 500, 300, 800, 0),
    ("sagemaker", "model_latency", "Model Latency (ms)", 150.0, 110.0, 123.333, None),
    ("sagemaker", "invocation_errors", "Invocation Errors", 5, 5, 10, 0),
]


@pytest.mark.parametrize("range_name", list(RANGES))
@pytest.mark.parametrize("endpoint", ["alb", "rds", "asg", "sagemaker"])
def test_chart_values_and_timestamps(request, auth_client, endpoint, range_name):
    request.getfixturevalue(f"{endpoint}_data")

    response = auth_client.get(reverse(f"metrics-{endpoint}"), {"time_range": range_name})

    assert response.status_code == 200
    body = response.json()
    for chart_endpoint, key, label, recent, early, whole, fill in CHARTS:
        if chart_endpoint != endpoint:
            continue
        expected = _expected(range_name, recent, early, whole, fill)
        assert body[key]["Label"] == label, key
        assert body[key]["Values"] == expected, key
        assert body[key]["Timestamps"] == RANGES[range_name][3], key


@pytest.mark.parametrize(
    ("endpoint", "keys"),
    [
        (
            "alb",
            [
                "request_count",
                "target_response_time",
                "healthy_host_count",
                "http_code_4xx",
                "http_code_5xx",
            ],
        ),
        (
            "rds",
            [
                "cpu_utilization",
                "database_connections",
                "read_latency",
                "write_latency",
                "freeable_memory",
            ],
        ),
        ("asg", ["desired_capacity", "group_in_service_instances", "cpu_utilization"]),
        ("sagemaker", ["invocations", "model_latency", "invocation_errors"]),
    ],
)
def test_endpoint_returns_contract_keys(request, auth_client, endpoint, keys):
    request.getfixturevalue(f"{endpoint}_data")

    response = auth_client.get(reverse(f"metrics-{endpoint}"))

    assert list(response.json()) == keys
    assert response["X-Metrics-Source"] == "cloudwatch"


def test_iso_timestamps_are_utc_period_starts(auth_client, rds_data):
    response = auth_client.get(reverse("metrics-rds"), {"time_range": "1h"})

    iso = response.json()["cpu_utilization"]["Timestamps_iso"]
    assert iso[0] == "2026-11-30T09:10:00Z"
    assert iso[-1] == "2026-11-30T10:05:00Z"


def test_display_time_zone_shifts_labels(auth_client, rds_data, settings):
    settings.SIEM_DISPLAY_TIME_ZONE = "Europe/Berlin"

    response = auth_client.get(reverse("metrics-rds"), {"time_range": "1h"})

    chart = response.json()["cpu_utilization"]
    assert chart["Timestamps"][0] == "10:10"
    assert chart["Timestamps_iso"][0] == "2026-11-30T09:10:00Z"


def test_asg_without_group_metrics_has_hint(auth_client, moto_aws):
    auto_scaling_group_create("web-asg")
    _put("AWS/EC2", "CPUUtilization", ASG, 60, 30, 45)

    body = auth_client.get(reverse("metrics-asg")).json()

    assert "enable-metrics-collection" in body["desired_capacity"]["Hint"]
    assert "enable-metrics-collection" in body["group_in_service_instances"]["Hint"]
    assert body["desired_capacity"]["Values"] == [None] * 12
    assert "Hint" not in body["cpu_utilization"]


def test_asg_with_group_metrics_has_no_hint(auth_client, asg_data):
    body = auth_client.get(reverse("metrics-asg")).json()

    assert "Hint" not in body["desired_capacity"]


def test_sagemaker_variants_are_combined(auth_client, moto_aws):
    sagemaker_endpoint_create("fraud-model", ("blue", "green"))
    blue = {"EndpointName": "fraud-model", "VariantName": "blue"}
    green = {"EndpointName": "fraud-model", "VariantName": "green"}
    datapoints_put("AWS/SageMaker", "Invocations", blue, [(RECENT, 10)])
    datapoints_put("AWS/SageMaker", "Invocations", green, [(RECENT, 30)])
    datapoints_put("AWS/SageMaker", "ModelLatency", blue, [(RECENT, 1000)])
    datapoints_put("AWS/SageMaker", "ModelLatency", green, [(RECENT, 3000)])

    body = auth_client.get(reverse("metrics-sagemaker")).json()

    assert body["invocations"]["Values"][10] == 40
    assert body["model_latency"]["Values"][10] == 2.0


def test_configured_variant_limits_sagemaker(auth_client, moto_aws, settings):
    sagemaker_endpoint_create("fraud-model", ("blue", "green"))
    settings.SIEM_SAGEMAKER_VARIANT = "green"
    datapoints_put(
        "AWS/SageMaker",
        "Invocations",
        {"EndpointName": "fraud-model", "VariantName": "blue"},
        [(RECENT, 10)],
    )
    datapoints_put(
        "AWS/SageMaker",
        "Invocations",
        {"EndpointName": "fraud-model", "VariantName": "green"},
        [(RECENT, 30)],
    )

    body = auth_client.get(reverse("metrics-sagemaker")).json()

    assert body["invocations"]["Values"][10] == 30
