"""CloudWatch endpoints: resource choice, and failures as {"message": ...} with 400, 502 or 503."""

# Fixtures imported from cloudwatch_fixtures reappear as test parameters, which F811 flags.
# ruff: noqa: F811

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from metrics.tests.cloudwatch_fixtures import (
    cloudwatch_settings,  # noqa: F401
    db_instance_create,
    fixed_now,  # noqa: F401
    moto_aws,  # noqa: F401
    stubbed_rds_cloudwatch,  # noqa: F401
)

pytestmark = pytest.mark.django_db


def test_no_region_is_503(auth_client, cloudwatch_settings):
    cloudwatch_settings.AWS_REGION = ""

    response = auth_client.get(reverse("metrics-alb"))

    assert response.status_code == 503
    assert "set AWS_REGION" in response.json()["message"]
    assert response["X-Metrics-Source"] == "cloudwatch"


def test_no_credentials_is_503(auth_client, cloudwatch_settings, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "missing-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing-config"))
    # botocore fails before sending; a closed loopback port catches any request that slips out.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")

    response = auth_client.get(reverse("metrics-rds"))

    assert response.status_code == 503
    assert response.json()["message"].startswith("AWS credentials are missing")
    assert "rds:DescribeDBInstances" in response.json()["message"]


def test_unreachable_endpoint_is_503_after_retries(
    auth_client, cloudwatch_settings, monkeypatch, caplog
):
    cloudwatch_settings.AWS_MAX_ATTEMPTS = 2
    # Nothing listens on the loopback discard port, so every connection is refused at once.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")

    response = auth_client.get(reverse("metrics-rds"))

    assert response.status_code == 503
    assert response.json()["message"].startswith(
        "Could not connect to the AWS endpoint for rds:DescribeDBInstances"
    )
    assert "aws request retried: call=rds.DescribeDBInstances attempt=2" in caplog.text


def test_access_denied_names_iam_action(auth_client, stubbed_rds_cloudwatch):
    stubbed_rds_cloudwatch.add_client_error(
        "get_metric_data", service_error_code="AccessDenied", http_status_code=403
    )

    response = auth_client.get(reverse("metrics-rds"))

    assert response.status_code == 502
    assert response.json() == {
        "message": "AWS denied cloudwatch:GetMetricData: allow the IAM action "
        "cloudwatch:GetMetricData for the service's role or user."
    }


def test_throttling_is_503(auth_client, stubbed_rds_cloudwatch):
    # The Stubber returns its error before botocore's retry loop runs, so this one error stands
    # for the last attempt.
    stubbed_rds_cloudwatch.add_client_error(
        "get_metric_data", service_error_code="Throttling", http_status_code=400
    )

    response = auth_client.get(reverse("metrics-rds"))

    stubbed_rds_cloudwatch.assert_no_pending_responses()
    assert response.status_code == 503
    assert response.json() == {
        "message": "AWS throttled cloudwatch:GetMetricData after 4 attempts: try again in a minute."
    }


def test_other_aws_error_is_502(auth_client, stubbed_rds_cloudwatch):
    stubbed_rds_cloudwatch.add_client_error(
        "get_metric_data", service_error_code="InvalidParameterValue", http_status_code=400
    )

    response = auth_client.get(reverse("metrics-rds"))

    assert response.status_code == 502
    assert response.json() == {
        "message": "AWS call cloudwatch:GetMetricData failed with InvalidParameterValue."
    }


def test_error_is_not_cached(auth_client, stubbed_rds_cloudwatch):
    stubbed_rds_cloudwatch.add_client_error(
        "get_metric_data", service_error_code="InvalidParameterValue", http_status_code=400
    )
    stubbed_rds_cloudwatch.add_response("get_metric_data", {"MetricDataResults": []})

    first = auth_client.get(reverse("metrics-rds"))
    second = auth_client.get(reverse("metrics-rds"))

    assert first.status_code == 502
    assert second.status_code == 200


