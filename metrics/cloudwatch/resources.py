"""The resource an endpoint describes, and the rule that picks it among the candidates."""

from dataclasses import dataclass, field

from django.conf import settings

from metrics.cloudwatch import definitions as d
from metrics.cloudwatch.errors import ResourceError


@dataclass(frozen=True)
class Resource:
    """A monitored resource and the CloudWatch dimensions its metrics are published under."""

    name: str
    dimensions: dict[str, str]
    # Dimensions of each part (ALB target group, SageMaker variant) for per-part metrics.
    parts: tuple[dict[str, str], ...] = field(default=())


@dataclass(frozen=True)
class Candidate:
    """A resource found in the AWS account or the local store, before one is picked."""

    name: str
    dimension_value: str
    arn: str = ""


@dataclass(frozen=True)
class ResourceKind:
    """Kind of monitored resource, with the dimensions its metrics are published under."""

    key: str
    noun: str
    setting: str
    namespaces: tuple[str, ...]
    dimension: str
    part_noun: str = ""
    part_setting: str = ""
    part_dimension: str = ""


RESOURCE_KINDS = {
    "alb": ResourceKind(
        "alb",
        "Application Load Balancer",
        "SIEM_ALB_NAME",
        (d.ALB,),
        "LoadBalancer",
        "target group",
        "SIEM_ALB_TARGET_GROUP",
        "TargetGroup",
    ),
    "rds": ResourceKind(
        "rds", "RDS DB instance", "SIEM_RDS_INSTANCE", (d.RDS,), "DBInstanceIdentifier"
    ),
    "asg": ResourceKind(
        "asg",
        "Auto Scaling group",
        "SIEM_ASG_NAME",
        (d.AUTO_SCALING, d.EC2),
        "AutoScalingGroupName",
    ),
    "sagemaker": ResourceKind(
        "sagemaker",
        "SageMaker endpoint",
        "SIEM_SAGEMAKER_ENDPOINT",
        (d.SAGEMAKER,),
        "EndpointName",
        "production variant",
        "SIEM_SAGEMAKER_VARIANT",
        "VariantName",
    ),
}


def short_name(dimension_value: str) -> str:
    """Return "NAME" for an ALB or target group dimension value "app/NAME/ID", else the value."""
    pieces = dimension_value.split("/")
    return pieces[1] if len(pieces) == 3 else dimension_value


def candidate_pick(
    kind: ResourceKind, candidates: list[Candidate], *, requested: str, where: str
) -> Candidate:
    """Return the resource to chart: `requested` (a `?resource=` value) if given, else the
    configured one, else the only candidate. Errors list the candidates found in `where`."""
    requested_name = requested or getattr(settings, kind.setting)
    by_name = {c.name: c for c in candidates} | {c.dimension_value: c for c in candidates}
    choices = ", ".join(sorted(c.name for c in candidates)) or "none"

    if requested_name and requested_name not in by_name:
        source = "?resource=" if requested else f"{kind.setting}="
        raise ResourceError(
            f"{source}{requested_name} names no {kind.noun} in {where}. Found: {choices}.",
            code="resource_not_found",
            status=400 if requested else 503,
        )
    if requested_name:
        return by_name[requested_name]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ResourceError(
            f"No {kind.noun} was found in {where}: create one or set {kind.setting}.",
            code="resource_not_found",
        )
    raise ResourceError(
        f"Found several {kind.noun}s in {where}: choose one with ?resource=NAME or set "
        f"{kind.setting}. Choices: {choices}.",
        code="resource_ambiguous",
    )


def resource_build(
    kind: ResourceKind, candidate: Candidate, part_values: list[str], *, where: str
) -> Resource:
    """Return the picked resource with its parts: the configured part, else all of them."""
    dimensions = {kind.dimension: candidate.dimension_value}
    if not kind.part_dimension:
        return Resource(candidate.name, dimensions)

    configured_part = getattr(settings, kind.part_setting)
    if configured_part:
        matches = [v for v in part_values if configured_part in (v, short_name(v))]
        if not matches:
            found = ", ".join(short_name(v) for v in part_values) or "none"
            raise ResourceError(
                f"{kind.part_setting}={configured_part} names no {kind.part_noun} of {kind.noun} "
                f"{candidate.name} in {where}. Found: {found}.",
                code="resource_not_found",
            )
        part_values = matches
    parts = tuple(dimensions | {kind.part_dimension: value} for value in part_values)
    return Resource(candidate.name, dimensions, parts)
