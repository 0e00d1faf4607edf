"""Query-string filters of the events list and CSV export, with 400 messages that name the value."""

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.db.models import QuerySet
from django.http import QueryDict
from rest_framework.exceptions import ValidationError

from threats.models import EventStatus, EventType, SecurityEvent, Severity

ISO_8601_HINT = "use an ISO 8601 date and time such as 2024-11-22T10:45:30Z"


def _choice_filter(
    choices: type[models.TextChoices], field_name: str
) -> django_filters.ChoiceFilter:
    hint = "use one of " + ", ".join(choices.values)
    return django_filters.ChoiceFilter(
        field_name=field_name, choices=choices.choices, error_messages={"invalid_choice": hint}
    )


class IpAddressFilter(django_filters.Filter):
    field_class = forms.GenericIPAddressField


class EventFilterForm(forms.Form):
    """The filters' form, which also rejects a time range that ends before it starts."""

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            raise forms.ValidationError("since must not be later than until.")
        return cleaned


class SecurityEventFilter(django_filters.FilterSet):
    """Exact filters on type, severity, status and source address; an inclusive time range."""

    type = _choice_filter(EventType, "type")
    severity = _choice_filter(Severity, "severity")
    status = _choice_filter(EventStatus, "status")
    source_ip = IpAddressFilter(
        field_name="source_ip",
        error_messages={"invalid": "use an IPv4 or IPv6 address such as 203.0.113.45"},
    )
    since = django_filters.IsoDateTimeFilter(
        field_name="timestamp", lookup_expr="gte", error_messages={"invalid": ISO_8601_HINT}
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="timestamp", lookup_expr="lte", error_messages={"invalid": ISO_8601_HINT}
    )

    class Meta:
        model = SecurityEvent
        fields = ["type", "severity", "status", "source_ip", "since", "until"]
        form = EventFilterForm


def filter_events(query_params: QueryDict, queryset: QuerySet) -> QuerySet:
    """Apply the request's filters to `queryset`, or raise a 400 naming each invalid value."""
    filterset = SecurityEventFilter(data=query_params, queryset=queryset)
    if filterset.is_valid():
        return filterset.qs
    raise ValidationError({"detail": _errors_message(filterset.form, query_params)})


def _errors_message(form: forms.Form, query_params: QueryDict) -> str:
    messages = []
    for name, errors in form.errors.items():
        text = " ".join(str(error).rstrip(".") + "." for error in errors)
        if name == NON_FIELD_ERRORS:
            messages.append(text)
        else:
            messages.append(f"{name}={query_params.get(name)!r} is invalid: {text}")
    return " ".join(messages)