def test_unknown_configured_resource_is_503(auth_client, moto_aws, settings):
    db_instance_create("orders-db")
    settings.SIEM_RDS_INSTANCE = "billing-db"

    response = auth_client.get(reverse("metrics-rds"))

    assert response.status_code == 503
    assert response.json() == {
        "message": "SIEM_RDS_INSTANCE=billing-db names no RDS DB instance in AWS region "
        "eu-west-1. Found: orders-db."
    }


def test_unknown_resource_parameter_is_400(auth_client, moto_aws):
    db_instance_create("orders-db")

    response = auth_client.get(reverse("metrics-rds"), {"resource": "billing-db"})

    assert response.status_code == 400
    assert response.json() == {
        "message": "?resource=billing-db names no RDS DB instance in AWS region eu-west-1. "
        "Found: orders-db."
    }


def test_no_resource_is_503(auth_client, moto_aws):
    response = auth_client.get(reverse("metrics-rds"))

    assert response.status_code == 503
    assert response.json() == {
        "message": "No RDS DB instance was found in AWS region eu-west-1: create one or set "
        "SIEM_RDS_INSTANCE."
    }


def test_several_resources_list_choices(auth_client, moto_aws):
    db_instance_create("orders-db")
    db_instance_create("billing-db")

    response = auth_client.get(reverse("metrics-rds"))

    assert response.status_code == 503
    assert response.json() == {
        "message": "Found several RDS DB instances in AWS region eu-west-1: choose one with "
        "?resource=NAME or set SIEM_RDS_INSTANCE. Choices: billing-db, orders-db."
    }


def test_resource_parameter_picks_one(auth_client, moto_aws):
    db_instance_create("orders-db")
    db_instance_create("billing-db")

    response = auth_client.get(reverse("metrics-rds"), {"resource": "billing-db"})

    assert response.status_code == 200


def test_unknown_target_group_lists_choices(auth_client, moto_aws, settings):
    from metrics.tests.cloudwatch_fixtures import load_balancer_create

    load_balancer_create("web-alb", ("web",))
    settings.SIEM_ALB_TARGET_GROUP = "api"

    response = auth_client.get(reverse("metrics-alb"))

    assert response.status_code == 503
    assert response.json() == {
        "message": "SIEM_ALB_TARGET_GROUP=api names no target group of Application Load "
        "Balancer web-alb in AWS region eu-west-1. Found: web."
    }


@pytest.mark.parametrize("endpoint", ["alb", "rds", "asg", "sagemaker"])
def test_invalid_time_range_is_400(auth_client, endpoint):
    response = auth_client.get(reverse(f"metrics-{endpoint}"), {"time_range": "2h"})

    assert response.status_code == 400
    assert response.json() == {"message": "time_range='2h' is invalid: use one of 1h, 6h, 24h, 7d."}


@pytest.mark.parametrize("endpoint", ["alb", "rds", "asg", "sagemaker"])
def test_token_is_required(api_client, endpoint):
    response = api_client.get(reverse(f"metrics-{endpoint}"))

    assert response.status_code == 401
    assert "X-Metrics-Source" in response


@pytest.mark.parametrize("configured", ["api-alb", "dimension"])
def test_configured_alb_is_charted(auth_client, moto_aws, settings, configured):
    from metrics.tests.cloudwatch_fixtures import datapoints_put, load_balancer_create

    load_balancer_create("web-alb", ("web",))
    api = load_balancer_create("api-alb", ("api",))
    settings.SIEM_ALB_NAME = api["LoadBalancer"] if configured == "dimension" else "api-alb"
    datapoints_put(
        "AWS/ApplicationELB",
        "RequestCount",
        {"LoadBalancer": api["LoadBalancer"]},
        [(datetime(2026, 11, 30, 10, 1, tzinfo=UTC), 9)],
    )

    response = auth_client.get(reverse("metrics-alb"))

    assert response.status_code == 200
    assert response.json()["request_count"]["Values"][10] == 9
