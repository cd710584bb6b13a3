"""In a real browser: a must-read announcement is published, read and acknowledged, and
the author's open statistics page follows live."""

from __future__ import annotations

import pytest

from conftest import save_screenshot, sign_in, wait_for
from rallypoint.announce.models import Announcement, AnnouncementRecipient
from rallypoint.announce.tests.conftest import PASSWORD, Company, build_company

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db) -> Company:
    return build_company()


def test_publish_acknowledge_and_the_stats_update_live(page, browser, live_app, people):
    sign_in(page, people["cora"].email, PASSWORD)
    page.goto("/announcements/new/")
    page.get_by_label("Title").fill("New travel policy")
    page.get_by_label("Text").fill("From **1 March**, book trains for trips under 4 hours.")
    page.get_by_text("Departments").click()
    page.get_by_label("Engineering").check()
    page.get_by_label("Must read").check()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url("**/stats/")
    announcement = Announcement.objects.get(title="New travel policy")
    totals = page.locator(".announce-totals")
    assert totals.locator('[data-stat="delivered"]').inner_text() == "3"
    assert totals.locator('[data-stat="acknowledged"]').inner_text() == "0"
    assert "Eli Eng" in page.locator(".announce-pending").inner_text()
    page.locator("#live-status[data-state='open']").wait_for(state="attached")

    employee = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 860})
    reader = employee.new_page()
    try:
        sign_in(reader, people["eli"].email, PASSWORD)
        reader.goto("/announcements/")
        card = reader.locator(f"#announcement-{announcement.pk}")
        assert "New travel policy" in card.inner_text()
        card.get_by_role("link", name="New travel policy").click()
        reader.wait_for_url(f"**/announcements/{announcement.pk}/")
        assert reader.locator(".post-body strong").inner_text() == "1 March"
        wait_for(
            lambda: totals.locator('[data-stat="opened"]').inner_text() == "1",
            timeout=10,
            what="the author's page to show the opening",
        )
        reader.get_by_role("button", name="I have read and understood").click()
        reader.get_by_text("You acknowledged this").wait_for()
    finally:
        employee.close()

    assert AnnouncementRecipient.objects.get(
        announcement=announcement, user=people["eli"]
    ).acknowledged_at
    wait_for(
        lambda: page.locator('[data-stat="acknowledged"]').inner_text() == "1",
        timeout=10,
        what="the author's page to show the acknowledgement",
    )
    assert "Eli Eng" not in page.locator(".announce-pending").inner_text()
    save_screenshot(page, "announcement-stats")


def test_urgent_announcement_is_on_top_of_home_until_acknowledged(page, people):
    from rallypoint.announce.services import announcement_create

    announcement_create(
        author=people["cora"],
        title="Building closed today",
        body="The **HQ building** is closed after a water leak. Work from home.",
        to_everyone=True,
        urgent=True,
    )
    sign_in(page, people["eli"].email, PASSWORD)
    page.goto("/")
    alert = page.get_by_role("alert")
    assert "Building closed today" in alert.inner_text()
    save_screenshot(page, "announcement-urgent")
    alert.get_by_role("button", name="I have read and understood").click()
    page.get_by_text("You acknowledged this").wait_for()
    page.goto("/")
    assert page.get_by_role("alert").count() == 0
    assert "Building closed today" in page.locator(".feed").inner_text()
