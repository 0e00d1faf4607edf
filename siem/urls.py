"""Top-level URL configuration: the API under /api/ and the admin under /admin/."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from accounts.admin_login import rate_limited_admin_login
from siem import views

handler500 = "siem.views.server_error"

# No authentication at all, so that a stale or revoked token cannot turn a public page into a 401.
PUBLIC_VIEW_OPTIONS = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    # Listed before admin.site.urls so that the admin sign-in goes through the rate limits.
    path("admin/login/", rate_limited_admin_login),
    path("admin/", admin.site.urls),
    path("metrics", include("siem.observability.urls")),
    path("api/health", views.HealthView.as_view(), name="health"),
    path("api/", include("accounts.api.urls")),
    path("api/metrics/", include("metrics.api.urls")),
    path("api/threats/", include("threats.api.urls")),
    # The schema and its docs are public, and the docs page loads Swagger UI from /static/.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(**PUBLIC_VIEW_OPTIONS),
        name="schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="schema", **PUBLIC_VIEW_OPTIONS),
        name="api-docs",
    ),
    # Must stay last: any /api/ path that nothing above matched gets a JSON 404.
    re_path(r"^api/", views.api_not_found),
]
