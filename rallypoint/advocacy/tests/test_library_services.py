"""Curators' writes to the library: validation, per-network limits, topics, archive,
ratings and naming curators."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rallypoint.advocacy import selectors, services
from rallypoint.advocacy.models import ContentItem, ContentRating, Curator, Topic
from rallypoint.advocacy.services import ItemData
from rallypoint.advocacy.tests.library_fixtures import Library, build_library
from rallypoint.core.models import AuditEntry


@pytest.fixture
def library(db) -> Library:
    return build_library()


URL = "https://news.example/plant"


def errors_of(raised: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return raised.value.message_dict


def test_item_create_stores_everything_and_audits(library: Library):
    item = services.item_create(
        actor=library["cora"],
        data=ItemData(
            title="  Our   new plant ",
            url=URL,
            description="Solar roof.",
            topics=["Sustainability", "sustainability", "Plants"],
            audience_everyone=False,
            departments=[library.eng],
            featured=True,
            why_share="It shows what we build.",
            suggested_texts={
                "x": "We opened a plant!",
                "linkedin": "Proud of the team.",
                "bluesky": " ",
            },
            internal_only=True,
        ),
    )
    item.refresh_from_db()
    assert item.title == "Our new plant"
    assert item.status == ContentItem.Status.PUBLISHED and item.published_at is not None
    assert item.suggested_texts == {"x": "We opened a plant!", "linkedin": "Proud of the team."}
    assert sorted(t.slug for t in item.topics.all()) == ["plants", "sustainability"]
    assert Topic.objects.count() == 2
    assert list(item.departments.all()) == [library.eng]
    assert item.internal_only and item.featured and item.created_by == library["cora"]
    assert AuditEntry.objects.filter(
        action="advocacy.item_created", target_id=str(item.pk)
    ).exists()


def test_suggested_texts_over_the_limit_give_a_per_network_reason(library: Library):
    # 260 letters plus the link (23 on X) is 284 on X, fine on Bluesky (link in full)
    # only when short enough, fine on LinkedIn.
    text = "a" * 260
    with pytest.raises(ValidationError) as raised:
        services.item_create(
            actor=library["cora"],
            data=ItemData(
                title="Long",
                url=URL,
                suggested_texts={"x": text, "linkedin": text, "mastodon": "é" * 501},
            ),
        )
    errors = errors_of(raised)
    assert set(errors) == {"text_x", "text_mastodon"}
    assert "284 / 280" in errors["text_x"][0] and "4 over" in errors["text_x"][0]
    assert "Mastodon" in errors["text_mastodon"][0]
    assert not ContentItem.objects.exists()


def test_x_counts_a_link_as_23_whatever_its_length(library: Library):
    long_url = "https://news.example/" + "p" * 200
    item = library.item("Fits", url=long_url, suggested_texts={"x": "b" * 256})
    assert item.suggested_texts["x"] == "b" * 256


def test_emoji_and_cjk_weigh_two_on_x(library: Library):
    with pytest.raises(ValidationError) as raised:
        library.item("CJK", url="", kind="text", description="t", suggested_texts={"x": "漢" * 141})
    assert "282 / 280" in errors_of(raised)["text_x"][0]
    library.item(
        "Emoji", kind="text", url="", description="t", suggested_texts={"x": "👩‍👩‍👧" * 140}
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://files.example/a"}, "url"),
        ({"url": ""}, "url"),
        ({"title": "   "}, "title"),
        ({"image_url": "data:image/png;base64,AAA"}, "image_url"),
        ({"kind": "image", "url": ""}, "image"),
        ({"kind": "text", "url": ""}, "description"),
        ({"kind": "poster"}, "kind"),
        ({"audience_everyone": False}, "audience_everyone"),
        ({"topics": [f"t{n}" for n in range(11)]}, "topics"),
        ({"suggested_texts": {"myspace": "hi"}}, "text_myspace"),
    ],
)
def test_bad_items_are_refused_with_the_field(library: Library, fields, field):
    values = {"title": "T", "url": URL, **fields}
    with pytest.raises(ValidationError) as raised:
        services.item_create(actor=library["cora"], data=ItemData(**values))
    assert field in errors_of(raised)


def test_window_must_end_after_it_starts(library: Library):
    now = timezone.now()
    with pytest.raises(ValidationError) as raised:
        library.item("W", starts_at=now, expires_at=now - datetime.timedelta(hours=1))
    assert "expires_at" in errors_of(raised)


def test_only_curators_add_and_edit(library: Library):
    with pytest.raises(PermissionDenied):
        services.item_create(actor=library["eli"], data=ItemData(title="T", url=URL))
    item = services.item_create(actor=library["nico"], data=ItemData(title="By Nico", url=URL))
    with pytest.raises(PermissionDenied):
        services.item_update(actor=library["sam"], item=item, data=ItemData(title="X", url=URL))
    data = ItemData.from_item(item)
    data.title = "Edited"
    data.topics = ["Fresh"]
    updated = services.item_update(actor=library["cora"], item=item, data=data)
    assert updated.title == "Edited"
    assert [t.name for t in updated.topics.all()] == ["Fresh"]


def test_archive_takes_an_item_out_and_restore_puts_it_back(library: Library):
    item = library.item("Going")
    services.item_archive(actor=library["cora"], item=item)
    assert not selectors.items_visible_to(library["eli"]).filter(pk=item.pk).exists()
    with pytest.raises(ValidationError):
        services.item_archive(actor=library["cora"], item=item)
    services.item_restore(actor=library["nico"], item=item)
    assert selectors.items_visible_to(library["eli"]).filter(pk=item.pk).exists()
    actions = list(
        AuditEntry.objects.filter(target_id=str(item.pk)).values_list("action", flat=True)
    )
    assert "advocacy.item_archived" in actions and "advocacy.item_restored" in actions


def test_rating_is_one_per_person_and_changeable(library: Library):
    item = library.item("Rate me")
    services.item_rate(user=library["eli"], item=item, verdict="would_share", reason="ignored")
    rating = ContentRating.objects.get(item=item, user=library["eli"])
    assert (rating.verdict, rating.reason) == ("would_share", "")
    services.item_rate(user=library["eli"], item=item, verdict="not_for_me", reason=" Off  topic ")
    rating.refresh_from_db()
    assert (rating.verdict, rating.reason) == ("not_for_me", "Off topic")
    assert ContentRating.objects.filter(item=item).count() == 1
    with pytest.raises(ValidationError):
        services.item_rate(user=library["eli"], item=item, verdict="love")


def test_nobody_rates_what_they_cannot_see(library: Library):
    item = library.item("Sales only", audience_everyone=False, departments=[library.sales])
    with pytest.raises(PermissionDenied):
        services.item_rate(user=library["eli"], item=item, verdict="would_share")
    with pytest.raises(PermissionDenied):
        services.item_rate(user=library["dora"], item=item, verdict="would_share")


def test_communications_managers_name_and_remove_curators(library: Library):
    eli = library["eli"]
    with pytest.raises(PermissionDenied):
        services.curator_add(actor=library["nico"], user=eli)
    services.curator_add(actor=library["cora"], user=eli)
    eli = type(eli).objects.get(pk=eli.pk)
    assert selectors.is_curator(eli)
    with pytest.raises(ValidationError):
        services.curator_add(actor=library["cora"], user=eli)
    with pytest.raises(ValidationError):
        services.curator_add(actor=library["cora"], user=library["ada"])
    with pytest.raises(ValidationError):
        services.curator_add(actor=library["cora"], user=library["dora"])
    services.curator_remove(actor=library["ada"], user=eli)
    assert not Curator.objects.filter(user=eli).exists()
    assert list(
        AuditEntry.objects.filter(target_id=str(eli.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["advocacy.curator_added", "advocacy.curator_removed"]
