"""Route of the Prometheus endpoint, included by siem/urls.py at /metrics."""

from django.urls import path

from siem.observability.metrics_view import service_metrics

urlpatterns = [path("", service_metrics, name="service-metrics")]
