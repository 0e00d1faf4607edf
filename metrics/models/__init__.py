"""Stored metric data: CloudWatch-shaped datapoints for the local source and VPC flow rollups."""

from metrics.models.datapoints import MetricDatapoint as MetricDatapoint
from metrics.models.datapoints import MetricSeries as MetricSeries
from metrics.models.flows import FlowTalkerRollup as FlowTalkerRollup
from metrics.models.flows import FlowTopTalker as FlowTopTalker
from metrics.models.flows import FlowTrafficRollup as FlowTrafficRollup
