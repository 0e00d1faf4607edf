"""Finds the monitored resources in the AWS account through the services' describe calls."""

from metrics.cloudwatch.resources import Candidate, ResourceKind
from siem import aws


def candidates_discover(kind: ResourceKind) -> list[Candidate]:
    """Return the account's resources of `kind` in the configured region."""
    finders = {
        "alb": _load_balancers,
        "rds": _db_instances,
        "asg": _auto_scaling_groups,
        "sagemaker": _sagemaker_endpoints,
    }
    return finders[kind.key]()


def part_values_discover(kind: ResourceKind, candidate: Candidate) -> list[str]:
    """Return the dimension values of the picked resource's parts (target groups, variants)."""
    if kind.key == "alb":
        return _target_groups(candidate)
    if kind.key == "sagemaker":
        return _sagemaker_variants(candidate)
    return []


def _paginate(service: str, operation: str, action: str, result_key: str, **params) -> list[dict]:
    client = aws.client(service)
    items: list[dict] = []
    with aws.translated_errors(action):
        for page in client.get_paginator(operation).paginate(**params):
            items.extend(page.get(result_key, []))
    return items


def _load_balancers() -> list[Candidate]:
    balancers = _paginate(
        "elbv2",
        "describe_load_balancers",
        "elasticloadbalancing:DescribeLoadBalancers",
        "LoadBalancers",
    )
    return [
        Candidate(
            b["LoadBalancerName"],
            b["LoadBalancerArn"].split(":loadbalancer/", 1)[1],
            arn=b["LoadBalancerArn"],
        )
        for b in balancers
        if b.get("Type", "application") == "application"
    ]


def _target_groups(candidate: Candidate) -> list[str]:
    """Return the "targetgroup/NAME/ID" dimension values of the load balancer's target groups."""
    groups = _paginate(
        "elbv2",
        "describe_target_groups",
        "elasticloadbalancing:DescribeTargetGroups",
        "TargetGroups",
        LoadBalancerArn=candidate.arn,
    )
    return [g["TargetGroupArn"].rsplit(":", 1)[1] for g in groups]


def _db_instances() -> list[Candidate]:
    instances = _paginate("rds", "describe_db_instances", "rds:DescribeDBInstances", "DBInstances")
    return [Candidate(i["DBInstanceIdentifier"], i["DBInstanceIdentifier"]) for i in instances]


def _auto_scaling_groups() -> list[Candidate]:
    groups = _paginate(
        "autoscaling",
        "describe_auto_scaling_groups",
        "autoscaling:DescribeAutoScalingGroups",
        "AutoScalingGroups",
    )
    return [Candidate(g["AutoScalingGroupName"], g["AutoScalingGroupName"]) for g in groups]


def _sagemaker_endpoints() -> list[Candidate]:
    endpoints = _paginate("sagemaker", "list_endpoints", "sagemaker:ListEndpoints", "Endpoints")
    return [Candidate(e["EndpointName"], e["EndpointName"]) for e in endpoints]


def _sagemaker_variants(candidate: Candidate) -> list[str]:
    client = aws.client("sagemaker")
    with aws.translated_errors("sagemaker:DescribeEndpoint", endpoint=candidate.name):
        described = client.describe_endpoint(EndpointName=candidate.name)
    return [v["VariantName"] for v in described.get("ProductionVariants", [])]
