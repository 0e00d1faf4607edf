"""Top-level URL configuration: the API under /api/ and the admin under /admin/."""

from django.contrib import admin
from django.urls import include, path, re_path

from accounts.admin_login import rate_limited_admin_login
from siem import views

handler500 = "siem.views.server_error"

urlpatterns = [
    # Listed before admin.site.urls so that the admin sign-in goes through the rate limits.
    path("admin/login/", rate_limited_admin_login),
    path("admin/", admin.site.urls),
    path("metrics", include("siem.observability.urls")),
    path("api/health", views.HealthView.as_view(), name="health"),
    path("api/", include("accounts.api.urls")),
    path("api/metrics/", include("metrics.api.urls")),
    path("api/threats/", include("threats.api.urls")),
    # Must stay last: any /api/ path that nothing above matched gets a JSON 404.
    re_path(r"^api/", views.api_not_found),
]
