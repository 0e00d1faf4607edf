from django.urls import path

from metrics.api import cloudwatch_views, flow_views

urlpatterns = [
    path("alb", cloudwatch_views.AlbMetricsView.as_view(), name="metrics-alb"),
    path("rds", cloudwatch_views.RdsMetricsView.as_view(), name="metrics-rds"),
    path("asg", cloudwatch_views.AsgMetricsView.as_view(), name="metrics-asg"),
    path("sagemaker", cloudwatch_views.SagemakerMetricsView.as_view(), name="metrics-sagemaker"),
    path("vpc", flow_views.VpcFlowStatsView.as_view(), name="metrics-vpc"),
]
