"""import_metrics: get-metric-data output into the local store, then served by the endpoints."""

# Fixtures imported from cloudwatch_fixtures reappear as test parameters, which F811 flags.
# ruff: noqa: F811

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from metrics.models import MetricDatapoint, MetricSeries
from metrics.tests.cloudwatch_fixtures import fixed_now  # noqa: F401

pytestmark = pytest.mark.django_db

DB = [{"Name": "DBInstanceIdentifier", "Value": "orders-db"}]

QUERIES = [
    {
        "Id": "cpu",
        "MetricStat": {
            "Metric": {"Namespace": "AWS/RDS", "MetricName": "CPUUtilization", "Dimensions": DB},
            "Period": 300,
            "Stat": "Average",
        },
    },
    {
        "Id": "reads",
        "MetricStat": {
            "Metric": {"Namespace": "AWS/RDS", "MetricName": "ReadLatency", "Dimensions": DB},
            "Period": 300,
            "Stat": "Average",
        },
    },
    {"Id": "total", "Expression": "cpu + reads", "ReturnData": False},
]

# As `aws cloudwatch get-metric-data --output json` prints it: newest first, UTC offsets.
OUTPUT = {
    "MetricDataResults": [
        {
            "Id": "cpu",
            "Label": "CPUUtilization",
            "Timestamps": ["2026-11-30T10:00:00+00:00", "2026-11-30T09:15:00+00:00"],
            "Values": [42.5, 17.0],
            "StatusCode": "Complete",
        },
        {
            "Id": "reads",
            "Label": "ReadLatency",
            "Timestamps": ["2026-11-30T09:40:00+00:00"],
            "Values": [0.0025],
            "StatusCode": "Complete",
        },
    ],
    "Messages": [],
}


@pytest.fixture
def output_file(tmp_path):
    path = tmp_path / "rds.json"
    path.write_text(json.dumps(OUTPUT))
    (tmp_path / "rds.queries.json").write_text(json.dumps({"MetricDataQueries": QUERIES}))
    return path


def test_import_stores_series_and_points(output_file):
    call_command("import_metrics", str(output_file), stdout=StringIO())

    assert MetricSeries.objects.count() == 2
    cpu = MetricSeries.objects.get(metric_name="CPUUtilization")
    assert cpu.dimensions == {"DBInstanceIdentifier": "orders-db"}
    assert cpu.statistic == "Average"
    assert sorted(cpu.datapoints.values_list("value", flat=True)) == [17.0, 42.5]


def test_epoch_timestamps_are_accepted(output_file):
    epoch_output = {"MetricDataResults": [{"Id": "cpu", "Timestamps": [1796032800], "Values": [5]}]}
    output_file.write_text(json.dumps(epoch_output))

    call_command("import_metrics", str(output_file), stdout=StringIO())

    point = MetricDatapoint.objects.get()
    assert point.timestamp.isoformat() == "2026-11-30T10:00:00+00:00"
    assert point.value == 5.0


def test_import_twice_changes_nothing(output_file):
    call_command("import_metrics", str(output_file), stdout=StringIO())
    call_command("import_metrics", str(output_file), stdout=StringIO())

    assert MetricSeries.objects.count() == 2
    assert MetricDatapoint.objects.count() == 3


def test_import_reports_counts(output_file, capsys):
    call_command("import_metrics", str(output_file))

    assert f"{output_file}: stored 3 datapoints of 2 series." in capsys.readouterr().out


def test_imported_values_are_served(output_file, auth_client, settings, fixed_now):
    settings.METRICS_SOURCE = "local"
    settings.SIEM_RDS_INSTANCE = ""
    call_command("import_metrics", str(output_file), stdout=StringIO())

    response = auth_client.get(reverse("metrics-rds"), {"time_range": "1h"})

    assert response.status_code == 200
    assert response["X-Metrics-Source"] == "local"
    body = response.json()
    assert body["cpu_utilization"]["Values"] == [None, 17.0] + [None] * 8 + [42.5, None]
    assert body["read_latency"]["Values"] == [None] * 6 + [2.5] + [None] * 5
    assert body["write_latency"]["Values"] == [None] * 12
    assert body["cpu_utilization"]["Timestamps"][:2] == ["09:10", "09:15"]


def test_local_points_are_aggregated_per_period(output_file, auth_client, settings, fixed_now):
    settings.METRICS_SOURCE = "local"
    call_command("import_metrics", str(output_file), stdout=StringIO())

    response = auth_client.get(reverse("metrics-rds"), {"time_range": "7d"})

    assert response.json()["cpu_utilization"]["Values"][-1] == 29.75


def test_unknown_id_is_rejected(tmp_path, output_file):
    queries = tmp_path / "other.json"
    queries.write_text(json.dumps(QUERIES[:1]))

    with pytest.raises(CommandError) as error:
        call_command("import_metrics", str(output_file), "--queries", str(queries))

    assert str(error.value) == (
        f"{output_file}: result Id 'reads' has no MetricStat query in {queries}; "
        "add the query that produced it."
    )
    assert MetricDatapoint.objects.count() == 0


def test_missing_queries_file_is_named(tmp_path):
    path = tmp_path / "alb.json"
    path.write_text(json.dumps(OUTPUT))

    with pytest.raises(CommandError) as error:
        call_command("import_metrics", str(path))

    assert str(error.value) == f"{tmp_path / 'alb.queries.json'}: file not found."


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"Datapoints": []}, "no MetricDataResults list; is it get-metric-data output?"),
        (
            {
                "MetricDataResults": [
                    {"Id": "cpu", "Timestamps": ["2026-11-30T10:00:00Z"], "Values": []}
                ]
            },
            "result Id 'cpu' has 1 Timestamps but 0 Values.",
        ),
        (
            {"MetricDataResults": [{"Id": "cpu", "Timestamps": ["yesterday"], "Values": [1]}]},
            "invalid timestamp 'yesterday'; expected ISO 8601.",
        ),
        (
            {
                "MetricDataResults": [
                    {"Id": "cpu", "Timestamps": ["2026-11-30T10:00:00Z"], "Values": ["high"]}
                ]
            },
            "result Id 'cpu' has a non-numeric value.",
        ),
    ],
)
def test_invalid_output_is_rejected(output_file, document, message):
    output_file.write_text(json.dumps(document))

    with pytest.raises(CommandError) as error:
        call_command("import_metrics", str(output_file))

    assert str(error.value) == f"{output_file}: {message}"
