"""People pages in a real browser against a real server: sign in, search, profiles, edit."""

from __future__ import annotations

import re

import pytest
from PIL import Image, ImageDraw

from conftest import save_screenshot, sign_in
from rallypoint.people.models import User
from rallypoint.people.tests.test_directory import PASSWORD, Company, build_company

pytestmark = pytest.mark.browser


@pytest.fixture
def company(transactional_db) -> Company:
    company = build_company()
    User.objects.filter(pk=company["em1"].pk).update(
        pronouns="she/her",
        bio=(
            "I lead the Platform team: the services, queues and databases every other team "
            "builds on. Ask me about on-call, Postgres, or mentoring."
        ),
        linkedin="https://www.linkedin.com/in/priya-natarajan",
        mastodon="@priya@hachyderm.io",
        bluesky="priya.bsky.social",
        birthday_month=9,
        birthday_day=12,
        birthday_visible=True,
    )
    return company


def portrait(path, *, colour: tuple[int, int, int]) -> str:
    """A small, obviously generated portrait: a head and shoulders on a coloured ground."""
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((250, 90, 390, 230), fill=(246, 214, 180))
    draw.ellipse((180, 250, 460, 560), fill=(35, 55, 110))
    image.save(path, format="PNG")
    return str(path)


def test_sign_in_and_see_home(page, company):
    page.goto("/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email").fill(company["dev1"].email)
    save_screenshot(page, "signin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    heading = page.get_by_role("heading", level=1)
    assert re.search(r"Good (morning|afternoon|evening), Chen", heading.inner_text())
    assert page.get_by_role("link", name="Priya Natarajan").first.is_visible()
    assert page.get_by_text("Ravi Menon").first.is_visible()  # a new joiner
    save_screenshot(page, "home")


def test_search_the_directory_live(page, company):
    sign_in(page, company["dev1"].email, PASSWORD)
    page.goto("/people/")
    cards = page.locator(".people-grid .person-name")
    assert cards.count() == 20
    save_screenshot(page, "directory")

    search = page.get_by_label("Search", exact=True)
    search.press_sequentially("engineering man", delay=30)
    page.wait_for_function("document.querySelectorAll('.people-grid .person-name').length === 2")
    assert sorted(cards.all_inner_texts()) == ["Jonas Becker", "Priya Natarajan"]
    assert page.get_by_role("status").filter(has_text="2 people match").is_visible()
    page.wait_for_url(re.compile(r"q=engineering(\+|%20)man"))

    search.fill("")
    page.get_by_label("Location").select_option(label="Toronto")
    page.wait_for_function("document.querySelectorAll('.people-grid .person-name').length === 5")
    assert "location=toronto" in page.url
    # The filtered page loads the same way without JavaScript's help.
    page.reload()
    assert cards.count() == 5


def test_directory_works_without_javascript(browser, live_app, company):
    context = browser.new_context(base_url=live_app, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, company["dev1"].email, PASSWORD)
        page.goto("/people/")
        page.get_by_label("Search", exact=True).fill("lisbon")
        page.get_by_label("Department").select_option(label="Marketing")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"department=marketing"))
        names = page.locator(".people-grid .person-name").all_inner_texts()
        assert names == []  # "lisbon" is a location, not a name, title or department
        page.get_by_label("Search", exact=True).fill("")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(re.compile(r"q=&"))
        names = page.locator(".people-grid .person-name").all_inner_texts()
        assert sorted(names) == ["Grace Kim", "Hannah Müller", "Sofia Almeida", "Tomás Silva"]
    finally:
        context.close()


