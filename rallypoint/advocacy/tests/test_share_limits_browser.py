"""share-limits.js in Chromium counts exactly as networks/limits.py does, and the item
form's counter turns red over the limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import save_screenshot, sign_in
from rallypoint.networks import limits

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "share-limits.js"
NETWORKS = ["x", "bluesky", "mastodon", "linkedin", "facebook", "instagram", "whatsapp"]

CORPUS = [
    "",
    "Hello, world!",
    "Read https://news.example/a/very/long/path?with=query&and=more#fragment now",
    "Two links: http://a.example and https://b.example/x.",
    "A bare domain rallypoint.example/path and example.org",
    "café naïve résumé — “quotes” … \u2018single\u2019",
    "Ελληνικά Кириллица עברית العربية हिन्दी",
    "日本語のテキストと中文和한국어",
    "👍🏽 thumbs 👨‍👩‍👧‍👦 family 🏳️‍🌈 flag 🇩🇪🇫🇷 flags",
    "#️⃣ keycap 1️⃣ and ❤️ heart ☀ sun",
    "e\u0301 combining and a\u0308\u0304 stacked",
    "zero\u200bwidth and\u200djoiner",
    "tabs\tand\nnew lines\r\nand\u00a0nbsp\u2003em\u3000ideographic",
    "under_score.example/x and x-y.example",
    "-dash.example/a after space and word-dash.example/b",
    "émoji.example/x Kelvin\u212a.example \u017ftrange.example",
    "url at end https://end.example/path",
    "ftp://not.a.link and mailto:a@b.example",
    "(https://paren.example/x) [https://bracket.example]",
    "x" * 300,
    "🙂" * 160,
    "漢" * 150,
    "Mixed 🙂 text with https://link.example and 漢字 and more words " * 6,
    "\u0600\u0601 arabic number signs \U0001f9d1\u200d\U0001f4bb technologist",
    "\U0001faf1\U0001f3fb\u200d\U0001faf2\U0001f3ff handshake",
]


@pytest.mark.browser
def test_javascript_counts_equal_the_server_counts(browser):
    page = browser.new_page()
    try:
        page.set_content("<!doctype html><html><body></body></html>")
        page.add_script_tag(content=SCRIPT.read_text())
        cases = [(network, text) for text in CORPUS for network in NETWORKS]
        counted = page.evaluate(
            "cases => cases.map(([n, t]) => window.RallypointShareLimits.textLength(n, t))",
            cases,
        )
        expected = [limits.text_length(network, text) for network, text in cases]
        wrong = [
            (network, text[:40], js, py)
            for (network, text), js, py in zip(cases, counted, expected, strict=True)
            if js != py
        ]
        assert wrong == []
        composed = page.evaluate(
            "cases => cases.map(([n, t, u]) => window.RallypointShareLimits.check(n, t, u))",
            [["x", "  Look \u2003", "https://news.example/p"], ["bluesky", "Look at it", ""]],
        )
        assert [c["length"] for c in composed] == [
            limits.check("x", "  Look \u2003", "https://news.example/p").length,
            limits.check("bluesky", "Look at it", "").length,
        ]
    finally:
        page.close()


@pytest.mark.browser
def test_the_item_form_counter_turns_red_over_the_limit(page):
    from rallypoint.people.models import User

    User.objects.create_user(
        "curator@example.com",
        "browser-pass-1234",
        display_name="Cleo Curator",
        role=User.Role.COMMUNICATIONS,
    )
    sign_in(page, "curator@example.com", "browser-pass-1234")
    page.goto("/library/new/")
    page.fill("#id_url", "https://news.example/a-rather-long-address-for-the-story")
    counter = page.locator('[data-share-counter-for="id_text_x"]')
    page.fill("#id_text_x", "a" * 256)
    assert counter.inner_text() == "280 / 280"
    assert "over" not in (counter.get_attribute("class") or "")
    page.fill("#id_text_x", "a" * 257)
    assert counter.inner_text() == "281 / 280"
    assert "over" in (counter.get_attribute("class") or "")
    page.fill("#id_text_bluesky", "🇩🇪" * 3)
    bluesky = page.locator('[data-share-counter-for="id_text_bluesky"]')
    expected = limits.check("bluesky", "🇩🇪" * 3, page.input_value("#id_url")).length
    assert bluesky.inner_text() == f"{expected} / 300"
    page.locator("#id_text_x").scroll_into_view_if_needed()
    save_screenshot(page, "content-library-item-form")


@pytest.mark.browser
def test_an_employee_rates_an_item_in_place(page):
    from rallypoint.advocacy import services
    from rallypoint.advocacy.models import ContentRating
    from rallypoint.people.models import User

    cora = User.objects.create_user(
        "cora@example.com", "browser-pass-1234", display_name="Cora", role=User.Role.COMMUNICATIONS
    )
    User.objects.create_user("eli@example.com", "browser-pass-1234", display_name="Eli Eng")
    item = services.item_create(
        actor=cora,
        data=services.ItemData(
            title="Our new solar roof",
            url="https://news.example/roof",
            site_name="Northwind News",
            description="Every building of the campus now makes its own power.",
            why_share="People ask us about our energy use.",
            topics=["Sustainability"],
            featured=True,
        ),
    )
    services.item_create(
        actor=cora,
        data=services.ItemData(
            title="Roadmap for next year", kind="text", description="Plans.", internal_only=True
        ),
    )
    sign_in(page, "eli@example.com", "browser-pass-1234")
    page.goto("/library/")
    card = page.locator(f"#item-{item.pk}")
    card.get_by_text("Not for me").first.click()
    card.get_by_placeholder("Why not? (optional)").fill("Not my field")
    card.get_by_role("button", name="Not for me").click()
    card.get_by_text("Not for you.").wait_for()
    rating = ContentRating.objects.get(item=item)
    assert (rating.verdict, rating.reason) == ("not_for_me", "Not my field")
    assert page.get_by_text("Internal only — not for sharing outside").is_visible()
    save_screenshot(page, "content-library")
