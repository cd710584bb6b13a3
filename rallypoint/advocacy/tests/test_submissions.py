"""Employee-generated content: suggesting, approving (with edits), rejecting with a
reason, and the notifications that tell people."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from rallypoint.advocacy import selectors, services
from rallypoint.advocacy.models import ContentItem
from rallypoint.advocacy.services import ItemData
from rallypoint.advocacy.tests.library_fixtures import Library, build_library
from rallypoint.core.models import AuditEntry
from rallypoint.notify.models import Notification


@pytest.fixture
def library(db) -> Library:
    return build_library()


def png(size: tuple[int, int] = (40, 30)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "PNG")
    return SimpleUploadedFile("team photo.png", buffer.getvalue(), content_type="image/png")


def notes(user, kind=Notification.Kind.ADVOCACY) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, kind=kind).order_by("pk"))


def test_a_story_waits_for_review_and_curators_are_told(library: Library):
    item = services.item_submit(
        user=library["eli"],
        kind="story",
        title="How we cut our build time",
        text="A story from the platform team.",
        suggested_text="We cut our build time in half #engineering",
    )
    assert item.status == ContentItem.Status.PENDING
    assert item.kind == ContentItem.Kind.TEXT
    assert item.submitted_by == library["eli"] and item.published_at is None
    assert set(item.suggested_texts) == {"linkedin", "x", "facebook", "mastodon", "bluesky"}
    for curator in ("cora", "ada", "nico"):
        [note] = notes(library[curator])
        assert "How we cut our build time" in note.summary
        assert note.url == reverse("advocacy_review")
    assert notes(library["sam"]) == []
    assert notes(library["eli"]) == []


def test_a_long_suggested_text_is_kept_only_where_it_fits(library: Library):
    item = services.item_submit(
        user=library["sam"], kind="story", title="Long", text="t", suggested_text="w " * 200
    )
    assert set(item.suggested_texts) == {"linkedin", "facebook", "mastodon"}


def test_a_photo_is_checked_with_pillow_and_stored_under_a_new_name(library: Library):
    item = services.item_submit(user=library["sam"], kind="photo", title="Our booth", photo=png())
    assert item.kind == ContentItem.Kind.IMAGE
    assert item.image.name.startswith("advocacy/") and item.image.name.endswith(".png")
    assert "team photo" not in item.image.name
    fake = SimpleUploadedFile("x.png", b"<svg onload=alert(1)>", content_type="image/png")
    with pytest.raises(ValidationError) as raised:
        services.item_submit(user=library["sam"], kind="photo", title="Bad", photo=fake)
    assert "image" in raised.value.message_dict
    with pytest.raises(ValidationError):
        services.item_submit(user=library["sam"], kind="photo", title="None")


def test_a_photo_over_the_size_limit_is_refused(library: Library, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as raised:
        services.item_submit(user=library["sam"], kind="photo", title="Big", photo=png((400, 400)))
    assert "too large" in raised.value.message_dict["image"][0]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "link", "url": "not a url", "title": "T"}, "url"),
        ({"kind": "link", "url": "", "title": "T"}, "url"),
        ({"kind": "story", "title": "T", "text": ""}, "description"),
        ({"kind": "poem", "title": "T"}, "kind"),
        (
            {"kind": "story", "title": "T", "text": "x", "suggested_text": "w" * 70000},
            "suggested_text",
        ),
    ],
)
def test_bad_suggestions_are_refused(library: Library, fields, field):
    with pytest.raises(ValidationError) as raised:
        services.item_submit(user=library["eli"], **fields)
    assert field in raised.value.message_dict
    assert not ContentItem.objects.exists()


def test_approve_with_edits_publishes_credits_and_notifies(library: Library):
    item = services.item_submit(
        user=library["eli"], kind="link", title="Our blog", url="https://blog.example/post"
    )
    data = ItemData.from_item(item)
    data.title = "Our engineering blog"
    data.topics = ["Engineering"]
    data.why_share = "Shows how we work."
    approved = services.item_approve(actor=library["nico"], item=item, data=data)
    assert approved.status == ContentItem.Status.PUBLISHED
    assert approved.published_at is not None and approved.reviewed_by == library["nico"]
    assert approved.submitted_by == library["eli"]
    assert [t.name for t in approved.topics.all()] == ["Engineering"]
    [note] = notes(library["eli"])
    assert note.summary == "Your suggestion “Our engineering blog” is in the library."
    assert note.url == reverse("advocacy_item", args=[item.pk])
    assert selectors.items_visible_to(library["sam"]).filter(pk=item.pk).exists()
    assert AuditEntry.objects.filter(action="advocacy.item_approved").exists()
    with pytest.raises(ValidationError):
        services.item_approve(actor=library["cora"], item=item)


def test_reject_needs_a_reason_and_tells_the_submitter(library: Library):
    item = services.item_submit(user=library["sam"], kind="story", title="Gossip", text="...")
    with pytest.raises(ValidationError) as raised:
        services.item_reject(actor=library["cora"], item=item, reason="   ")
    assert "reason" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        services.item_reject(actor=library["eli"], item=item, reason="No")
    services.item_reject(actor=library["cora"], item=item, reason="Not about our work.")
    item.refresh_from_db()
    assert item.status == ContentItem.Status.REJECTED
    assert item.rejection_reason == "Not about our work."
    [note] = notes(library["sam"])
    assert "Not about our work." in note.summary and "Gossip" in note.summary
    assert not selectors.items_visible_to(library["sam"]).filter(pk=item.pk).exists()
    assert selectors.item_for(library["sam"], item.pk).rejection_reason == "Not about our work."
    with pytest.raises(ValidationError):
        services.item_approve(actor=library["cora"], item=item)


def test_pages_suggest_review_and_reject(client, library: Library):
    client.force_login(library["eli"])
    response = client.post(
        reverse("advocacy_submit"),
        {
            "kind": "story",
            "title": "Volunteering day",
            "text": "We planted 200 trees.",
            "suggested_text": "200 trees planted 🌳",
        },
        follow=True,
    )
    assert "A curator will look at your suggestion" in response.content.decode()
    item = ContentItem.objects.get(title="Volunteering day")
    assert "Volunteering day" in client.get(reverse("advocacy_submit")).content.decode()
    assert client.get(reverse("advocacy_review")).status_code == 404

    client.force_login(library["nico"])
    page = client.get(reverse("advocacy_review")).content.decode()
    assert "Volunteering day" in page and "Eli Eng" in page
    response = client.post(
        reverse("advocacy_item_reject", args=[item.pk]),
        {"reason": "", "next": "review"},
        follow=True,
    )
    assert "Tell the colleague why." in response.content.decode()
    client.post(
        reverse("advocacy_item_reject", args=[item.pk]),
        {"reason": "Please add a photo.", "next": "review"},
    )
    item.refresh_from_db()
    assert item.status == ContentItem.Status.REJECTED

    client.force_login(library["eli"])
    page = client.get(reverse("advocacy_item", args=[item.pk])).content.decode()
    assert "Please add a photo." in page


def test_page_approve_with_edits_from_the_form(client, library: Library):
    item = services.item_submit(user=library["sam"], kind="story", title="Win", text="We won.")
    client.force_login(library["cora"])
    form = client.get(reverse("advocacy_item_edit", args=[item.pk])).content.decode()
    assert "Approve and publish" in form
    response = client.post(
        reverse("advocacy_item_edit", args=[item.pk]),
        {
            "kind": "text",
            "title": "We won the award",
            "description": "We won.",
            "audience_everyone": "on",
            "text_x": "We won! 🏆",
            "action": "approve",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ContentItem.Status.PUBLISHED and item.title == "We won the award"
    assert item.suggested_texts == {"x": "We won! 🏆"}
    assert "We won the award" in notes(library["sam"])[0].summary


def test_photo_through_the_page(client, library: Library):
    client.force_login(library["rita"])
    response = client.post(
        reverse("advocacy_submit"),
        {"kind": "photo", "title": "Team offsite", "photo": png()},
    )
    assert response.status_code == 302
    assert ContentItem.objects.get(title="Team offsite").image
    response = client.post(
        reverse("advocacy_submit"),
        {"kind": "photo", "title": "Not a photo", "photo": SimpleUploadedFile("a.png", b"text")},
    )
    assert response.status_code == 200
    assert "This file is not a picture we can read." in response.content.decode()
