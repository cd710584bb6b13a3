"""An employee watches a running campaign: the numbers move without reloading the page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import save_screenshot
from rallypoint.advocacy.tests.test_campaigns_progress import click, share
from rallypoint.advocacy.tests.test_campaigns_services import build_team, campaign, item
from rallypoint.notify.tests.test_browser import serious_violations, session_cookies

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_campaign_progress_updates_live(page, live_app, transactional_db):
    from playwright.sync_api import expect

    team = build_team()
    office = item("Our new Berlin office", why_share="Show candidates where they would work.")
    running = campaign(
        team,
        name="Engineering hiring",
        items=[office],
        goal_shares=4,
        goal_unique_clicks=10,
        goal_participants=3,
    )
    first = share(team["eli"], running, office)
    click(first, timezone.now() - datetime.timedelta(minutes=30), "A")
    page.context.add_cookies(session_cookies(team["eli"], live_app))
    page.goto(f"/campaigns/{running.slug}/")
    shares = page.locator('[data-goal="shares"]')
    expect(shares.locator('[data-part="value"]')).to_have_text("1")
    expect(shares.get_by_role("progressbar")).to_have_attribute("value", "1")
    expect(page.locator('[data-contribution="shares"]')).to_have_text("1")
    page.evaluate("window.notReloaded = true")
    assert serious_violations(page) == []

    # Emma shares and her link is clicked; Eli shares once more.
    second = share(team["emma"], running, office, network="x")
    click(second, timezone.now(), "B")
    share(team["eli"], running, office, network="bluesky")

    expect(shares.locator('[data-part="value"]')).to_have_text("3", timeout=20_000)
    expect(shares.locator('[data-part="percent"]')).to_have_text("75")
    expect(shares.get_by_role("progressbar")).to_have_attribute("value", "3")
    expect(page.locator('[data-goal="unique_clicks"] [data-part="value"]')).to_have_text("2")
    expect(page.locator('[data-goal="participants"] [data-part="value"]')).to_have_text("2")
    expect(page.locator('[data-contribution="shares"]')).to_have_text("2")
    assert page.evaluate("window.notReloaded") is True
    save_screenshot(page, "campaign-progress")
