"""Placeholder: replaced by the VPC flow statistics view."""

from rest_framework.views import APIView


class VpcFlowStatsView(APIView):
    pass
