"""Series building without a source: period buckets, aggregation and AWS error mapping."""

from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError, NoCredentialsError, ReadTimeoutError

from metrics.cloudwatch.series import bucket_values, period_starts
from siem.aws import AwsError, AwsNotConfigured, AwsUnavailable, translate_error

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
STARTS = period_starts(START, START + timedelta(minutes=15), 300)


def test_period_starts_cover_window():
    assert STARTS == [START, START + timedelta(minutes=5), START + timedelta(minutes=10)]


@pytest.mark.parametrize(
    ("statistic", "expected"),
    [
        ("Sum", {STARTS[0]: 6.0, STARTS[2]: 5.0}),
        ("Average", {STARTS[0]: 3.0, STARTS[2]: 5.0}),
        ("Minimum", {STARTS[0]: 2.0, STARTS[2]: 5.0}),
        ("Maximum", {STARTS[0]: 4.0, STARTS[2]: 5.0}),
    ],
)
def test_bucket_values_by_statistic(statistic, expected):
    points = [
        (START + timedelta(minutes=12), 5.0),
        (START + timedelta(minutes=4), 4.0),
        (START, 2.0),
        (START - timedelta(minutes=1), 100.0),  # before the window
        (START + timedelta(minutes=15), 100.0),  # at the window's exclusive end
    ]

    assert bucket_values(points, statistic, STARTS, 300) == expected


def _client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "arn:aws:iam::123456789012:x"}}, "Op")


@pytest.mark.parametrize(
    ("error", "kind", "status", "code"),
    [
        (NoCredentialsError(), AwsNotConfigured, 503, "aws_not_configured"),
        (ReadTimeoutError(endpoint_url="https://monitoring"), AwsUnavailable, 503, "aws_timeout"),
        (_client_error("ThrottlingException"), AwsUnavailable, 503, "aws_throttled"),
        (_client_error("AccessDeniedException"), AwsError, 502, "aws_access_denied"),
        (_client_error("ExpiredToken"), AwsNotConfigured, 503, "aws_credentials_rejected"),
        (_client_error("InternalFailure"), AwsError, 502, "aws_error"),
    ],
)
def test_translate_error_table(error, kind, status, code):
    translated = translate_error(error, action="cloudwatch:GetMetricData")

    assert type(translated) is kind
    assert translated.status == status
    assert translated.code == code
    assert "123456789012" not in translated.message
