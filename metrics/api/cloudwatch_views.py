"""The ALB, RDS, Auto Scaling and SageMaker metrics endpoints."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.api.cloudwatch_errors import MetricsUnavailable
from metrics.api.cloudwatch_serializers import ENDPOINT_SERIALIZERS
from metrics.cloudwatch.errors import ResourceError
from metrics.cloudwatch.service import endpoint_metrics_get, metrics_source
from metrics.timeranges import TIME_RANGES, parse_time_range
from siem.aws import AwsError
from siem.serializers import MessageSerializer

# Maximum length of `?resource=`: Auto Scaling group names, the longest of the four kinds, allow
# 255 characters.
MAX_RESOURCE_LENGTH = 255

PARAMETERS = [
    OpenApiParameter("time_range", OpenApiTypes.STR, enum=list(TIME_RANGES), default="1h"),
    OpenApiParameter(
        "resource",
        {"type": "string", "maxLength": MAX_RESOURCE_LENGTH},
        description="Name of the resource to chart when the account has several.",
    ),
    OpenApiParameter(
        "X-Metrics-Source",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=True,
        description="Where the datapoints came from: `cloudwatch` or `local`.",
    ),
]


class CloudWatchMetricsView(APIView):
    """Charts of one resource's CloudWatch metrics; X-Metrics-Source names their source."""

    endpoint_name = ""

    def get(self, request: Request) -> Response:
        time_range = parse_time_range(request.query_params.get("time_range"))
        resource = request.query_params.get("resource", "").strip()
        if len(resource) > MAX_RESOURCE_LENGTH:
            raise ValidationError(f"resource is longer than {MAX_RESOURCE_LENGTH} characters.")

        try:
            result = endpoint_metrics_get(
                self.endpoint_name, time_range=time_range, resource=resource
            )
        except (AwsError, ResourceError) as err:
            raise MetricsUnavailable(err.message, status=err.status, code=err.code) from err
        return Response(result.body)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["X-Metrics-Source"] = metrics_source().name
        return response


def _documented(name: str):
    errors = {status: MessageSerializer for status in (400, 401, 502, 503)}
    return extend_schema(
        parameters=PARAMETERS,
        responses={200: ENDPOINT_SERIALIZERS[name]} | errors,
        tags=["metrics"],
    )


@_documented("alb")
class AlbMetricsView(CloudWatchMetricsView):
    endpoint_name = "alb"


@_documented("rds")
class RdsMetricsView(CloudWatchMetricsView):
    endpoint_name = "rds"


@_documented("asg")
class AsgMetricsView(CloudWatchMetricsView):
    endpoint_name = "asg"


@_documented("sagemaker")
class SagemakerMetricsView(CloudWatchMetricsView):
    endpoint_name = "sagemaker"
