"""In a browser: an employee accepts the policy on the way to a share and comes back; an
administrator tries a text against the rules."""

from __future__ import annotations

import pytest

from conftest import save_screenshot, sign_in
from rallypoint.governance import selectors
from rallypoint.governance.seed import seed_governance
from rallypoint.notify.tests.test_browser import serious_violations
from rallypoint.people.models import User

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PASSWORD = "governance-browser-pw"


@pytest.fixture
def people(transactional_db) -> dict[str, User]:
    admin = User.objects.create_user(
        "ada@example.com", PASSWORD, display_name="Ada Admin", role=User.Role.ADMINISTRATOR
    )
    eli = User.objects.create_user("eli@example.com", PASSWORD, display_name="Eli Engineer")
    seed_governance(author=admin)
    return {"ada": admin, "eli": eli}


def test_accept_the_policy_and_return(page, people):
    from playwright.sync_api import expect

    sign_in(page, "eli@example.com", PASSWORD)
    page.goto("/policy/?next=/announcements/")
    expect(page.get_by_role("heading", name="Social media policy", level=2)).to_be_visible()
    expect(page.get_by_text("Before you share through Rallypoint")).to_be_visible()
    assert serious_violations(page) == []
    save_screenshot(page, "policy-accept")
    page.get_by_role("button", name="I have read and accept the policy").click()
    page.wait_for_url("**/announcements/")
    expect(page.get_by_text("you accepted the social media policy")).to_be_visible()
    assert selectors.policy_acknowledged(user=people["eli"])
    page.goto("/policy/")
    expect(page.locator("#policy-accepted")).to_contain_text("You accepted this version on")


def test_try_a_text_against_the_rules(page, people):
    from playwright.sync_api import expect

    sign_in(page, "ada@example.com", PASSWORD)
    page.goto("/policy/rules/")
    page.get_by_label("Text to check").fill("Write to jane@example.com, it is confidential")
    page.locator("#id_network").select_option("x")
    page.get_by_role("button", name="Check").click()
    result = page.locator(".compliance-result")
    expect(result).to_contain_text("never shared outside the company. (“confidential”)")
    expect(result).to_contain_text("Email address: “j•••@example.com”.")
    expect(result.locator(".badge.danger")).to_have_text("Blocked")
    assert serious_violations(page) == []
    save_screenshot(page, "policy-rules-try")
