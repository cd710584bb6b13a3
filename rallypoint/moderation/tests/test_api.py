"""The moderation API: report, queue, hide, unhide, dismiss — with the pages' rules."""

from __future__ import annotations

import json

from rallypoint.api.services import token_create
from rallypoint.core.models import AuditEntry
from rallypoint.moderation import services
from rallypoint.moderation.models import Report

BASE = "/api/v1/moderation"


def _call(client, user, method: str, path: str, body: dict | None = None):
    _token, secret = token_create(user=user, name="test")
    headers = {"Authorization": f"Bearer {secret}"}
    if method == "get":
        return client.get(BASE + path, headers=headers)
    return client.post(
        BASE + path, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def test_report_through_the_api(client, world):
    post = world.posts["engineering"]
    response = _call(
        client, world["bob"], "post", "/reports", {"post_id": post.pk, "reason": "spam"}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["post_id"] == post.pk and data["status"] == "open"
    again = _call(client, world["bob"], "post", "/reports", {"post_id": post.pk, "reason": "spam"})
    assert again.status_code == 422 and "already reported" in again.content.decode()
    both = _call(
        client,
        world["bob"],
        "post",
        "/reports",
        {"post_id": post.pk, "comment_id": 1, "reason": "spam"},
    )
    assert both.status_code == 422
    unknown = _call(client, world["bob"], "post", "/reports", {"post_id": post.pk, "reason": "meh"})
    assert unknown.status_code == 422


def test_secret_content_is_a_404_for_outsiders(client, world):
    post = world.posts["secret"]
    for who in ("bob", "dave", "ada"):
        response = _call(
            client, world[who], "post", "/reports", {"post_id": post.pk, "reason": "spam"}
        )
        assert response.status_code == 404
        response = _call(client, world[who], "post", "/hide", {"post_id": post.pk, "reason": "x"})
        assert response.status_code == 404
    assert not Report.objects.exists()


def test_queue_hide_unhide_dismiss(client, world):
    post = world.posts["private"]
    comment = post.comments.get()
    services.report_create(reporter=world["mia"], post=post, reason="confidential", details="M&A")
    services.report_create(reporter=world["mia"], comment=comment, reason="spam")

    queue = _call(client, world["carol"], "get", "/queue")
    assert queue.status_code == 200
    items = {(item["kind"], item["id"]): item for item in queue.json()}
    assert items[("post", post.pk)]["count"] == 1
    assert items[("post", post.pk)]["reports"][0]["reporter_name"] == "Mia Member"
    assert items[("comment", comment.pk)]["post_id"] == post.pk
    assert _call(client, world["alice"], "get", "/queue").json() == []

    refused = _call(client, world["mia"], "post", "/hide", {"post_id": post.pk, "reason": "x"})
    assert refused.status_code == 403
    empty = _call(client, world["carol"], "post", "/hide", {"post_id": post.pk, "reason": ""})
    assert empty.status_code == 422
    hidden = _call(client, world["carol"], "post", "/hide", {"post_id": post.pk, "reason": "NDA"})
    assert hidden.json() == {"kind": "post", "id": post.pk, "hidden": True, "hidden_reason": "NDA"}
    # Mia no longer sees the post at all.
    assert _call(client, world["mia"], "post", "/unhide", {"post_id": post.pk}).status_code == 404
    shown = _call(client, world["carol"], "post", "/unhide", {"post_id": post.pk})
    assert shown.json()["hidden"] is False

    dismissed = _call(client, world["carol"], "post", "/dismiss", {"comment_id": comment.pk})
    assert dismissed.json() == {"dismissed": 1}
    assert _call(client, world["carol"], "get", "/queue").json() == []
    assert AuditEntry.objects.filter(action__startswith="moderation.").count() == 3
