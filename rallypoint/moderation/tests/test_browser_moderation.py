"""The moderation journey in a real browser: a member reports a post, a moderator hides
it with a reason, and the author sees why."""

from __future__ import annotations

import pytest

from conftest import save_screenshot, sign_in
from rallypoint.feed.models import Post
from rallypoint.feed.tests.conftest import PASSWORD, World
from rallypoint.moderation.models import Report
from rallypoint.moderation.tests.conftest import build_moderation_world

pytestmark = pytest.mark.browser


@pytest.fixture
def journey_world(transactional_db) -> World:
    return build_moderation_world()


def _as(browser, live_app, email: str):
    context = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, email, PASSWORD)
    return context, page


def test_member_reports_moderator_hides_author_sees_why(browser, live_app, journey_world):
    world = journey_world
    post = world.posts["private"]

    context, page = _as(browser, live_app, world["mia"].email)
    page.goto(f"/posts/{post.pk}/")
    page.locator(f"#post-{post.pk}").get_by_role("link", name="Report").click()
    dialog = page.locator("form.report-form")
    dialog.get_by_label("Confidential information").check()
    dialog.get_by_label("Anything the moderators should know").fill("Names the client")
    dialog.get_by_role("button", name="Send report").click()
    page.get_by_text("Thank you.").wait_for()
    report = Report.objects.get()
    assert (report.reporter, report.reason) == (world["mia"], "confidential")
    context.close()

    context, page = _as(browser, live_app, world["carol"].email)
    nav = page.locator(".moderation-nav")
    assert nav.inner_text().strip().endswith("1")
    nav.click()
    page.wait_for_url("**/moderation/")
    item = page.locator(f"#queue-post-{post.pk}")
    assert "Mia Member" in item.inner_text() and "Names the client" in item.inner_text()
    reason = item.get_by_label("Why is it hidden? The author reads this.")
    assert reason.input_value() == "Confidential information"
    reason.fill("Confidential information: it names a client before the deal is signed")
    save_screenshot(page, "moderation-queue")
    item.get_by_role("button", name="Hide").click()
    page.get_by_text("The author was told why").wait_for()
    context.close()

    assert Post.objects.get(pk=post.pk).hidden_at is not None

    context, page = _as(browser, live_app, world["alice"].email)
    page.goto(f"/posts/{post.pk}/")
    notice = page.locator(".hidden-notice")
    assert "it names a client" in notice.inner_text()
    assert "Mia" not in page.locator("main").inner_text()
    page.goto("/notifications/")
    assert "A moderator hid your post" in page.locator("main").inner_text()
    context.close()

    context, page = _as(browser, live_app, world["mia"].email)
    response = page.goto(f"/posts/{post.pk}/")
    assert response is not None and response.status == 404
    context.close()
