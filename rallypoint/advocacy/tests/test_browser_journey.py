"""The advocacy journey of a new employee, end to end in Chromium against a real server:
Nina opens the library, the share button leads her to the social media policy, she
accepts it and comes back, edits the suggested text for X (the live check adds the
disclosure), shares through X's share page (the opened address is checked), someone
outside visits her tracked link (through the server's redirect fast path), and the click
appears on her own shares page and in the campaign's progress while she watches."""

from __future__ import annotations

import contextlib
import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from conftest import save_screenshot, sign_in
from rallypoint.advocacy.models import Campaign, ContentItem, Share
from rallypoint.governance.seed import seed_governance
from rallypoint.links.models import Click
from rallypoint.people.models import Department, User

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "advocacy-journey-pw"
ARTICLE = "https://northwind.example/news/lisbon-office"


@pytest.fixture
def company(transactional_db) -> dict[str, object]:
    marketing = Department.objects.create(name="Marketing", slug="marketing")
    ada = User.objects.create_user(
        "ada@example.com", PASSWORD, display_name="Ada Admin", role=User.Role.ADMINISTRATOR
    )
    nina = User.objects.create_user(
        "nina@example.com", PASSWORD, display_name="Nina New", department=marketing
    )
    seed_governance(author=ada)  # policy version 1, the #employee disclosure, the rules
    now = timezone.now()
    item = ContentItem.objects.create(
        title="Our Lisbon office is open",
        description="Forty new jobs by the river.",
        url=ARTICLE,
        site_name="Northwind",
        published_at=now - datetime.timedelta(hours=1),
        featured=True,
        why_share="Helps hiring in Portugal.",
        suggested_texts={"x": "Northwind opens in Lisbon!", "linkedin": "Lisbon, here we are."},
        created_by=ada,
    )
    campaign = Campaign.objects.create(
        name="Lisbon launch",
        slug="lisbon-launch",
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=7),
        goal_shares=4,
        goal_unique_clicks=4,
        goal_participants=4,
        created_by=ada,
    )
    campaign.items.add(item)
    return {"nina": nina, "item": item, "campaign": campaign}


def _goal(page, key: str):
    return page.locator(f'[data-goal="{key}"] [data-part="value"]')


def test_new_employee_accepts_the_policy_shares_and_sees_her_click_counted(
    browser, live_app, page, company
):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect

    item = company["item"]
    opened: list[str] = []

    def answer_as_x(route):  # type: ignore[no-untyped-def]
        opened.append(route.request.url)
        route.fulfill(body="X")

    page.context.route("https://twitter.com/**", answer_as_x)
    sign_in(page, "nina@example.com", PASSWORD)

    # The library, filtered to what is meant for her; the item's Share button.
    page.goto("/library/")
    card = page.locator("article", has_text="Our Lisbon office is open")
    expect(card).to_contain_text("Helps hiring in Portugal.")
    card.get_by_role("link", name="Share").click()

    # Not yet accepted: the share button leads to the policy, which leads back.
    page.get_by_role("link", name="Read the policy to share").first.click()
    expect(page).to_have_url(f"{live_app}/policy/?next=/library/{item.pk}/share/")
    page.get_by_role("button", name="I have read and accept the policy").click()
    expect(page).to_have_url(f"{live_app}/library/{item.pk}/share/")

    # X, with her own words: the live check adds the disclosure.
    page.get_by_role("tab", name="X", exact=True).click()
    box = page.get_by_label("Your text for X", exact=True)
    expect(box).to_have_value("Northwind opens in Lisbon!")
    box.fill("")
    box.press_sequentially("Proud of our new Lisbon office", delay=5)
    panel = page.locator("#share-x")
    expect(panel.locator("[data-finding=added]")).to_contain_text("#employee")
    with page.context.expect_page() as popup:
        panel.get_by_role("button", name="Open X share page").click()
    popup.value.wait_for_load_state()
    expect(panel.locator("[data-share-result]")).to_contain_text("Recorded")

    share = Share.objects.select_related("link", "campaign").get(user=company["nina"])
    assert share.network == "x" and share.status == Share.Status.OPENED
    assert share.campaign == company["campaign"]
    assert share.link is not None
    intent = urlsplit(popup.value.url)
    assert (intent.scheme, intent.netloc, intent.path) == ("https", "twitter.com", "/intent/tweet")
    query = parse_qs(intent.query)
    assert query["text"] == ["Proud of our new Lisbon office #employee"]
    short_link = f"{live_app}/r/{share.link.code}"
    assert query["url"] == [short_link]
    assert opened == [popup.value.url]
    popup.value.close()

    # She watches the campaign while someone outside opens her link.
    page.goto("/campaigns/lisbon-launch/")
    expect(_goal(page, "shares")).to_have_text("1")
    expect(_goal(page, "unique_clicks")).to_have_text("0")

    # A reader on a phone opens the link; the article's host does not exist here, so
    # the browser's own request for it (after the redirect) is what is checked.
    reader = browser.new_context(
        user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)"
    )
    requested: list[str] = []
    try:
        reader_page = reader.new_page()
        reader_page.on("request", lambda request: requested.append(request.url))
        with contextlib.suppress(PlaywrightError):
            reader_page.goto(short_link)
    finally:
        reader.close()
    assert requested[0] == short_link
    destination = urlsplit(requested[1])
    assert f"{destination.scheme}://{destination.netloc}{destination.path}" == ARTICLE
    utm = parse_qs(destination.query)
    assert utm["utm_source"] == ["x"]
    assert utm["utm_medium"] == ["employee_advocacy"]
    assert utm["utm_campaign"] == ["lisbon-launch"]

    # The click reaches the campaign's progress without a reload…
    page.evaluate("window.notReloaded = true")
    expect(_goal(page, "unique_clicks")).to_have_text("1", timeout=20_000)
    assert page.evaluate("window.notReloaded") is True
    save_screenshot(page, "campaign-journey")

    # …and her own shares page.
    page.goto("/shares/")
    row = page.locator("tr", has_text="Our Lisbon office is open")
    expect(row).to_contain_text("X")
    assert Click.objects.filter(link=share.link, is_bot=False).count() == 1
    click = Click.objects.get(link=share.link)
    assert click.device_class == Click.Device.MOBILE
    cells = row.locator("td")
    texts = [text.strip() for text in cells.all_inner_texts()]
    assert "1" in texts
    save_screenshot(page, "my-shares")
