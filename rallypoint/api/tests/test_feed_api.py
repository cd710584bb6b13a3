"""The feed endpoints: posts, comments, reactions, reads, with tokens and sessions.

Visibility is checked over every kind of space and every position a person can hold in
it (member, outsider, moderator, removed, deactivated, administrator not in the group).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from rallypoint.api.services import token_create
from rallypoint.core.models import AuditEntry
from rallypoint.feed import services
from rallypoint.feed.models import Comment, Post, PostRead, PostRevision, Reaction
from rallypoint.feed.tests.conftest import World, build_world
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import Space, SpaceMembership

POSTS = "/api/v1/posts"

# Who reads which kind of space; everyone else gets 404, and eve (deactivated) gets 401.
EVERYONE = {"alice", "bob", "carol", "dave", "ada", "olga"}
READERS = {
    "company": EVERYONE,
    "department": EVERYONE,
    "open": EVERYONE,
    "private": {"alice", "carol", "olga"},
    "secret": {"alice", "carol", "olga"},
}


@pytest.fixture
def world(db) -> World:
    world = build_world()
    olga, alice = world["olga"], world["alice"]
    open_group = space_services.space_create(actor=olga, kind=Space.Kind.OPEN, name="Zeta open")
    space_services.space_join(actor=alice, space=open_group)
    world.groups["open"] = open_group
    world.posts["open"] = services.post_create(author=alice, space=open_group, body="Open *hi*")
    assert world.company is not None and world.engineering is not None
    world.posts["company"] = services.post_create(
        author=olga, space=world.company, body="Company news"
    )
    world.posts["department"] = services.post_create(
        author=alice, space=world.engineering, body="Engineering news"
    )
    return world


@pytest.fixture
def tokens(world: World) -> dict[str, dict[str, str]]:
    """A token header for every person, made before nothing: eve's stops working."""
    headers = {}
    for key, person in world.people.items():
        _token, secret = token_create(user=person, name="script")
        headers[key] = {"Authorization": f"Bearer {secret}"}
    return headers


def call(
    client: Client, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
) -> Any:
    kwargs: dict[str, Any] = {"headers": headers or {}}
    if body is not None:
        kwargs["data"] = json.dumps(body)
        kwargs["content_type"] = "application/json"
    return getattr(client, method.lower())(path, **kwargs)


def csrf_session(client: Client, person) -> dict[str, str]:
    """Sign ``client`` in as ``person`` and return the CSRF header a browser would send."""
    client.force_login(person)
    client.get("/me/tokens/")
    return {"X-CSRFToken": client.cookies[settings.CSRF_COOKIE_NAME].value}


# ---------------------------------------------------------------- visibility


@pytest.mark.parametrize("kind", list(READERS))
def test_every_read_endpoint_follows_the_space_rules(api_client, world, tokens, kind):
    post = world.posts[kind]
    comment = services.comment_create(author=world["olga"], post=post, body="A comment")
    paths = [
        f"{POSTS}/{post.pk}",
        f"{POSTS}/{post.pk}/comments",
        f"/api/v1/comments/{comment.pk}",
        f"/api/v1/spaces/{post.space.slug}/posts",
    ]
    for viewer in [*EVERYONE, "eve"]:
        for path in paths:
            response = api_client.get(path, headers=tokens[viewer])
            if viewer == "eve":
                expected = 401
            elif viewer in READERS[kind]:
                expected = 200
            else:
                expected = 404
            assert response.status_code == expected, (viewer, path, response.content)
            if expected != 200:
                assert "Falcon" not in response.content.decode()
        home = api_client.get(POSTS, headers=tokens[viewer])
        if viewer == "eve":
            assert home.status_code == 401
            continue
        ids = {item["id"] for item in home.json()["items"]}
        member = SpaceMembership.objects.filter(space=post.space, user=world[viewer]).exists()
        assert (post.pk in ids) == (member and viewer in READERS[kind]), viewer


