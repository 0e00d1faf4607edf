"""URLs for the error-format tests: views that fail on purpose, then the real project URLs."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from siem.urls import handler500  # noqa: F401  (Django reads it from the active URLconf)
from siem.urls import urlpatterns as project_urlpatterns


class RaisingView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    error: Exception = RuntimeError("boom")

    def get(self, request):
        raise self.error


def crashing_django_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret table users_user is locked")


def raising(name: str, error: Exception):
    return path(f"api/test/{name}", RaisingView.as_view(error=error))


urlpatterns = [
    raising(
        "string",
        exceptions.ValidationError("time_range='2h' is invalid: use one of 1h, 6h, 24h, 7d."),
    ),
    raising("list", exceptions.ValidationError(["First problem.", "Second problem."])),
    raising(
        "fields",
        exceptions.ValidationError(
            {"email": ["Enter a valid email address."], "name": ["This field is required."]}
        ),
    ),
    raising("non-field", exceptions.ValidationError({"non_field_errors": ["Dates are reversed."]})),
    raising("nested", exceptions.ValidationError({"filters": {"severity": ["Unknown level."]}})),
    raising(
        "message-body",
        exceptions.APIException({"message": "AWS is not configured", "hint": "set AWS_REGION"}),
    ),
    raising("forbidden", exceptions.PermissionDenied()),
    raising("not-found", exceptions.NotFound()),
    raising("crash", RuntimeError("secret table users_user is locked")),
    path("api/test/django-crash", crashing_django_view),
    *project_urlpatterns,
]
