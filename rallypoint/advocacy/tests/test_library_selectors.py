"""Who sees which library item and campaign, decided at read time."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from rallypoint.advocacy import selectors, services
from rallypoint.advocacy.models import ContentItem, ContentRating, Share
from rallypoint.advocacy.tests.library_fixtures import Library, build_library


@pytest.fixture
def library(db) -> Library:
    return build_library()


def titles(viewer, **filters) -> set[str]:
    return {item.title for item in selectors.items_visible_to(viewer, **filters)}


def test_audience_by_department_and_location(library: Library):
    library.item("For everyone")
    library.item("For engineering", audience_everyone=False, departments=[library.eng])
    library.item("For remote people", audience_everyone=False, locations=[library.remote])
    assert titles(library["eli"]) == {"For everyone", "For engineering"}
    assert titles(library["sam"]) == {"For everyone", "For remote people"}
    assert titles(library["rita"]) == {"For everyone", "For remote people"}
    assert titles(library["ada"]) == {"For everyone"}


def test_moving_department_changes_what_one_sees_at_once(library: Library):
    library.item("For engineering", audience_everyone=False, departments=[library.eng])
    sam = library["sam"]
    assert titles(sam) == set()
    sam.department = library.eng
    sam.save()
    assert titles(sam) == {"For engineering"}


def test_publication_window(library: Library):
    now = timezone.now()
    library.item("Now")
    library.item("Later", starts_at=now + datetime.timedelta(hours=2))
    library.item("Over", expires_at=now - datetime.timedelta(minutes=1))
    library.item(
        "Running",
        starts_at=now - datetime.timedelta(days=1),
        expires_at=now + datetime.timedelta(days=1),
    )
    assert titles(library["eli"]) == {"Now", "Running"}


def test_inactive_and_anonymous_viewers_see_nothing(library: Library):
    from django.contrib.auth.models import AnonymousUser

    item = library.item("Now")
    assert titles(library["dora"]) == set()
    assert titles(AnonymousUser()) == set()
    with pytest.raises(Http404):
        selectors.item_for(library["dora"], item.pk)


def test_pending_item_is_seen_by_submitter_and_curators_only(library: Library):
    pending = services.item_submit(
        user=library["eli"], kind="story", title="Our hackathon", text="We built things."
    )
    assert pending.status == ContentItem.Status.PENDING
    assert titles(library["eli"]) == set()
    assert titles(library["cora"]) == set()
    own: Any = selectors.item_for(library["eli"], pending.pk)
    assert own.in_library is False
    assert selectors.item_for(library["cora"], pending.pk).pk == pending.pk
    assert selectors.item_for(library["nico"], pending.pk).pk == pending.pk
    for outsider in ("sam", "rita"):
        with pytest.raises(Http404):
            selectors.item_for(library[outsider], pending.pk)


def test_curators_see_items_outside_their_window_and_audience(library: Library):
    item = library.item(
        "Old", expires_at=timezone.now() - datetime.timedelta(days=1), audience_everyone=True
    )
    with pytest.raises(Http404):
        selectors.item_for(library["eli"], item.pk)
    seen: Any = selectors.item_for(library["nico"], item.pk)
    assert seen.in_library is False
    with pytest.raises(Http404):
        selectors.item_for_curator(library["eli"], item.pk)


def test_shared_marker_and_rating_are_the_viewers_own(library: Library):
    first, second, third = library.item("One"), library.item("Two"), library.item("Three")
    library.share("eli", first)
    library.share("eli", second, status=Share.Status.FAILED)
    library.share("sam", third)
    services.item_rate(user=library["eli"], item=second, verdict="not_for_me", reason="Too long")
    rows: dict[str, Any] = {i.title: i for i in selectors.items_visible_to(library["eli"])}
    assert rows["One"].shared_by_me is True
    assert rows["Two"].shared_by_me is False
    assert rows["Three"].shared_by_me is False
    assert rows["Two"].my_verdict == "not_for_me"
    assert rows["Two"].my_reason == "Too long"
    assert rows["One"].my_verdict is None


def test_filters(library: Library):
    now = timezone.now()
    library.item("AI story", topics=["AI", "Research"], featured=True)
    old = library.item("Older news", topics=["Research"], description="quarterly numbers")
    ContentItem.objects.filter(pk=old.pk).update(published_at=now - datetime.timedelta(days=30))
    campaign = library.campaign()
    in_campaign = library.item("Campaign piece")
    campaign.items.add(in_campaign)
    eli = library["eli"]
    assert titles(eli, topic="ai") == {"AI story"}
    assert titles(eli, topic="research") == {"AI story", "Older news"}
    assert titles(eli, featured=True) == {"AI story"}
    assert titles(eli, campaign=campaign) == {"Campaign piece"}
    assert "Older news" not in titles(eli, new_since=selectors.new_since_default())
    assert titles(eli, search="quarterly") == {"Older news"}
    assert [t.slug for t in selectors.topics_for(eli)] == ["ai", "research"]
    chips: Any = next(i for i in selectors.items_visible_to(eli) if i.pk == in_campaign.pk)
    assert [c.slug for c in chips.my_campaigns] == ["spring-launch"]


def test_campaigns_by_audience_and_dates(library: Library):
    now = timezone.now()
    library.campaign("Everyone now")
    library.campaign("Sales only", audience_everyone=False).departments.add(library.sales)
    library.campaign(
        "Next month",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=40),
    )
    library.campaign(
        "Last year",
        starts_at=now - datetime.timedelta(days=400),
        ends_at=now - datetime.timedelta(days=300),
    )

    def names(viewer, **kw) -> set[str]:
        return {c.name for c in selectors.campaigns_visible_to(viewer, **kw)}

    assert names(library["eli"]) == {"Everyone now"}
    assert names(library["sam"]) == {"Everyone now", "Sales only"}
    assert names(library["eli"], include_upcoming=True, include_ended=True) == {
        "Everyone now",
        "Next month",
        "Last year",
    }
    assert names(library["dora"]) == set()


def test_curator_items_summarise_ratings_and_shares(library: Library):
    item = library.item("Rated")
    other = library.item("Quiet")
    services.item_rate(user=library["eli"], item=item, verdict="would_share")
    services.item_rate(user=library["sam"], item=item, verdict="not_for_me", reason="Not my field")
    services.item_rate(user=library["rita"], item=item, verdict="not_for_me")
    library.share("eli", item)
    library.share("sam", item, status=Share.Status.OPENED)
    library.share("rita", item, status=Share.Status.CANCELLED)
    rows: dict[str, Any] = {
        i.title: i for i in selectors.curator_items(library["nico"], status="published")
    }
    assert (rows["Rated"].would_share, rows["Rated"].not_for_me) == (1, 2)
    assert rows["Rated"].share_count == 2
    assert [r.reason for r in rows["Rated"].reasons] == ["Not my field"]
    assert (rows["Quiet"].would_share, rows["Quiet"].share_count) == (0, 0)
    assert other.pk in {i.pk for i in rows.values()}
    assert list(selectors.curator_items(library["eli"])) == []
    assert ContentRating.objects.count() == 3


def test_curators_are_comms_roles_and_named_people(library: Library):
    assert selectors.is_curator(library["cora"])
    assert selectors.is_curator(library["ada"])
    assert selectors.is_curator(library["nico"])
    assert not selectors.is_curator(library["eli"])
    assert set(selectors.curator_people().values_list("email", flat=True)) == {
        "cora@example.com",
        "ada@example.com",
        "nico@example.com",
    }