@pytest.mark.parametrize("kind", ["private", "secret"])
def test_writes_to_unreadable_posts_answer_404(api_client, world, tokens, kind):
    post = world.posts[kind]
    comment = Comment.objects.get(post=post)
    for viewer in ("bob", "dave", "ada"):
        headers = tokens[viewer]
        attempts = [
            call(api_client, "PATCH", f"{POSTS}/{post.pk}", {"body": "x"}, headers),
            call(api_client, "DELETE", f"{POSTS}/{post.pk}", None, headers),
            call(api_client, "PUT", f"{POSTS}/{post.pk}/pin", None, headers),
            call(api_client, "POST", f"{POSTS}/{post.pk}/comments", {"body": "x"}, headers),
            call(api_client, "PUT", f"{POSTS}/{post.pk}/reactions/heart", None, headers),
            call(api_client, "PUT", f"/api/v1/comments/{comment.pk}/reactions/tada", None, headers),
            call(api_client, "DELETE", f"/api/v1/comments/{comment.pk}", None, headers),
            call(api_client, "GET", f"{POSTS}/{post.pk}/revisions", None, headers),
            call(api_client, "GET", f"{POSTS}/{post.pk}/read-rates", None, headers),
        ]
        assert [r.status_code for r in attempts] == [404] * len(attempts), viewer
    post.refresh_from_db()
    assert post.deleted_at is None and post.pinned_at is None
    assert Comment.objects.filter(post=post).count() == 1
    assert not Reaction.objects.filter(
        user__in=[world["bob"], world["dave"], world["ada"]]
    ).exists()


