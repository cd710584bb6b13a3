"""The library's pages: browsing, filters, rating, curating, 404s and query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rallypoint.advocacy import services
from rallypoint.advocacy.models import ContentItem, ContentRating, Curator
from rallypoint.advocacy.tests.library_fixtures import Library, build_library


@pytest.fixture
def library(db) -> Library:
    return build_library()


def text(response) -> str:
    return response.content.decode()


def test_cards_show_what_an_employee_needs(client, library: Library):
    shared = library.item(
        "Shared one",
        topics=["Sustainability"],
        featured=True,
        why_share="Customers ask about it.",
        site_name="Northwind News",
    )
    internal = library.item(
        "Secret roadmap", internal_only=True, url="", kind="text", description="Plan"
    )
    library.item("Sales only", audience_everyone=False, departments=[library.sales])
    campaign = library.campaign("Green week")
    campaign.items.add(shared)
    library.share("eli", shared)
    client.force_login(library["eli"])
    page = text(client.get(reverse("advocacy_library")))
    assert "Shared one" in page and "Secret roadmap" in page and "Sales only" not in page
    assert "You shared this" in page
    assert "Featured" in page and "Customers ask about it." in page and "Northwind News" in page
    assert "Sustainability" in page and "Green week" in page
    assert "Internal only — not for sharing outside" in page
    assert page.count('class="button" href="/library/') == 1
    assert f'class="button" href="/library/{shared.pk}/share/"' in page
    assert f"/library/{internal.pk}/share/" not in page


def test_filters_on_the_page(client, library: Library):
    library.item("AI piece", topics=["AI"])
    library.item("Featured piece", featured=True)
    campaign = library.campaign("Launch")
    campaign.items.add(library.item("Launch piece"))
    client.force_login(library["sam"])
    url = reverse("advocacy_library")
    assert "Featured piece" not in text(client.get(url, {"topic": "ai"}))
    assert "AI piece" not in text(client.get(url, {"featured": "1"}))
    only = text(client.get(url, {"campaign": "launch"}))
    assert "Launch piece" in only and "AI piece" not in only
    assert "AI piece" in text(client.get(url, {"new": "1"}))
    assert "AI piece" in text(client.get(url, {"campaign": "no-such", "page": "x"}))


def test_rating_with_htmx_and_without(client, library: Library):
    item = library.item("Rate me")
    client.force_login(library["eli"])
    url = reverse("advocacy_item_rate", args=[item.pk])
    answer = client.post(
        url, {"verdict": "not_for_me", "reason": "Not my audience"}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    assert "Not for you." in text(answer) and 'value="Not my audience"' in text(answer)
    assert ContentRating.objects.get(item=item).reason == "Not my audience"
    assert client.post(url, {"verdict": "would_share"}).status_code == 302
    assert ContentRating.objects.get(item=item).verdict == "would_share"
    bad = client.post(url, {"verdict": "meh"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "errorlist" in text(bad)


def test_what_one_may_not_see_answers_404(client, library: Library):
    sales = library.item("Sales only", audience_everyone=False, departments=[library.sales])
    pending = services.item_submit(user=library["sam"], kind="story", title="Mine", text="t")
    client.force_login(library["eli"])
    for name, args in [
        ("advocacy_item", [sales.pk]),
        ("advocacy_item", [pending.pk]),
        ("advocacy_item", [999999]),
        ("advocacy_item_edit", [sales.pk]),
        ("advocacy_manage", []),
        ("advocacy_item_new", []),
        ("advocacy_review", []),
        ("advocacy_curators", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    assert client.post(reverse("advocacy_item_rate", args=[sales.pk])).status_code == 404
    assert client.post(reverse("advocacy_item_archive", args=[sales.pk])).status_code == 404
    assert client.post(reverse("advocacy_item_approve", args=[pending.pk])).status_code == 404
    client.force_login(library["sam"])
    assert "Mine" in text(client.get(reverse("advocacy_item", args=[pending.pk])))
    assert client.post(reverse("advocacy_item_rate", args=[pending.pk])).status_code == 404


def test_curator_creates_an_item_and_sees_per_network_errors(client, library: Library):
    client.force_login(library["nico"])
    form = text(client.get(reverse("advocacy_item_new")))
    for network in ("linkedin", "x", "facebook", "mastodon", "bluesky"):
        assert f'data-share-network="{network}"' in form
    assert "js/share-limits.js" in form and "Fetch details" in form
    data = {
        "kind": "link",
        "url": "https://news.example/roof",
        "title": "Solar roof",
        "topics": "Energy, Buildings",
        "audience_everyone": "on",
        "text_x": "x" * 270,
        "text_bluesky": "Our roof ☀️",
    }
    refused = client.post(reverse("advocacy_item_new"), data)
    assert refused.status_code == 200
    assert "Too long for X: 294 / 280, 14 over" in text(refused)
    assert not ContentItem.objects.exists()
    data["text_x"] = "Our new solar roof"
    created = client.post(reverse("advocacy_item_new"), data)
    item = ContentItem.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/library/{item.pk}/"
    assert item.suggested_texts == {"x": "Our new solar roof", "bluesky": "Our roof ☀️"}
    assert sorted(t.name for t in item.topics.all()) == ["Buildings", "Energy"]
    edit = text(client.get(reverse("advocacy_item_edit", args=[item.pk])))
    assert "Our new solar roof" in edit and 'value="Buildings, Energy"' in edit
    client.post(reverse("advocacy_item_archive", args=[item.pk]), {"next": "manage"})
    item.refresh_from_db()
    assert item.status == ContentItem.Status.ARCHIVED


def test_manage_shows_rating_summaries(client, library: Library):
    item = library.item("Popular")
    for key in ("eli", "sam"):
        services.item_rate(user=library[key], item=item, verdict="would_share")
    services.item_rate(user=library["rita"], item=item, verdict="not_for_me", reason="Too salesy")
    client.force_login(library["cora"])
    page = text(client.get(reverse("advocacy_manage")))
    assert "would share 2 · not for me 1" in page and "Too salesy" in page
    assert "Curators" in page
    client.force_login(library["nico"])
    assert 'href="/library/manage/curators/"' not in text(client.get(reverse("advocacy_manage")))


def test_curators_page_names_and_removes(client, library: Library):
    client.force_login(library["cora"])
    url = reverse("advocacy_curators")
    assert "Nico Named" in text(client.get(url))
    unknown = client.post(url, {"email": "nobody@example.com"})
    assert "Nobody has this email address." in text(unknown)
    assert client.post(url, {"email": "SAM@example.com"}).status_code == 302
    assert Curator.objects.filter(user=library["sam"]).exists()
    client.post(reverse("advocacy_curator_remove", args=[library["sam"].pk]))
    assert not Curator.objects.filter(user=library["sam"]).exists()


def _fill(library: Library, count: int) -> None:
    campaign = library.campaign(f"Campaign {count}")
    for n in range(count):
        item = library.item(f"Item {n}", topics=[f"Topic {n % 3}", "Shared"], why_share="Why")
        campaign.items.add(item)
        library.share("eli", item)
        services.item_rate(user=library["eli"], item=item, verdict="not_for_me", reason=f"r{n}")
        services.item_rate(user=library["sam"], item=item, verdict="would_share")


@pytest.mark.parametrize("count", [2, 12])
def test_library_page_queries_do_not_grow_with_items(
    client, library: Library, count, django_assert_max_num_queries
):
    _fill(library, count)
    client.force_login(library["eli"])
    client.get(reverse("advocacy_library"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("advocacy_library"))
    assert text(page).count('class="card library-card') == count


@pytest.mark.parametrize("count", [2, 12])
def test_manage_page_queries_do_not_grow_with_items(
    client, library: Library, count, django_assert_max_num_queries
):
    _fill(library, count)
    client.force_login(library["cora"])
    client.get(reverse("advocacy_manage"))
    with django_assert_max_num_queries(8):
        page = client.get(reverse("advocacy_manage"))
    assert text(page).count('id="manage-') == count
