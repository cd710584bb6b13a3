"""The library in the API: items for me, one item, rating, suggesting."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from rallypoint.advocacy import services
from rallypoint.advocacy.models import ContentItem, ContentRating
from rallypoint.advocacy.tests.library_fixtures import Library, build_library
from rallypoint.api.services import token_create
from rallypoint.notify.models import Notification


@pytest.fixture
def library(db) -> Library:
    return build_library()


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='t')[1]}"}


def test_list_is_what_the_caller_sees_with_internal_items_marked(client, library: Library):
    library.item("Public piece", topics=["AI"], suggested_texts={"x": "Read this"})
    library.item("Internal memo", internal_only=True)
    library.item("Sales only", audience_everyone=False, departments=[library.sales])
    answer = client.get("/api/v1/library/items", **bearer(library["eli"]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 2
    by_title = {item["title"]: item for item in body["items"]}
    assert by_title["Internal memo"]["internal_only"] is True
    assert by_title["Public piece"]["internal_only"] is False
    assert by_title["Public piece"]["topics"] == ["AI"]
    assert by_title["Public piece"]["suggested_texts"] == {"x": "Read this"}
    assert by_title["Public piece"]["shared_by_me"] is False
    filtered = client.get("/api/v1/library/items?topic=ai", **bearer(library["eli"])).json()
    assert [item["title"] for item in filtered["items"]] == ["Public piece"]
    unknown = client.get("/api/v1/library/items?campaign=nope", **bearer(library["eli"])).json()
    assert unknown["count"] == 0


def test_get_and_rate(client, library: Library):
    item = library.item("Rate via API")
    hidden = library.item("Sales only", audience_everyone=False, departments=[library.sales])
    auth = bearer(library["eli"])
    assert client.get(f"/api/v1/library/items/{item.pk}", **auth).json()["title"] == "Rate via API"
    assert client.get(f"/api/v1/library/items/{hidden.pk}", **auth).status_code == 404
    answer = client.post(
        f"/api/v1/library/items/{item.pk}/rating",
        {"verdict": "not_for_me", "reason": "Too technical"},
        content_type="application/json",
        **auth,
    )
    assert answer.status_code == 200
    assert answer.json() == {"item_id": item.pk, "verdict": "not_for_me", "reason": "Too technical"}
    assert ContentRating.objects.get(item=item).reason == "Too technical"
    assert client.get(f"/api/v1/library/items/{item.pk}", **auth).json()["my_verdict"] == (
        "not_for_me"
    )
    refused = client.post(
        f"/api/v1/library/items/{hidden.pk}/rating",
        {"verdict": "would_share"},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 404
    bad = client.post(
        f"/api/v1/library/items/{item.pk}/rating",
        {"verdict": "love"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422


def test_submit_a_story(client, library: Library):
    answer = client.post(
        "/api/v1/library/submissions",
        {"kind": "story", "title": "Meetup talk", "text": "I spoke at a meetup."},
        content_type="application/json",
        **bearer(library["sam"]),
    )
    assert answer.status_code == 201
    assert answer.json()["status"] == "pending"
    item = ContentItem.objects.get(title="Meetup talk")
    assert item.submitted_by == library["sam"]
    assert Notification.objects.filter(recipient=library["cora"], target_id=str(item.pk)).exists()
    refused = client.post(
        "/api/v1/library/submissions",
        {"kind": "link", "title": "No link", "url": "javascript:alert(1)"},
        content_type="application/json",
        **bearer(library["sam"]),
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "url"]


def test_pending_item_via_api_is_the_submitters_only(client, library: Library):
    item = services.item_submit(user=library["sam"], kind="story", title="Mine", text="t")
    assert (
        client.get(f"/api/v1/library/items/{item.pk}", **bearer(library["sam"])).status_code == 200
    )
    assert (
        client.get(f"/api/v1/library/items/{item.pk}", **bearer(library["eli"])).status_code == 404
    )
    rate = client.post(
        f"/api/v1/library/items/{item.pk}/rating",
        {"verdict": "would_share"},
        content_type="application/json",
        **bearer(library["sam"]),
    )
    assert rate.status_code == 404


def contract_scene() -> dict[str, dict[str, Any]]:
    """What the API contract test needs for the library operations: an item for everyone
    to read and rate, and a story to suggest."""
    from rallypoint.advocacy.models import ContentItem

    item = ContentItem.objects.create(
        title="Contract library item",
        url="https://northwind.example/library",
        published_at=timezone.now(),
        suggested_texts={"x": "Worth a read"},
    )
    return {
        "per_operation": {
            "GET /api/v1/library/items/{item_id}": {"item_id": item.pk},
            "POST /api/v1/library/items/{item_id}/rating": {"item_id": item.pk},
        },
        "bodies": {
            "POST /api/v1/library/items/{item_id}/rating": {"verdict": "would_share"},
            "POST /api/v1/library/submissions": {
                "kind": "story",
                "title": "From the contract",
                "text": "A story worth sharing.",
            },
        },
    }
