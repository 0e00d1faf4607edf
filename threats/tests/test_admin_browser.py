"""An analyst triages critical events in the real admin, through headless Chromium."""

import pytest

from conftest import USER_PASSWORD
from siem.testing.browser import launch_chromium
from threats.models import SecurityEvent
from threats.tests.factories import make_event

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_analyst_acknowledges_two_critical_events(live_server, analyst):
    critical = [make_event(severity="critical") for _ in range(3)]
    high = make_event(severity="high")
    # The change list is newest first, so the first two rows are the two newest critical events.
    chosen = {critical[2].pk, critical[1].pk}

    with playwright_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page()
            page.goto(f"{live_server.url}/admin/login/?next=/admin/threats/securityevent/")
            page.fill("#id_username", analyst.email)
            page.fill("#id_password", USER_PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_url("**/admin/threats/securityevent/")

            page.click("#changelist-filter a[href*='severity__exact=critical']")
            page.wait_for_url("**severity__exact=critical**")
            rows = page.locator("#result_list tbody tr")
            assert rows.count() == 3
            rows.nth(0).locator("input.action-select").check()
            rows.nth(1).locator("input.action-select").check()
            page.select_option("select[name=action]", "mark_acknowledged")
            page.click("button[name=index]")
            page.wait_for_selector("ul.messagelist")
            message = page.inner_text("ul.messagelist")
        finally:
            browser.close()

    assert "2 events marked acknowledged." in message
    statuses = dict(SecurityEvent.objects.values_list("pk", "status"))
    assert {pk for pk, status in statuses.items() if status == "acknowledged"} == chosen
    assert statuses[critical[0].pk] == "new"
    assert statuses[high.pk] == "new"
    for pk in chosen:
        changes = SecurityEvent.objects.get(pk=pk).status_changes.values_list(
            "to_status", "changed_by"
        )
        assert list(changes) == [("acknowledged", analyst.pk)]
