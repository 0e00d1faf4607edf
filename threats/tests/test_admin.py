from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from threats.models import SecurityEvent, SecurityEventStatusChange, SuppressionRule
from threats.tests.factories import make_event

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/threats/securityevent/"


def run_action(client, action: str, events: list[SecurityEvent]):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [event.pk for event in events]},
        follow=True,
    )


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("mark_acknowledged", "acknowledged", "2 events marked acknowledged."),
        ("mark_resolved", "resolved", "2 events marked resolved."),
        ("mark_false_positive", "false_positive", "2 events marked false positive."),
    ],
)
def test_status_action_changes_selected_events(analyst_client, analyst, action, status, message):
    selected = [make_event(), make_event()]
    untouched = make_event()

    response = run_action(analyst_client, action, selected)

    assert response.status_code == 200
    assert message in response.content.decode()
    for event in selected:
        event.refresh_from_db()
        assert event.status == status
        assert list(
            event.status_changes.values_list("from_status", "to_status", "changed_by", "reason")
        ) == [("new", status, analyst.pk, "Changed in the admin.")]
    untouched.refresh_from_db()
    assert untouched.status == "new"
    assert not untouched.status_changes.exists()


def test_assign_to_me_action(analyst_client, analyst):
    selected = make_event()
    other = make_event()

    response = run_action(analyst_client, "assign_to_me", [selected])

    assert "1 events assigned to you." in response.content.decode()
    selected.refresh_from_db()
    other.refresh_from_db()
    assert selected.assignee == analyst
    assert other.assignee is None


def test_analysts_group_has_only_event_permissions():
    group = Group.objects.get(name="Analysts")

    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert codenames == {("threats", "view_securityevent"), ("threats", "change_securityevent")}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (CHANGELIST, 200),
        ("/admin/", 200),
        ("/admin/accounts/user/", 403),
        ("/admin/threats/suppressionrule/", 403),
        ("/admin/auth/group/", 403),
        ("/admin/threats/securityevent/add/", 403),
    ],
)
def test_analyst_access(analyst_client, url, status):
    response = analyst_client.get(url)

    assert response.status_code == status


def test_analyst_index_lists_only_security_events(analyst_client):
    content = analyst_client.get("/admin/").content.decode()

    assert "/admin/threats/securityevent/" in content
    assert "/admin/accounts/user/" not in content
    assert "/admin/threats/suppressionrule/" not in content


def test_analyst_changes_status_in_form_with_history(analyst_client, analyst):
    event = make_event()
    SecurityEventStatusChange.objects.create(event=event, from_status="", to_status="new")

    response = analyst_client.post(
        f"{CHANGELIST}{event.pk}/change/",
        {
            "status": "resolved",
            "assignee": "",
            "notes": "Blocked at the WAF",
            "status_changes-TOTAL_FORMS": "1",
            "status_changes-INITIAL_FORMS": "1",
            "status_changes-0-id": "",
        },
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.status, event.notes) == ("resolved", "Blocked at the WAF")
    latest = event.status_changes.order_by("-id").first()
    assert (latest.from_status, latest.to_status, latest.changed_by) == ("new", "resolved", analyst)


def test_change_page_shows_evidence_and_history(analyst_client):
    event = make_event(evidence={"ports": [22, 3389], "attempts": 40})
    SecurityEventStatusChange.objects.create(
        event=event, from_status="new", to_status="acknowledged", reason="On it"
    )

    content = analyst_client.get(f"{CHANGELIST}{event.pk}/change/").content.decode()

    assert "{\n  &quot;attempts&quot;: 40,\n  &quot;ports&quot;: [\n    22,\n    3389\n  ]\n}" in content
    assert "On it" in content
    assert 'name="evidence"' not in content


def test_changelist_shows_sample_flag_and_columns(analyst_client):
    make_event(
        is_sample=True, source_ip="192.0.2.77", timestamp=datetime(2024, 11, 22, 10, 45, 30, tzinfo=UTC)
    )

    content = analyst_client.get(CHANGELIST).content.decode()

    for column in ("column-time", "column-type", "column-severity", "column-status",
                   "column-assignee", "column-source_ip", "column-destination_ip",
                   "column-blocked", "column-count", "column-is_sample"):
        assert column in content
    assert "192.0.2.77" in content
    assert "2024-11-22 10:45:30" in content


