"""Fixtures for the CloudWatch metrics tests: moto resources, a fixed clock, a call counter."""

from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from metrics.cloudwatch import service
from metrics.cloudwatch.cloudwatch_source import CloudWatchSource
from metrics.cloudwatch.resources import Candidate
from siem import aws

REGION = "eu-west-1"
# Mid-period on purpose: the 1h window is then 09:10-10:10 and the 7d window ends at 12:00.
FIXED_NOW = datetime(2026, 11, 30, 10, 7, 30, tzinfo=UTC)


@pytest.fixture
def fixed_now(monkeypatch):
    monkeypatch.setattr(service, "utc_now", lambda: FIXED_NOW)
    return FIXED_NOW


@pytest.fixture
def cloudwatch_settings(settings, fixed_now):
    settings.AWS_REGION = REGION
    settings.METRICS_SOURCE = "cloudwatch"
    settings.SIEM_DISPLAY_TIME_ZONE = "UTC"
    for name in (
        "SIEM_ALB_NAME",
        "SIEM_ALB_TARGET_GROUP",
        "SIEM_RDS_INSTANCE",
        "SIEM_ASG_NAME",
        "SIEM_SAGEMAKER_ENDPOINT",
        "SIEM_SAGEMAKER_VARIANT",
    ):
        setattr(settings, name, "")
    return settings


@pytest.fixture
def moto_aws(cloudwatch_settings):
    with mock_aws():
        yield


@pytest.fixture
def get_metric_data_calls(monkeypatch) -> list[dict]:
    """Record the parameters of every GetMetricData request the service sends."""
    calls: list[dict] = []
    real_client = aws.client

    def recording_client(service_name, region_name=None):
        client = real_client(service_name, region_name)
        client.meta.events.register(
            "provide-client-params.cloudwatch.GetMetricData",
            lambda params, **kwargs: calls.append(dict(params)),
        )
        return client

    monkeypatch.setattr(aws, "client", recording_client)
    return calls


@pytest.fixture
def stubbed_rds_cloudwatch(monkeypatch, cloudwatch_settings):
    """Serve GetMetricData responses from a botocore Stubber for the one RDS instance "orders-db".

    The test queues responses on the returned Stubber before it sends a request.
    """
    monkeypatch.setattr(
        CloudWatchSource, "candidates", lambda self, kind: [Candidate("orders-db", "orders-db")]
    )
    client = aws.client("cloudwatch")
    stubber = Stubber(client)
    stubber.activate()
    monkeypatch.setattr(aws, "client", lambda service_name, region_name=None: client)
    yield stubber
    stubber.deactivate()


def boto(service_name: str):
    return boto3.client(service_name, region_name=REGION)


def load_balancer_create(name: str, target_groups: tuple[str, ...] = ("web",)) -> dict:
    """Create an ALB with one listener per target group; return the dimension values."""
    ec2, elbv2 = boto("ec2"), boto("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(
            VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}"
        )["Subnet"]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    arn = elbv2.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0][
        "LoadBalancerArn"
    ]
    groups = []
    for port, group in enumerate(target_groups, start=80):
        tg = elbv2.create_target_group(Name=group, Protocol="HTTP", Port=80, VpcId=vpc)
        tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
        elbv2.create_listener(
            LoadBalancerArn=arn,
            Protocol="HTTP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
        )
        groups.append(tg_arn.rsplit(":", 1)[1])
    return {"LoadBalancer": arn.split(":loadbalancer/", 1)[1], "TargetGroups": groups}


def db_instance_create(identifier: str) -> None:
    boto("rds").create_db_instance(
        DBInstanceIdentifier=identifier,
        DBInstanceClass="db.t3.medium",
        Engine="mysql",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
    )


def auto_scaling_group_create(name: str) -> None:
    autoscaling = boto("autoscaling")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName=f"{name}-lc", ImageId="ami-12345678", InstanceType="t3.micro"
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=name,
        LaunchConfigurationName=f"{name}-lc",
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=0,
        AvailabilityZones=[f"{REGION}a"],
    )


def sagemaker_endpoint_create(name: str, variants: tuple[str, ...] = ("AllTraffic",)) -> None:
    sagemaker = boto("sagemaker")
    sagemaker.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/model:1"},
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": variant,
                "ModelName": f"{name}-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.t2.medium",
            }
            for variant in variants
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def datapoints_put(
    namespace: str, metric: str, dimensions: dict, points: list[tuple[datetime, float]]
):
    boto("cloudwatch").put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                "Timestamp": timestamp,
                "Value": value,
            }
            for timestamp, value in points
        ],
    )
