from django.urls import path

from threats.api import views

urlpatterns = [
    path(
        "classifications",
        views.ThreatClassificationsView.as_view(),
        name="threats-classifications",
    ),
    path("events", views.SecurityEventListView.as_view(), name="threats-events"),
    path("events.csv", views.SecurityEventCsvView.as_view(), name="threats-events-csv"),
]