@pytest.mark.parametrize("term", ["198.51.100.89", " 198.51.100.89 "])
def test_search_by_address_matches_source_or_destination(analyst_client, term):
    as_source = make_event(source_ip="198.51.100.89")
    as_destination = make_event(source_ip="10.0.0.5", destination_ip="198.51.100.89")
    make_event(source_ip="192.0.2.1")

    response = analyst_client.get(CHANGELIST, {"q": term})

    assert {event.pk for event in response.context["cl"].result_list} == {
        as_source.pk, as_destination.pk
    }


def test_search_by_description(analyst_client):
    expected = make_event(description="SQL injection attempt in HTTP request")
    make_event()

    response = analyst_client.get(CHANGELIST, {"q": "injection"})

    assert [event.pk for event in response.context["cl"].result_list] == [expected.pk]


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"severity__exact": "critical"}, "severity", "critical"),
        ({"type__exact": "ddos"}, "type", "ddos"),
        ({"status__exact": "resolved"}, "status", "resolved"),
        ({"blocked__exact": "0"}, "blocked", False),
        ({"is_sample__exact": "1"}, "is_sample", True),
    ],
)
def test_changelist_filters(analyst_client, params, field, value):
    expected = make_event(**{field: value})
    make_event()

    response = analyst_client.get(CHANGELIST, params)

    assert [event.pk for event in response.context["cl"].result_list] == [expected.pk]


def test_changelist_filters_by_assignee(analyst_client, analyst):
    expected = make_event(assignee=analyst)
    make_event()

    response = analyst_client.get(CHANGELIST, {"assignee__id__exact": analyst.pk})

    assert [event.pk for event in response.context["cl"].result_list] == [expected.pk]


def test_changelist_caps_count(analyst_client, settings):
    settings.SIEM_THREATS_ADMIN_COUNT_LIMIT = 3
    for _ in range(5):
        make_event()

    with CaptureQueriesContext(connection) as queries:
        content = analyst_client.get(CHANGELIST).content.decode()

    assert "More than 3 security events" in " ".join(content.split())
    counts = [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]
    assert counts
    assert all("LIMIT" in sql.upper() for sql in counts)


def test_changelist_counts_exactly_below_cap(analyst_client):
    for _ in range(2):
        make_event()

    content = analyst_client.get(CHANGELIST).content.decode()
    text = " ".join(content.split())

    assert "More than" not in text
    assert "2 security events" in text


def test_date_hierarchy_lists_months_between_first_and_last(analyst_client):
    make_event(timestamp=datetime(2024, 9, 3, tzinfo=UTC))
    make_event(timestamp=datetime(2024, 11, 22, tzinfo=UTC))

    content = analyst_client.get(CHANGELIST).content.decode()

    for month in ("September 2024", "October 2024", "November 2024"):
        assert month in content
    assert "timestamp__month=10" in content


def test_date_hierarchy_drills_down_to_days(analyst_client):
    make_event(timestamp=datetime(2024, 11, 20, 8, tzinfo=UTC))
    inside = make_event(timestamp=datetime(2024, 11, 22, 9, tzinfo=UTC))

    response = analyst_client.get(
        CHANGELIST, {"timestamp__year": "2024", "timestamp__month": "11", "timestamp__day": "22"}
    )

    assert [event.pk for event in response.context["cl"].result_list] == [inside.pk]
    assert "November 22" in response.content.decode()


def test_history_admin_is_read_only(admin_user_client):
    change = SecurityEventStatusChange.objects.create(
        event=make_event(), from_status="new", to_status="resolved"
    )
    base = "/admin/threats/securityeventstatuschange/"

    assert admin_user_client.get(base).status_code == 200
    assert admin_user_client.get(f"{base}add/").status_code == 403
    assert admin_user_client.get(f"{base}{change.pk}/delete/").status_code == 403
    page = admin_user_client.get(f"{base}{change.pk}/change/").content.decode()
    assert 'name="_save"' not in page


def test_suppression_rule_admin_records_creator(admin_user_client, django_user_model):
    response = admin_user_client.post(
        "/admin/threats/suppressionrule/add/",
        {
            "reason": "Quarterly scan by our vendor",
            "source_cidr": "198.51.100.0/24",
            "destination_cidr": "",
            "type": "port_scan",
            "detector": "",
            "expires_at_0": "",
            "expires_at_1": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    rule = SuppressionRule.objects.get()
    assert rule.created_by == django_user_model.objects.get(email="root@example.com")
