"""Placeholder: replaced by the CloudWatch metrics views."""

from rest_framework.views import APIView


class AlbMetricsView(APIView):
    pass


class RdsMetricsView(APIView):
    pass


class AsgMetricsView(APIView):
    pass


class SagemakerMetricsView(APIView):
    pass
