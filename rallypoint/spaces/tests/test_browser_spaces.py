"""Spaces in a real browser: ask to join a private group, a moderator approves."""

from __future__ import annotations

import re

import pytest

from conftest import save_screenshot, sign_in
from rallypoint.people.tests.test_directory import PASSWORD, Company, build_company
from rallypoint.spaces import services
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space, SpaceMembership

pytestmark = pytest.mark.browser


@pytest.fixture
def company(transactional_db) -> Company:
    company = build_company()
    directory_spaces_reconcile()
    running = services.space_create(
        actor=company["dev2"],
        kind="open",
        name="Running club",
        description="Lunchtime runs along the Spree and a team for the Berlin half marathon.",
    )
    for key in ("dev1", "mkt1", "ae3", "fin"):
        services.space_join(actor=company[key], space=running)
    circle = services.space_create(
        actor=company["cto"],
        kind="private",
        name="Managers' circle",
        description="For people managers: hiring, feedback, and hard conversations.",
    )
    for key in ("em1", "em2", "vps"):
        SpaceMembership.objects.create(space=circle, user=company[key])
    services.space_create(
        actor=company["cmo"],
        kind="secret",
        name="Project Falcon (M&A)",
        description="Confidential.",
    )
    return company


def test_ask_to_join_a_private_group_and_a_moderator_approves(page, browser, live_app, company):
    sign_in(page, company["dev3"].email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Spaces").click()
    page.wait_for_url(re.compile(r"/spaces/$"))
    mine = page.get_by_role("region", name=re.compile("My spaces"))
    assert mine.get_by_role("link", name="Engineering").is_visible()
    discover = page.get_by_role("region", name=re.compile("Discover"))
    assert discover.get_by_role("link", name="Managers' circle").is_visible()
    assert "Project Falcon" not in page.content()
    save_screenshot(page, "spaces")

    discover.get_by_role("link", name="Managers' circle").click()
    assert page.get_by_text("Only members see who is in this group.").is_visible()
    page.get_by_role("button", name="Ask to join").click()
    assert page.get_by_text("Your request was sent to the moderators").is_visible()
    assert page.get_by_text("Request sent: waiting for a moderator").is_visible()

    moderator = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 860})
    try:
        other = moderator.new_page()
        other.set_default_timeout(10_000)
        sign_in(other, company["cto"].email, PASSWORD)
        slug = Space.objects.get(name="Managers' circle").slug
        other.goto(f"/spaces/{slug}/")
        other.get_by_role("link", name="1 request to join").click()
        requests = other.get_by_role("region", name=re.compile("Requests to join"))
        requests.get_by_role("button", name="Approve Oliver Brooks").click()
        assert other.get_by_text("Oliver Brooks is now a member.").is_visible()
        other.goto(f"/spaces/{slug}/")
        assert other.get_by_role("link", name="Oliver Brooks").is_visible()
        save_screenshot(other, "space")
    finally:
        moderator.close()

    page.reload()
    assert page.get_by_role("button", name="Leave group").is_visible()
    assert page.get_by_role("link", name="Priya Natarajan").is_visible()
    assert SpaceMembership.objects.filter(space__slug=slug, user=company["dev3"]).exists()
