"""GetMetricData requests per API request: one when uncached, none when cached, pages followed."""

# Fixtures imported from cloudwatch_fixtures reappear as test parameters, which F811 flags.
# ruff: noqa: F811

from datetime import UTC, datetime

import pytest
from botocore.stub import ANY
from django.urls import reverse

from metrics.tests.cloudwatch_fixtures import (
    cloudwatch_settings,  # noqa: F401
    db_instance_create,
    fixed_now,  # noqa: F401
    get_metric_data_calls,  # noqa: F401
    moto_aws,  # noqa: F401
    stubbed_rds_cloudwatch,  # noqa: F401
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rds_instance(moto_aws, settings):
    db_instance_create("orders-db")
    settings.SIEM_RDS_INSTANCE = "orders-db"


def test_uncached_request_sends_one_get_metric_data(
    auth_client, rds_instance, get_metric_data_calls
):
    response = auth_client.get(reverse("metrics-rds"), {"time_range": "6h"})

    assert response.status_code == 200
    assert len(get_metric_data_calls) == 1
    assert len(get_metric_data_calls[0]["MetricDataQueries"]) == 5


def test_request_window_is_period_aligned(auth_client, rds_instance, get_metric_data_calls):
    auth_client.get(reverse("metrics-rds"), {"time_range": "6h"})

    call = get_metric_data_calls[0]
    assert call["StartTime"] == datetime(2026, 11, 30, 4, 15, tzinfo=UTC)
    assert call["EndTime"] == datetime(2026, 11, 30, 10, 15, tzinfo=UTC)
    assert {q["MetricStat"]["Period"] for q in call["MetricDataQueries"]} == {900}


def test_cached_request_sends_none(auth_client, rds_instance, get_metric_data_calls):
    first = auth_client.get(reverse("metrics-rds"))
    second = auth_client.get(reverse("metrics-rds"))

    assert len(get_metric_data_calls) == 1
    assert second.json() == first.json()
    assert second["X-Metrics-Source"] == "cloudwatch"


def test_cache_is_per_range(auth_client, rds_instance, get_metric_data_calls):
    auth_client.get(reverse("metrics-rds"), {"time_range": "1h"})
    auth_client.get(reverse("metrics-rds"), {"time_range": "24h"})
    auth_client.get(reverse("metrics-rds"), {"time_range": "1h"})

    assert len(get_metric_data_calls) == 2


def test_cache_is_per_endpoint(auth_client, rds_instance, get_metric_data_calls, settings):
    settings.SIEM_METRICS_CACHE_SECONDS = 60
    auth_client.get(reverse("metrics-rds"))
    auth_client.get(reverse("metrics-rds"), {"resource": "orders-db"})

    assert len(get_metric_data_calls) == 2


def test_zero_cache_seconds_disables_cache(
    auth_client, rds_instance, get_metric_data_calls, settings
):
    settings.SIEM_METRICS_CACHE_SECONDS = 0

    auth_client.get(reverse("metrics-rds"))
    auth_client.get(reverse("metrics-rds"))

    assert len(get_metric_data_calls) == 2


def _page(values_by_id: dict[str, list[tuple[datetime, float]]], token: str | None = None) -> dict:
    page = {
        "MetricDataResults": [
            {
                "Id": query_id,
                "Label": query_id,
                "Timestamps": [t for t, _ in points],
                "Values": [v for _, v in points],
                "StatusCode": "PartialData" if token else "Complete",
            }
            for query_id, points in values_by_id.items()
        ],
        "Messages": [],
    }
    if token:
        page["NextToken"] = token
    return page


def test_next_token_pages_are_merged(auth_client, stubbed_rds_cloudwatch):
    stubber = stubbed_rds_cloudwatch
    at = datetime(2026, 11, 30, 9, 50, tzinfo=UTC)
    earlier = datetime(2026, 11, 30, 9, 20, tzinfo=UTC)

    stubber.add_response(
        "get_metric_data",
        _page({"cpu_utilization_0_0": [(at, 40.0)]}, token="page-2"),
        {
            "MetricDataQueries": ANY,
            "StartTime": ANY,
            "EndTime": ANY,
            "ScanBy": "TimestampAscending",
        },
    )
    # The second page returns an older point after a newer one: the series sorts them.
    stubber.add_response(
        "get_metric_data",
        _page({"cpu_utilization_0_0": [(earlier, 20.0)], "read_latency_0_0": [(at, 0.002)]}),
        {
            "MetricDataQueries": ANY,
            "StartTime": ANY,
            "EndTime": ANY,
            "ScanBy": "TimestampAscending",
            "NextToken": "page-2",
        },
    )

    body = auth_client.get(reverse("metrics-rds")).json()

    stubber.assert_no_pending_responses()
    assert (
        body["cpu_utilization"]["Values"] == [None, None, 20.0] + [None] * 5 + [40.0] + [None] * 3
    )
    assert body["read_latency"]["Values"][8] == 2.0
