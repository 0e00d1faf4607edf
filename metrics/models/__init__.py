"""Stored metric data: CloudWatch-shaped datapoints for the local source and VPC flow rollups."""

from metrics.models.datapoints import *  # noqa: F403  (TODO: explicit names once the models exist)
from metrics.models.flows import *  # noqa: F403
