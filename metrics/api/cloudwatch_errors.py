"""The API errors of the CloudWatch metrics endpoints."""

from rest_framework.exceptions import APIException


class MetricsUnavailable(APIException):
    """The metrics cannot be served: AWS failed or the resource is unknown (502, 503 or 400)."""

    status_code = 503
    default_detail = "Metrics are unavailable."
    default_code = "metrics_unavailable"

    def __init__(self, message: str, *, status: int, code: str) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status
