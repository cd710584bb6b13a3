"""Search in a real browser: the top bar's box, highlighted results, the space filter."""

from __future__ import annotations

import pytest

from conftest import save_screenshot, sign_in
from rallypoint.feed import services
from rallypoint.search.tests.conftest import PASSWORD, SearchWorld, build_search_world
from rallypoint.spaces.models import Space

pytestmark = pytest.mark.browser


@pytest.fixture
def bworld(transactional_db) -> SearchWorld:
    sworld = build_search_world()
    services.post_create(
        author=sworld["alice"],
        space=sworld.spaces[Space.Kind.OPEN],
        body="Zebra **migration** season starts Monday #wildlife — photos welcome",
    )
    return sworld


def test_search_from_the_top_bar_and_filter_by_space(page, bworld: SearchWorld) -> None:
    sign_in(page, bworld["alice"].email, PASSWORD)
    page.goto("/feed/")
    box = page.get_by_role("search").get_by_label("Search Rallypoint")
    box.fill("zebra")
    box.press("Enter")
    page.wait_for_url("**/search/?q=zebra")
    results = page.locator("li.search-hit")
    assert results.count() == 15
    assert page.locator("li.search-hit mark").first.inner_text().lower() == "zebra"
    assert "Posts 8" in page.locator(".search-tabs").inner_text()
    save_screenshot(page, "search")
    secret = bworld.spaces[Space.Kind.SECRET]
    page.locator("main").get_by_label("Space", exact=True).select_option(label=secret.name)
    page.locator("main").get_by_role("button", name="Search").click()
    page.wait_for_url(f"**space={secret.slug}**")
    assert page.locator("li.search-hit").count() == 2
    page.get_by_role("link", name="Comments 1").click()
    assert page.locator("li.search-hit").count() == 1
    page.locator("li.search-hit .search-snippet a").click()
    page.wait_for_url(f"**/posts/{bworld.posts[Space.Kind.SECRET].pk}/#comment-*")
