"""GET /api/metrics/vpc: VPC flow statistics for one of the dashboard's time ranges."""

import logging

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.flows.selectors import vpc_flow_stats
from metrics.timeranges import TIME_RANGES, parse_time_range
from siem.aws import AwsError
from siem.serializers import MessageSerializer

logger = logging.getLogger(__name__)


class TalkerSerializer(serializers.Serializer):
    """An address and its number of flows in the window."""

    ip = serializers.CharField()
    count = serializers.IntegerField()


class VpcFlowStatsSerializer(serializers.Serializer):
    """Shape of the VPC flow statistics response, for the OpenAPI schema."""

    total_flows = serializers.IntegerField()
    accepted_flows = serializers.IntegerField()
    rejected_flows = serializers.IntegerField()
    bytes_transferred = serializers.IntegerField()
    top_sources = TalkerSerializer(many=True)
    top_destinations = TalkerSerializer(many=True)
    protocol_distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text="Whole percentages by protocol, summing to 100."
    )


class VpcFlowStatsView(APIView):
    """Totals, top talkers and protocol mix of the flows that started in the range's window."""

    @extend_schema(
        parameters=[OpenApiParameter("time_range", str, enum=list(TIME_RANGES), default="1h")],
        # 502 and 503 come from the Logs Insights and Athena sources, with a `code` beside
        # the message.
        responses={200: VpcFlowStatsSerializer}
        | {status: MessageSerializer for status in (400, 401, 502, 503)},
        tags=["metrics"],
    )
    def get(self, request: Request) -> Response:
        time_range = parse_time_range(request.query_params.get("time_range"))
        start, end = time_range.aligned_window(timezone.now())
        try:
            stats = vpc_flow_stats(start=start, end=end)
        except AwsError as err:
            logger.warning("VPC flow statistics unavailable: %s (%s)", err.message, err.code)
            return Response({"message": err.message, "code": err.code}, status=err.status)
        return Response(stats)