def test_open_a_profile_and_walk_the_org_chart(page, company):
    sign_in(page, company["dev1"].email, PASSWORD)
    page.goto("/people/")
    page.get_by_role("link", name=re.compile("Priya Natarajan")).click()
    page.wait_for_url(f"**/people/{company['em1'].pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Priya Natarajan")
    assert page.get_by_text("September 12").is_visible()
    mastodon = page.get_by_role("link", name=re.compile("@priya@hachyderm.io"))
    assert mastodon.get_attribute("href") == "https://hachyderm.io/@priya"
    assert "noopener" in (mastodon.get_attribute("rel") or "")
    save_screenshot(page, "profile")

    page.get_by_role("link", name="Org chart", exact=True).last.click()
    page.wait_for_url(re.compile(rf"/people/org-chart/\?person={company['em1'].pk}$"))
    chain = page.locator(".org-chain .org-node-name")
    assert chain.all_inner_texts() == ["Amara Okafor", "Lukas Schneider", "Priya Natarajan"]
    assert page.locator(".org-reports .org-node-name").count() == 4
    save_screenshot(page, "org-chart")

    # Walk up to the top of the company.
    page.get_by_role("link", name=re.compile(r"Show 5 reports \(Amara Okafor\)")).click()
    page.wait_for_url(re.compile(rf"person={company['ceo'].pk}$"))
    assert page.get_by_text("this is the top of the reporting line").is_visible()
    assert page.locator(".org-reports .org-node-name").count() == 5


def test_edit_my_profile_with_an_avatar(page, company, tmp_path):
    sign_in(page, company["dev2"].email, PASSWORD)
    page.goto("/")
    page.locator(".usermenu summary").click()
    page.get_by_role("link", name="Edit profile").click()
    page.wait_for_url("**/me/edit/")
    page.get_by_label("Pronouns").fill("she/her")
    page.get_by_label("Short bio").fill("Backend engineer on Platform. Queues, retries, coffee.")
    page.get_by_label("Birthday month").select_option(label="July")
    page.get_by_label("Birthday day").select_option("21")
    page.get_by_label("Show my birthday to colleagues").check()
    page.get_by_label("Mastodon").fill("fatima@hachyderm.io")
    page.get_by_label("Photo").set_input_files(portrait(tmp_path / "me.png", colour=(70, 140, 120)))
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, "profile-edit")
    page.get_by_role("button", name="Save profile").click()

    page.wait_for_url(f"**/people/{company['dev2'].pk}/")
    assert page.get_by_text("Your profile is saved.").is_visible()
    avatar = page.locator(".profile-header img.avatar")
    assert re.search(r"/media/avatars/\d{4}/\d{2}/[0-9a-f]{20}\.jpg$", avatar.get_attribute("src"))
    page.wait_for_function(
        "document.querySelector('.profile-header img.avatar').naturalWidth === 480"
    )
    assert page.get_by_text("July 21").is_visible()
    assert page.get_by_role("link", name="@fatima@hachyderm.io").is_visible()
    # And colleagues see it too.
    stored = User.objects.get(pk=company["dev2"].pk)
    assert stored.avatar.name.endswith(".jpg")


def test_a_bad_avatar_gets_a_clear_error(page, company, tmp_path):
    sign_in(page, company["dev2"].email, PASSWORD)
    page.goto("/me/edit/")
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"this is not a picture")
    page.get_by_label("Photo").set_input_files(str(fake))
    page.get_by_role("button", name="Save profile").click()
    assert page.get_by_text("This file is not a picture we can read.").is_visible()
    assert not User.objects.get(pk=company["dev2"].pk).avatar


def test_pages_fit_a_phone_screen(browser, live_app, company):
    context = browser.new_context(
        base_url=live_app, viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    try:
        page = context.new_page()
        sign_in(page, company["em1"].email, PASSWORD)
        for path in (
            "/",
            "/people/",
            f"/people/{company['em1'].pk}/",
            "/people/org-chart/",
            "/me/edit/",
        ):
            page.goto(path)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            wide = page.evaluate(
                """[...document.querySelectorAll('body *')]
                  .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' +
                    Math.round(e.getBoundingClientRect().right))"""
            )
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px: {wide}"
        page.goto("/people/")
        save_screenshot(page, "directory-phone")
    finally:
        context.close()
