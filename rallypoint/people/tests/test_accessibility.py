"""Accessibility of the sign-in and people pages: axe-core, keyboard, colour schemes."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import sign_in
from rallypoint.people.models import User
from rallypoint.people.tests.test_directory import PASSWORD, Company, build_company

pytestmark = pytest.mark.browser

AXE = Axe()
BLOCKING = {"serious", "critical"}


@pytest.fixture
def company(transactional_db) -> Company:
    company = build_company()
    User.objects.filter(pk=company["em1"].pk).update(
        pronouns="she/her",
        bio="Platform lead.",
        linkedin="https://www.linkedin.com/in/priya-natarajan",
        x_handle="@priya",
        birthday_month=9,
        birthday_day=12,
        birthday_visible=True,
    )
    return company


def blocking_violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_sign_in_page_has_no_serious_violations(page, company, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto("/accounts/login/")
    assert blocking_violations(page) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_people_pages_have_no_serious_violations(page, company, scheme):
    page.emulate_media(color_scheme=scheme)
    sign_in(page, company["dev1"].email, PASSWORD)
    found = {}
    for path in (
        "/",
        "/people/",
        "/people/?q=engineer&department=engineering",
        f"/people/{company['em1'].pk}/",
        f"/people/org-chart/?person={company['em1'].pk}",
        "/me/edit/",
    ):
        page.goto(path)
        violations = blocking_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def test_admin_view_of_a_profile_has_no_serious_violations(page, company):
    sign_in(page, company["ceo"].email, PASSWORD)
    for path in (f"/people/{company['em1'].pk}/", f"/me/edit/?person={company['em1'].pk}"):
        page.goto(path)
        assert blocking_violations(page) == [], path


def test_skip_link_is_first_visible_on_focus_and_moves_to_content(page, company):
    sign_in(page, company["dev1"].email, PASSWORD)
    page.goto("/people/")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "({text: document.activeElement.textContent.trim(),"
        " top: document.activeElement.getBoundingClientRect().top,"
        " outline: getComputedStyle(document.activeElement).outlineStyle})"
    )
    assert focused["text"] == "Skip to content"
    assert focused["top"] >= 0  # on screen once focused
    assert focused["outline"] != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The next Tab lands inside the content: the search box, not the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_q"


def test_directory_is_usable_with_the_keyboard_alone(page, company):
    sign_in(page, company["dev1"].email, PASSWORD)
    page.goto("/people/")
    page.get_by_label("Search", exact=True).focus()
    page.keyboard.type("natarajan")
    page.wait_for_function("document.querySelectorAll('.people-grid .person-name').length === 1")
    # Tab through the filters and the button to the first result, then open it.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('person-card-link')"):
            break
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/people/{company['em1'].pk}/")


def test_every_form_field_on_the_edit_page_has_a_label(page, company):
    sign_in(page, company["ceo"].email, PASSWORD)
    page.goto(f"/me/edit/?person={company['em1'].pk}")
    fields = "form.profile-form :is(input:not([type=hidden]), select, textarea)"
    names = page.evaluate(f"[...document.querySelectorAll('{fields}')].map(el => el.name)")
    unlabelled = page.evaluate(
        f"[...document.querySelectorAll('{fields}')]"
        ".filter(el => !el.labels || el.labels.length === 0).map(el => el.name)"
    )
    assert "manager" in names
    assert "avatar" in names
    assert unlabelled == []
