import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from siem import aws
from siem.testing.aws_recorder import classify_source, isolated_recording
from siem.testing.iam import iam_action, load_policy, missing_actions, statement_actions

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"

# Every AWS operation the service's features make, as IAM actions. The policy must allow all
# of them even when the suite exercises only some (Athena and Logs Insights are optional).
SERVICE_ACTIONS = {
    "cloudwatch:GetMetricData",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTargetGroups",
    "rds:DescribeDBInstances",
    "autoscaling:DescribeAutoScalingGroups",
    "sagemaker:ListEndpoints",
    "sagemaker:DescribeEndpoint",
    "sagemaker:InvokeEndpoint",
    "s3:ListBucket",
    "s3:GetObject",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
}


def test_policy_allows_every_service_action():
    assert missing_actions(SERVICE_ACTIONS, load_policy()) == []


def test_policy_has_no_service_wide_wildcards():
    for pattern in statement_actions(load_policy(), "Allow"):
        assert "*" not in pattern, pattern


def test_policy_grants_no_write_outside_athena_results():
    policy = load_policy()
    writes = [
        action
        for statement in policy["Statement"]
        for action in statement["Action"]
        if action.split(":")[1].startswith(("Put", "Delete", "Create", "Update", "Terminate"))
    ]
    assert writes == ["s3:PutObject"]
    results_statement = next(s for s in policy["Statement"] if "s3:PutObject" in s["Action"])
    assert all("ATHENA_RESULTS_BUCKET" in arn for arn in results_statement["Resource"])


def test_every_statement_names_its_resources():
    for statement in load_policy()["Statement"]:
        assert statement["Sid"]
        assert statement["Effect"] == "Allow"
        assert statement["Resource"]


@pytest.mark.parametrize(
    ("signing_name", "operation", "action"),
    [
        ("monitoring", "GetMetricData", "cloudwatch:GetMetricData"),
        ("s3", "ListObjectsV2", "s3:ListBucket"),
        ("s3", "HeadObject", "s3:GetObject"),
        ("s3", "GetObject", "s3:GetObject"),
        ("sagemaker", "InvokeEndpoint", "sagemaker:InvokeEndpoint"),
        (
            "elasticloadbalancing",
            "DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancers",
        ),
        ("logs", "FilterLogEvents", "logs:FilterLogEvents"),
    ],
)
def test_operation_maps_to_iam_action(signing_name, operation, action):
    assert iam_action(signing_name, operation) == action


def test_missing_actions_honours_wildcards_and_deny():
    policy = {
        "Statement": [
            {"Effect": "Allow", "Action": ["logs:Get*", "s3:GetObject"], "Resource": "*"},
            {"Effect": "Deny", "Action": "logs:GetLogRecord", "Resource": "*"},
        ]
    }
    actions = {"logs:GetQueryResults", "logs:GetLogRecord", "S3:getobject", "s3:PutObject"}

    assert missing_actions(actions, policy) == ["logs:GetLogRecord", "s3:PutObject"]


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("metrics/cloudwatch/discovery.py", "service"),
        ("siem/aws.py", "service"),
        ("metrics/tests/test_alb.py", "test"),
        ("conftest.py", "test"),
        ("siem/testing/aws_recorder.py", "outside"),
        (".venv/lib/python3.11/site-packages/boto3/session.py", "outside"),
    ],
)
def test_source_files_are_classified(relative, kind):
    assert classify_source(PROJECT_ROOT / relative) == kind


@mock_aws
def test_service_client_calls_are_recorded(settings):
    settings.AWS_REGION = REGION
    with isolated_recording() as recorded:
        aws.client("cloudwatch").list_dashboards()
        aws.client("s3").list_buckets()

    assert set(recorded) == {"cloudwatch:ListDashboards", "s3:ListAllMyBuckets"}


@mock_aws
def test_fixture_client_calls_are_not_recorded():
    with isolated_recording() as recorded:
        boto3.client("s3", region_name=REGION).create_bucket(Bucket="fixture-bucket")

    assert recorded == {}


@mock_aws
def test_deliberate_call_outside_policy_is_reported(settings):
    settings.AWS_REGION = REGION
    with isolated_recording() as recorded:
        aws.client("logs").describe_log_groups()

    assert set(recorded) == {"logs:DescribeLogGroups"}
    assert missing_actions(set(recorded), load_policy()) == ["logs:DescribeLogGroups"]


EXTRA_CALL_SUITE = """
from moto import mock_aws

from siem import aws


@mock_aws
def test_feature():
    aws.client("cloudwatch", "us-east-1").get_metric_data(
        MetricDataQueries=[], StartTime="2026-01-01T00:00:00Z", EndTime="2026-01-01T01:00:00Z"
    )
    {extra_call}
"""


def run_recorded_suite(tmp_path: Path, extra_call: str) -> subprocess.CompletedProcess:
    """Run a one-test suite with the recorder plugin in a fresh pytest process."""
    test_file = tmp_path / "test_feature.py"
    test_file.write_text(textwrap.dedent(EXTRA_CALL_SUITE).format(extra_call=extra_call))
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "DJANGO_SETTINGS_MODULE": "siem.settings",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test_file),
            "-p",
            "siem.testing.aws_recorder",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-c",
            os.devnull,
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_run_passes_when_calls_are_in_policy(tmp_path):
    result = run_recorded_suite(tmp_path, extra_call="")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "cloudwatch:GetMetricData" in result.stdout


def test_run_fails_on_call_outside_policy(tmp_path):
    result = run_recorded_suite(
        tmp_path, extra_call='aws.client("logs", "us-east-1").describe_log_groups()'
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "logs:DescribeLogGroups" in result.stdout
    assert "MISSING FROM POLICY" in result.stdout
