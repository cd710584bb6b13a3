"""An employee shares an item on X from the share panel in a real browser: the live check
adds the disclosure as she types, the counter counts as X does, and "Open X share page"
records the share and opens X's page with the text and the tracked link."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import save_screenshot, sign_in
from rallypoint.advocacy.models import Share
from rallypoint.advocacy.tests.test_sharing_services import PASSWORD, build_world
from rallypoint.notify.tests.test_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_share_page_opens_with_the_tracked_link(page, transactional_db):
    from playwright.sync_api import expect

    world = build_world()
    opened: list[str] = []

    def answer_as_x(route):  # type: ignore[no-untyped-def]
        opened.append(route.request.url)
        route.fulfill(body="X")

    page.context.route("https://twitter.com/**", answer_as_x)
    sign_in(page, "ana@example.com", PASSWORD)
    page.goto(f"/library/{world.item.pk}/share/")
    expect(page.get_by_role("tab", name="LinkedIn")).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="X", exact=True).click()
    box = page.get_by_label("Your text for X", exact=True)
    expect(box).to_be_visible()
    expect(page.get_by_label("Your text for LinkedIn")).to_be_hidden()
    box.fill("")
    box.press_sequentially("Lisbon, here we come", delay=5)
    panel = page.locator("#share-x")
    expect(panel.locator("[data-finding=added]")).to_contain_text("#employee")
    # 20 characters, a space and the link counted as 23.
    expect(panel.locator("[data-share-counter-for=text-x]")).to_have_text("44 / 280")
    assert serious_violations(page) == []
    save_screenshot(page, "sharing-panel")

    with page.context.expect_page() as popup:
        panel.get_by_role("button", name="Open X share page").click()
    share_page = popup.value
    share_page.wait_for_load_state()
    expect(panel.locator("[data-share-result]")).to_contain_text("Recorded")

    share = Share.objects.get()
    assert share.status == Share.Status.OPENED and share.network == "x"
    url = share_page.url
    assert url.startswith("https://twitter.com/intent/tweet?")
    query = parse_qs(urlsplit(url).query)
    assert query["text"] == ["Lisbon, here we come #employee"]
    assert share.link is not None
    assert query["url"][0].endswith(f"/r/{share.link.code}")
    assert opened and opened[0] == url
