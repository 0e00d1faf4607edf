"""Top-level URL configuration: the API under /api/ and the admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("accounts.api.urls")),
    path("api/metrics/", include("metrics.api.urls")),
    path("api/threats/", include("threats.api.urls")),
]
