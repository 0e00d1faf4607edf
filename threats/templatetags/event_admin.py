"""A date drill-down for the events change list that stays fast on millions of rows."""

import datetime

from django import template
from django.contrib.admin.views.main import ChangeList
from django.utils import formats, timezone
from django.utils.text import capfirst

register = template.Library()


def _bounds(cl: ChangeList, field: str) -> tuple[datetime.date, datetime.date] | None:
    """Return the local dates of the first and last matching rows, read in index order."""
    ordered = cl.queryset.order_by().values_list(field, flat=True)
    first = ordered.order_by(field).first()
    last = ordered.order_by(f"-{field}").first()
    if first is None or last is None:
        return None
    return timezone.localtime(first).date(), timezone.localtime(last).date()


def _title(day: datetime.date, date_format: str) -> str:
    return capfirst(formats.date_format(day, date_format))


@register.inclusion_tag("admin/date_hierarchy.html")
def event_date_hierarchy(cl: ChangeList) -> dict:
    """Build the context of the admin's date drill-down from the first and last matches only.

    Django's own tag lists the distinct years, months or days that have rows, which scans every
    matching row. Here the links cover each year, month or day between the first and the last
    match, so a link may lead to an empty page when a whole period has no events.
    """
    field = cl.date_hierarchy
    parts = [cl.params.get(f"{field}__{part}") for part in ("year", "month", "day")]
    year, month, day = (int(value) if value else None for value in parts)
    bounds = _bounds(cl, field)
    if bounds is None:
        return {"show": False}

    first, last = bounds
    if year is None and first.year == last.year:
        year = first.year
        month = first.month if first.month == last.month else None
    if year and month and day:
        return _day_level(cl, field, datetime.date(year, month, day))
    if year and month:
        return _month_level(cl, field, year, month, first, last)
    if year:
        return _year_level(cl, field, year, first, last)
    return _all_years(cl, field, first, last)


def _link(cl: ChangeList, field: str, **parts: int) -> str:
    filters = {f"{field}__{name}": value for name, value in parts.items()}
    return cl.get_query_string(filters, [f"{field}__"])


def _day_level(cl: ChangeList, field: str, day: datetime.date) -> dict:
    return {
        "show": True,
        "back": {
            "link": _link(cl, field, year=day.year, month=day.month),
            "title": _title(day, "YEAR_MONTH_FORMAT"),
        },
        "choices": [{"title": _title(day, "MONTH_DAY_FORMAT")}],
    }


def _month_level(
    cl: ChangeList, field: str, year: int, month: int, first: datetime.date, last: datetime.date
) -> dict:
    # The queryset is already limited to the month, so first and last fall inside it.
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    return {
        "show": True,
        "back": {"link": _link(cl, field, year=year), "title": str(year)},
        "choices": [
            {
                "link": _link(cl, field, year=year, month=month, day=day.day),
                "title": _title(day, "MONTH_DAY_FORMAT"),
            }
            for day in days
        ],
    }


def _year_level(
    cl: ChangeList, field: str, year: int, first: datetime.date, last: datetime.date
) -> dict:
    months = [datetime.date(year, number, 1) for number in range(first.month, last.month + 1)]
    return {
        "show": True,
        "back": {"link": _link(cl, field), "title": "All dates"},
        "choices": [
            {
                "link": _link(cl, field, year=year, month=start.month),
                "title": _title(start, "YEAR_MONTH_FORMAT"),
            }
            for start in months
        ],
    }


def _all_years(cl: ChangeList, field: str, first: datetime.date, last: datetime.date) -> dict:
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": _link(cl, field, year=year), "title": str(year)}
            for year in range(first.year, last.year + 1)
        ],
    }
