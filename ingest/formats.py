"""The built-in log formats and their consumers, registered with the ingest pipeline."""

import logging

import pyarrow as pa

from ingest.pipeline import register_consumer, register_format
from logparsers.vpc_flow import FORMAT_NAME as VPC_FLOW
from logparsers.vpc_flow import detect_vpc_flow, parse_vpc_flow
from metrics.flows.accumulator import FlowRollupAccumulator
from metrics.flows.services import flow_rollups_add

logger = logging.getLogger(__name__)


class FlowRollupConsumer:
    """Sums an object's flows into rollup deltas and adds them to the stored rollups on commit."""

    def __init__(self) -> None:
        self.accumulator = FlowRollupAccumulator()

    def add(self, batch: pa.Table) -> None:
        self.accumulator.add(batch)

    def commit(self) -> None:
        if self.accumulator.flows_without_start:
            logger.info(
                "skipped %d flows without a start time in the rollups",
                self.accumulator.flows_without_start,
            )
        flow_rollups_add(traffic=self.accumulator.traffic(), talkers=self.accumulator.talkers())


register_format(VPC_FLOW, detect=detect_vpc_flow, parse=parse_vpc_flow)
register_consumer(VPC_FLOW, FlowRollupConsumer)

# Imported after vpc-flow is registered, so detection tries the most common format first.
from ingest import formats_alb as _formats_alb  # noqa: E402, F401
from ingest import formats_resolver as _formats_resolver  # noqa: E402, F401

# isort: split
# The detection consumers need every format above registered, so they are imported last.
from ingest import detection as _detection  # noqa: E402, F401