def test_posting_into_a_secret_group_one_cannot_see_names_no_such_space(api_client, world, tokens):
    secret = world.groups["secret"]
    response = call(api_client, "POST", POSTS, {"space": secret.slug, "body": "hi"}, tokens["bob"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "space"]
    assert response.json()["detail"][0]["msg"] == "No such space."
    private = world.groups["private"]
    refused = call(api_client, "POST", POSTS, {"space": private.slug, "body": "hi"}, tokens["bob"])
    assert refused.status_code == 403
    assert "members" in refused.json()["detail"]
    assert not Post.objects.filter(author=world["bob"]).exists()


# ---------------------------------------------------------------- posts


def test_create_edit_history_and_delete_with_a_token(api_client, world, tokens):
    headers = tokens["alice"]
    space = world.groups["private"]
    created = call(api_client, "POST", POSTS, {"space": space.slug, "body": "**Hello**"}, headers)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["body"] == "**Hello**"
    assert "<strong>Hello</strong>" in body["body_html"]
    assert body["author"] == {"id": world["alice"].pk, "display_name": "Alice Member"}
    assert body["space"] == {"slug": space.slug, "name": space.name}
    assert body["comment_count"] == 0 and body["my_reactions"] == []
    assert [r["key"] for r in body["reactions"]] == [
        "thumbsup",
        "heart",
        "tada",
        "laugh",
        "wow",
        "thanks",
    ]
    assert body["links"]["self"].endswith(f"{POSTS}/{body['id']}")
    assert body["links"]["web"].endswith(f"/posts/{body['id']}/")
    pk = body["id"]

    edited = call(api_client, "PATCH", f"{POSTS}/{pk}", {"body": "Hello *again*"}, headers)
    assert edited.status_code == 200
    assert edited.json()["edited_at"] is not None
    assert "<em>again</em>" in edited.json()["body_html"]
    history = api_client.get(f"{POSTS}/{pk}/revisions", headers=headers)
    assert [r["body"] for r in history.json()] == ["**Hello**"]
    # A moderator sees the history too; a plain member does not, and is told why.
    assert api_client.get(f"{POSTS}/{pk}/revisions", headers=tokens["carol"]).status_code == 200
    other = services.post_create(author=world["carol"], space=space, body="Carol's")
    refused = api_client.get(f"{POSTS}/{other.pk}/revisions", headers=headers)
    assert refused.status_code == 403 and "history" in refused.json()["detail"]

    not_author = call(api_client, "PATCH", f"{POSTS}/{pk}", {"body": "x"}, tokens["olga"])
    assert not_author.status_code == 403
    assert Post.objects.get(pk=pk).body == "Hello *again*"

    deleted = api_client.delete(f"{POSTS}/{pk}", headers=headers)
    assert deleted.status_code == 204
    assert api_client.get(f"{POSTS}/{pk}", headers=headers).status_code == 404
    assert not PostRevision.objects.filter(post_id=pk).exists()


def test_moderator_pins_and_deletes_with_an_audit_entry(api_client, world, tokens):
    post = world.posts["private"]
    assert (
        call(api_client, "PUT", f"{POSTS}/{post.pk}/pin", None, tokens["alice"]).status_code == 403
    )
    pinned = call(api_client, "PUT", f"{POSTS}/{post.pk}/pin", None, tokens["carol"])
    assert pinned.status_code == 200 and pinned.json()["pinned_at"] is not None
    again = call(api_client, "PUT", f"{POSTS}/{post.pk}/pin", None, tokens["carol"])
    assert again.json()["pinned_at"] == pinned.json()["pinned_at"]
    feed = api_client.get(f"/api/v1/spaces/{post.space.slug}/posts", headers=tokens["alice"])
    assert [p["id"] for p in feed.json()["pinned"]] == [post.pk]
    assert post.pk not in [p["id"] for p in feed.json()["items"]]
    unpinned = call(api_client, "DELETE", f"{POSTS}/{post.pk}/pin", None, tokens["carol"])
    assert unpinned.json()["pinned_at"] is None
    assert api_client.delete(f"{POSTS}/{post.pk}", headers=tokens["carol"]).status_code == 204
    assert AuditEntry.objects.filter(action="feed.post_deleted").count() == 1


def test_feed_pages_with_a_cursor_and_a_space_filter(api_client, world, tokens):
    space = world.groups["open"]
    for n in range(5):
        services.post_create(author=world["alice"], space=space, body=f"Post {n}")
    headers = tokens["alice"]
    first = api_client.get(POSTS, {"limit": 3, "space": space.slug}, headers=headers).json()
    assert [p["body"] for p in first["items"]] == ["Post 4", "Post 3", "Post 2"]
    second = api_client.get(
        POSTS, {"limit": 3, "space": space.slug, "cursor": first["next_cursor"]}, headers=headers
    ).json()
    assert [p["body"] for p in second["items"]] == ["Post 1", "Post 0", "Open *hi*"]
    assert second["next_cursor"] is None
    bad = api_client.get(POSTS, {"cursor": "bm90LWEtY3Vyc29y"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "cursor"]
    hidden = api_client.get(POSTS, {"space": world.groups["secret"].slug}, headers=tokens["bob"])
    assert hidden.status_code == 422 and hidden.json()["detail"][0]["msg"] == "No such space."


def test_read_marks_and_read_rates(api_client, world, tokens):
    post = world.posts["company"]
    secret = world.posts["secret"]
    marked = call(
        api_client, "POST", f"{POSTS}/reads", {"post_ids": [post.pk, secret.pk]}, tokens["bob"]
    )
    assert marked.status_code == 200 and marked.json() == {"recorded": 1}
    assert list(PostRead.objects.filter(user=world["bob"]).values_list("post_id", flat=True)) == [
        post.pk
    ]
    assert api_client.get(f"{POSTS}/{post.pk}", headers=tokens["bob"]).json()["is_read"]
    too_many = call(
        api_client, "POST", f"{POSTS}/reads", {"post_ids": list(range(1, 300))}, tokens["bob"]
    )
    assert too_many.status_code == 422
    rates = api_client.get(f"{POSTS}/{post.pk}/read-rates", headers=tokens["olga"])
    assert rates.status_code == 200
    assert sum(row["members"] for row in rates.json()) >= 6
    refused = api_client.get(f"{POSTS}/{post.pk}/read-rates", headers=tokens["bob"])
    assert refused.status_code == 403 and "read rates" in refused.json()["detail"]


# ---------------------------------------------------------------- comments and reactions


def test_comments_and_replies(api_client, world, tokens):
    post = world.posts["open"]
    headers = tokens["bob"]
    top = call(api_client, "POST", f"{POSTS}/{post.pk}/comments", {"body": "First *one*"}, headers)
    assert top.status_code == 201, top.content
    assert "<em>one</em>" in top.json()["body_html"]
    reply = call(
        api_client,
        "POST",
        f"{POSTS}/{post.pk}/comments",
        {"body": "A reply", "parent_id": top.json()["id"]},
        tokens["carol"],
    )
    assert reply.status_code == 201 and reply.json()["parent_id"] == top.json()["id"]
    listed = api_client.get(f"{POSTS}/{post.pk}/comments", headers=headers).json()
    assert [c["body"] for c in listed] == ["First *one*"]
    assert [r["body"] for r in listed[0]["replies"]] == ["A reply"]

    secret_comment = Comment.objects.get(post=world.posts["secret"])
    gone = call(
        api_client,
        "POST",
        f"{POSTS}/{post.pk}/comments",
        {"body": "x", "parent_id": secret_comment.pk},
        headers,
    )
    assert gone.status_code == 422 and gone.json()["detail"][0]["loc"] == ["body", "parent_id"]
    empty = call(api_client, "POST", f"{POSTS}/{post.pk}/comments", {"body": "   "}, headers)
    assert empty.status_code == 422 and "Write something" in empty.json()["detail"][0]["msg"]

    comment_path = f"/api/v1/comments/{top.json()['id']}"
    assert (
        call(api_client, "PATCH", comment_path, {"body": "x"}, tokens["alice"]).status_code == 403
    )
    edited = call(api_client, "PATCH", comment_path, {"body": "Fixed"}, headers)
    assert edited.json()["body"] == "Fixed" and edited.json()["edited_at"]
    assert api_client.delete(comment_path, headers=headers).status_code == 204
    after = api_client.get(f"{POSTS}/{post.pk}/comments", headers=headers).json()
    assert after[0]["deleted"] and after[0]["body"] == "" and len(after[0]["replies"]) == 1


def test_reactions_put_and_delete_are_idempotent(api_client, world, tokens):
    post = world.posts["open"]
    path = f"{POSTS}/{post.pk}/reactions/tada"
    for _attempt in range(2):
        response = call(api_client, "PUT", path, None, tokens["bob"])
        assert response.status_code == 200
        assert response.json()["my_reactions"] == ["tada"]
    assert Reaction.objects.filter(post=post, emoji="tada").count() == 1
    counts = {r["key"]: r["count"] for r in response.json()["reactions"]}
    assert counts["tada"] == 1
    # The author heard about it once.
    told = world["alice"].notifications.filter(kind="reaction", target_id=str(post.pk))
    assert told.count() == 1 and told.get().count == 1
    for _attempt in range(2):
        removed = call(api_client, "DELETE", path, None, tokens["bob"])
        assert removed.status_code == 200 and removed.json()["my_reactions"] == []
    assert not Reaction.objects.filter(post=post, emoji="tada").exists()
    unknown = call(api_client, "PUT", f"{POSTS}/{post.pk}/reactions/poop", None, tokens["bob"])
    assert unknown.status_code == 422

    comment = services.comment_create(author=world["alice"], post=post, body="Nice")
    on_comment = call(
        api_client, "PUT", f"/api/v1/comments/{comment.pk}/reactions/heart", None, tokens["bob"]
    )
    assert on_comment.json()["my_reactions"] == ["heart"]
    off = call(
        api_client, "DELETE", f"/api/v1/comments/{comment.pk}/reactions/heart", None, tokens["bob"]
    )
    assert off.json()["my_reactions"] == []


def test_reacting_in_an_archived_group_is_refused_with_a_reason(api_client, world, tokens):
    group = world.groups["private"]
    space_services.space_archive(actor=world["olga"], space=group)
    post = world.posts["private"]
    response = call(api_client, "PUT", f"{POSTS}/{post.pk}/reactions/tada", None, tokens["alice"])
    assert response.status_code == 422
    assert "archived" in response.json()["detail"][0]["msg"]


# ---------------------------------------------------------------- sessions


def test_session_reads_and_needs_csrf_to_write(world):
    client = Client(enforce_csrf_checks=True)
    post = world.posts["open"]
    client.force_login(world["bob"])
    assert client.get(f"{POSTS}/{post.pk}").status_code == 200
    refused = call(client, "PUT", f"{POSTS}/{post.pk}/reactions/heart")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Reaction.objects.filter(user=world["bob"]).exists()
    headers = csrf_session(client, world["bob"])
    assert (
        call(client, "PUT", f"{POSTS}/{post.pk}/reactions/heart", None, headers).status_code == 200
    )
    created = call(
        client, "POST", f"{POSTS}/{post.pk}/comments", {"body": "From the browser"}, headers
    )
    assert created.status_code == 201


def test_removed_and_deactivated_people_lose_access_at_once(api_client, world, tokens):
    post = world.posts["private"]
    assert api_client.get(f"{POSTS}/{post.pk}", headers=tokens["alice"]).status_code == 200
    space_services.membership_remove(
        actor=world["olga"],
        membership=SpaceMembership.objects.get(space=post.space, user=world["alice"]),
    )
    assert api_client.get(f"{POSTS}/{post.pk}", headers=tokens["alice"]).status_code == 404
    carol = world["carol"]
    carol.is_active = False
    carol.save(update_fields=["is_active"])
    assert api_client.get(POSTS, headers=tokens["carol"]).status_code == 401


def test_without_credentials_everything_is_401(api_client, world):
    post = world.posts["open"]
    for method, path in [
        ("get", POSTS),
        ("get", f"{POSTS}/{post.pk}"),
        ("put", f"{POSTS}/{post.pk}/reactions/heart"),
    ]:
        assert getattr(api_client, method)(path).status_code == 401


# ---------------------------------------------------------------- query counts


def _grow(world: World, count: int) -> None:
    space = world.groups["open"]
    for n in range(count):
        post = services.post_create(author=world["alice"], space=space, body=f"Post {n}")
        comment = services.comment_create(author=world["carol"], post=post, body="c")
        services.comment_create(author=world["olga"], post=post, body="r", parent=comment)
        services.reaction_toggle(user=world["carol"], post=post, emoji="heart")
        services.reaction_toggle(user=world["olga"], comment=comment, emoji="tada")


def test_list_endpoints_keep_a_fixed_number_of_queries(
    api_client, world, tokens, django_assert_max_num_queries
):
    space = world.groups["open"]
    post = world.posts["open"]
    paths = [
        POSTS,
        f"/api/v1/spaces/{space.slug}/posts",
        f"{POSTS}/{post.pk}/comments",
    ]
    headers = tokens["alice"]

    def counts() -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        found = []
        for path in paths:
            with CaptureQueriesContext(connection) as captured:
                assert api_client.get(path, headers=headers).status_code == 200
            found.append(len(captured))
        return found

    _grow(world, 2)
    for n in range(2):
        services.comment_create(author=world["bob"], post=post, body=f"more {n}")
    counts()  # the token's first use of the minute is recorded: not part of the page
    before = counts()
    _grow(world, 6)
    for n in range(6):
        services.comment_create(author=world["bob"], post=post, body=f"again {n}")
    assert counts() == before
    with django_assert_max_num_queries(10):
        api_client.get(POSTS, headers=headers)
