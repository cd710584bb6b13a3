"""The feed in a real browser: post with Markdown, comment, react, and reads recorded."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from conftest import save_screenshot, sign_in, wait_for
from rallypoint.feed import services
from rallypoint.feed.models import Post, PostRead
from rallypoint.people.tests.test_directory import PASSWORD, Company, build_company
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space

pytestmark = pytest.mark.browser


@pytest.fixture
def company(transactional_db) -> Company:
    company = build_company()
    directory_spaces_reconcile()
    everyone = Space.objects.get(kind=Space.Kind.COMPANY)
    engineering = Space.objects.get(kind=Space.Kind.DEPARTMENT, name="Engineering")
    earlier = timezone.now() - datetime.timedelta(hours=3)
    welcome = services.post_create(
        author=company["cmo"],
        space=everyone,
        body="## Quarterly kick-off\n\nThank you all for a **record quarter**. "
        "The agenda for Friday:\n\n- Results and what we learned\n- Roadmap\n- Q&A",
    )
    Post.objects.filter(pk=welcome.pk).update(created_at=earlier)
    for key, emoji in (("cto", "tada"), ("em1", "tada"), ("dev2", "heart"), ("ae1", "thumbsup")):
        services.reaction_toggle(user=company[key], post=welcome, emoji=emoji)
    services.comment_create(author=company["cto"], post=welcome, body="Great work, everyone!")
    services.posts_mark_read(viewer=company["dev1"], post_ids=[welcome.pk])
    services.post_create(
        author=company["em1"],
        space=engineering,
        body="The new build cache cut CI times by *40 %*. Details in `docs/ci.md`.",
    )
    return company


def test_post_comment_and_react(page, company):
    sign_in(page, company["dev1"].email, PASSWORD)
    page.goto("/feed/")
    page.get_by_label("Write a post").fill(
        "Shipping the **new search** today 🚀\n\n- faster\n- [docs](https://example.com/docs)"
    )
    page.get_by_label("Space", exact=True).select_option(label="Engineering")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url("**/feed/")
    first = page.locator("article.post").first
    assert first.locator("strong").inner_text() == "new search"
    assert first.get_by_role("link", name="docs").get_attribute("href") == (
        "https://example.com/docs"
    )
    assert "Posted in Engineering." in page.locator(".messages").inner_text()
    assert page.get_by_role("separator").count() == 1  # the read divider
    save_screenshot(page, "feed")

    # The posts on screen are recorded as read after a second.
    newest = Post.objects.filter(author=company["dev1"]).get()
    wait_for(
        lambda: PostRead.objects.filter(post=newest, user=company["dev1"]).exists(),
        timeout=10,
        what="the post to be recorded as read",
    )

    first.get_by_role("link", name="0 comments").click()
    page.wait_for_url(re.compile(rf"/posts/{newest.pk}/#comments$"))
    page.get_by_label("Comment", exact=True).fill("Nice *work*!")
    page.get_by_role("button", name="Comment", exact=True).click()
    page.wait_for_url(re.compile(rf"/posts/{newest.pk}/#comment-\d+$"))
    assert page.locator(".comment-body em").inner_text() == "work"

    reactions = page.locator(f"#reactions-post-{newest.pk}")
    reactions.get_by_role("button", name="Celebrate").click()
    celebrate = page.locator(f"#reactions-post-{newest.pk}").get_by_role("button", name="Celebrate")
    celebrate.and_(page.locator("[aria-pressed=true]")).wait_for()
    assert celebrate.inner_text().strip().endswith("1")
    assert newest.reactions.filter(emoji="tada", user=company["dev1"]).exists()
    assert page.get_by_role("heading", name="Read by department").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    save_screenshot(page, "post")
