"""Two people in two browsers: Ana mentions Ben in a post, comments and reacts; Ben sees
each of these arrive without reloading his pages."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from conftest import save_screenshot, sign_in
from rallypoint.feed import services
from rallypoint.feed.models import Post
from rallypoint.notify.tests.test_browser import serious_violations
from rallypoint.people.models import Department, User
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

PASSWORD = "live-feed-browser-pw"


@pytest.fixture
def people(transactional_db) -> dict[str, User]:
    launch = Department.objects.create(name="Launch", slug="launch")
    people = {
        key: User.objects.create_user(
            f"{key}@example.com", PASSWORD, display_name=name, job_title=title, department=launch
        )
        for key, name, title in (
            ("ana", "Ana Lopez", "Product lead"),
            ("ben", "Ben Okafor", "Engineer"),
            ("bea", "Bea Marsh", "Designer"),
        )
    }
    directory_spaces_reconcile()
    space = Space.objects.get(kind=Space.Kind.DEPARTMENT, name="Launch")
    services.post_create(author=people["bea"], space=space, body="Welcome to the *Launch* space")
    return people


def test_mention_comment_and_reaction_arrive_live(browser, live_app, page, people, tmp_path):
    from playwright.sync_api import expect

    picture = tmp_path / "checklist.png"
    Image.new("RGB", (480, 240), (40, 110, 200)).save(picture, "PNG")

    ana_page = page
    ben_context = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 860})
    ben_context.set_default_timeout(10_000)
    ben_page = ben_context.new_page()
    try:
        sign_in(ben_page, "ben@example.com", PASSWORD)
        ben_page.goto("/feed/")
        expect(ben_page.locator("#live-status")).to_have_attribute("data-state", "open")
        expect(ben_page.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()
        ben_page.evaluate("window.notReloaded = true")

        # Ana writes a post and picks Ben from the suggestions with the keyboard.
        sign_in(ana_page, "ana@example.com", PASSWORD)
        ana_page.goto("/feed/")
        box = ana_page.get_by_label("Write a post")
        box.click()
        box.press_sequentially("Launch checklist is ready, @be", delay=20)
        listbox = ana_page.get_by_role("listbox")
        expect(listbox.get_by_role("option")).to_have_count(2)  # Ben and Bea
        expect(box).to_have_attribute("aria-controls", re.compile("-mentions$"))
        expect(box).to_have_attribute("aria-activedescendant", re.compile("-mentions-0$"))
        expect(listbox.get_by_role("option", selected=True)).to_contain_text("Bea Marsh")
        assert serious_violations(ana_page) == []
        box.press("ArrowUp")  # wraps round to the last one: Ben
        expect(listbox.get_by_role("option", selected=True)).to_contain_text("Ben Okafor")
        box.press("Enter")
        ben_id = people["ben"].pk
        expect(box).to_have_value(f"Launch checklist is ready, @[Ben Okafor]({ben_id}) ")
        box.press_sequentially("please review #launch")
        ana_page.get_by_label("Space", exact=True).select_option(label="Launch")
        ana_page.get_by_label("Images and files").set_input_files(str(picture))
        ana_page.get_by_role("button", name="Publish", exact=True).click()
        ana_page.wait_for_url("**/feed/")
        post = Post.objects.get(author=people["ana"])
        assert [a.name for a in post.attachments.all()] == ["checklist.png"]

        # Ben hears of it without reloading: the bell and the "new posts" prompt.
        expect(ben_page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
        prompt = ben_page.get_by_role("button", name="1 new post: show it")
        expect(prompt).to_be_visible()
        assert serious_violations(ben_page) == []
        prompt.click()
        card = ben_page.locator(f"#post-{post.pk}")
        expect(card).to_be_visible()
        expect(card.get_by_role("link", name="@Ben Okafor")).to_have_attribute(
            "href", f"/people/{ben_id}/"
        )
        expect(card.get_by_role("link", name="#launch")).to_have_attribute(
            "href", "/search/?q=%23launch"
        )
        expect(prompt).to_be_hidden()
        assert ben_page.locator("ol.posts article.post").first.get_attribute("id") == (
            f"post-{post.pk}"
        )
        assert ben_page.evaluate("window.notReloaded") is True

        # The notification links to the post.
        ben_page.goto("/notifications/")
        ben_page.get_by_role("link", name=re.compile("mentioned you in")).click()
        ben_page.wait_for_url(f"**/posts/{post.pk}/")
        expect(ben_page.locator("#live-status")).to_have_attribute("data-state", "open")
        # The picture Ana attached is shown to Ben (the file comes from private storage).
        image = ben_page.locator(f"#post-{post.pk} .attachment-images img")
        expect(image).to_have_count(1)
        image.scroll_into_view_if_needed()
        ben_page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        assert image.evaluate("img => img.naturalWidth") == 480
        save_screenshot(ben_page, "post-with-image")
        ben_page.evaluate("window.notReloaded = true")

        # Ana comments and reacts on her post's page; Ben's open page follows.
        ana_page.goto(f"/posts/{post.pk}/")
        ana_page.get_by_label("Comment", exact=True).fill("Added the *rollback* plan too")
        ana_page.get_by_role("button", name="Comment", exact=True).click()
        ana_page.wait_for_url(re.compile(rf"/posts/{post.pk}/#comment-\d+$"))
        comment = ben_page.locator("#comments .comment").first
        expect(comment.locator(".comment-body em")).to_have_text("rollback")
        expect(ben_page.locator("#comments-heading .count")).to_have_text("1")
        ana_page.locator(f"#reactions-post-{post.pk}").get_by_role("button", name="Love").click()
        heart = ben_page.locator(f"#reactions-post-{post.pk}").get_by_role("button", name="Love")
        expect(heart.locator(".reaction-count")).to_have_text("1")
        expect(heart).to_have_attribute("aria-pressed", "false")  # Ben's own state is kept
        assert ben_page.evaluate("window.notReloaded") is True
        save_screenshot(ben_page, "feed-live")
    finally:
        ben_context.close()
