"""seed_demo: a labelled demo set that fills every chart of every range."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from metrics.models import MetricDatapoint, MetricSeries
from metrics.timeranges import TIME_RANGES

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.METRICS_SOURCE = "local"
    for name in ("SIEM_ALB_NAME", "SIEM_RDS_INSTANCE", "SIEM_ASG_NAME", "SIEM_SAGEMAKER_ENDPOINT"):
        setattr(settings, name, "")
    call_command("seed_demo", "--days", "7", stdout=StringIO())


@pytest.mark.parametrize("range_name", list(TIME_RANGES))
@pytest.mark.parametrize("endpoint", ["alb", "rds", "asg", "sagemaker"])
def test_demo_fills_every_chart(seeded, auth_client, endpoint, range_name):
    response = auth_client.get(reverse(f"metrics-{endpoint}"), {"time_range": range_name})

    assert response.status_code == 200
    assert response["X-Metrics-Source"] == "local"
    for key, chart in response.json().items():
        present = [value for value in chart["Values"] if value]
        assert len(present) >= len(chart["Values"]) // 2, key


def test_demo_resources_are_labelled(seeded):
    names = {
        str(dimension)
        for series in MetricSeries.objects.all()
        for dimension in series.dimensions.values()
    }

    assert all("siem-demo" in name or name == "AllTraffic" for name in names)
    assert set(MetricSeries.objects.values_list("origin", flat=True)) == {"demo"}


def test_seed_twice_keeps_the_same_points(seeded):
    before = MetricDatapoint.objects.count()
    first_value = MetricDatapoint.objects.order_by("series_id", "timestamp").first().value

    call_command("seed_demo", "--days", "7", stdout=StringIO())

    assert MetricDatapoint.objects.count() in (before, before + 17)
    assert MetricDatapoint.objects.order_by("series_id", "timestamp").first().value == first_value


def test_delete_removes_only_demo_series(seeded):
    from metrics.datapoint_services import datapoints_upsert

    datapoints_upsert(
        namespace="AWS/RDS",
        metric="CPUUtilization",
        dimensions={"DBInstanceIdentifier": "real"},
        statistic="Average",
        points=[],
    )

    call_command("seed_demo", "--delete", stdout=StringIO())

    assert list(MetricSeries.objects.values_list("origin", flat=True)) == ["import"]
