"""Hidden content, over every read path: the author and the space's moderators see it
with the reason; everybody else sees nothing of it — feed, space feed, post page,
comments, counts, the API, reactions and reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from rallypoint.feed import selectors as feed_selectors
from rallypoint.feed import services as feed_services
from rallypoint.feed.models import Post, PostRead
from rallypoint.moderation import services

NOTICE = "Hidden by a moderator:"

# Who sees the hidden post of the private group (alice's): its author, the group's
# moderator and owner. Mia is a plain member; bob never joined; dave was removed; eve
# is deactivated; ada is an administrator outside the group.
PRIVATE_SEES = {"alice", "carol", "olga"}
PRIVATE_VIEWERS = ("alice", "carol", "olga", "mia", "bob", "dave", "ada")
# Carol's Engineering post: everyone reads Engineering; ada (administrator) moderates it.
ENGINEERING_SEES = {"carol", "ada"}
ENGINEERING_VIEWERS = ("carol", "ada", "alice", "mia", "bob", "olga")


def _comment_count(viewer, post) -> int:
    row = feed_selectors.posts_visible_to(viewer).get(pk=post.pk)
    return int(row.comment_count)  # type: ignore[attr-defined]


@pytest.fixture
def hidden(world):
    private = world.posts["private"]
    services.content_hide(actor=world["carol"], post=private, reason="Client names inside")
    engineering = world.posts["engineering"]
    services.content_hide(actor=world["ada"], post=engineering, reason="Wrong channel")
    return world


@pytest.mark.parametrize("who", PRIVATE_VIEWERS)
def test_hidden_group_post_on_every_page(client, hidden, who):
    world = hidden
    post = world.posts["private"]
    group = world.groups["private"]
    client.force_login(world[who])
    sees = who in PRIVATE_SEES
    pages = [reverse("feed"), reverse("feed_post", args=[post.pk])]
    readable_space = who not in {"bob", "dave", "ada"}
    if readable_space:
        pages.append(reverse("feed_space_posts", args=[group.slug]))
    for url in pages:
        response = client.get(url)
        html = response.content.decode()
        if sees:
            assert response.status_code == 200, url
            assert "Falcon" in html and NOTICE in html and "Client names inside" in html, url
        else:
            assert response.status_code in (200, 404), url
            assert "Falcon" not in html and "Client names inside" not in html, url
    detail = client.get(reverse("feed_post", args=[post.pk]))
    assert detail.status_code == (200 if sees else 404)
    api = client.get(f"/api/v1/posts/{post.pk}")
    assert api.status_code == (200 if sees else 404)
    if sees:
        # The author is told only they and the moderators see it.
        assert ("Only you and the space" in detail.content.decode()) == (who == "alice")


@pytest.mark.parametrize("who", ENGINEERING_VIEWERS)
def test_hidden_post_in_a_space_everyone_reads(client, hidden, who):
    world = hidden
    post = world.posts["engineering"]
    client.force_login(world[who])
    sees = who in ENGINEERING_SEES
    space_page = client.get(reverse("feed_space_posts", args=[world.engineering.slug]))
    assert space_page.status_code == 200
    assert ("freeze" in space_page.content.decode()) == sees
    assert client.get(reverse("feed_post", args=[post.pk])).status_code == (200 if sees else 404)
    assert client.get(f"/api/v1/posts/{post.pk}").status_code == (200 if sees else 404)
    in_list = client.get(f"/api/v1/spaces/{world.engineering.slug}/posts").content.decode()
    assert ("freeze" in in_list) == sees


@pytest.mark.parametrize("who", ["eve", "dave", "bob"])
def test_removed_deactivated_and_outsiders_read_nothing_through_selectors(hidden, who):
    world = hidden
    viewer = world[who]
    visible = set(feed_selectors.posts_visible_to(viewer).values_list("pk", flat=True))
    assert world.posts["private"].pk not in visible
    assert world.posts["engineering"].pk not in visible
    with pytest.raises(Http404):
        feed_selectors.post_get_visible(viewer, world.posts["private"].pk)


def test_hidden_comment_for_author_moderator_and_members(client, world):
    post = world.posts["private"]
    top = feed_services.comment_create(author=world["mia"], post=post, body="Rude remark")
    feed_services.comment_create(
        author=world["alice"], post=post, body="Please keep it civil", parent=top
    )
    lone = feed_services.comment_create(author=world["mia"], post=post, body="Second rude one")
    services.content_hide(actor=world["carol"], comment=top, reason="Be kind")
    services.content_hide(actor=world["carol"], comment=lone, reason="Be kind")

    def page(who: str) -> str:
        client.force_login(world[who])
        response = client.get(reverse("feed_post", args=[post.pk]))
        assert response.status_code == 200
        return response.content.decode()

    for who in ("mia", "carol", "olga"):
        html = page(who)
        assert "Rude remark" in html and "Second rude one" in html and NOTICE in html
    html = page("alice")
    assert "Rude remark" not in html and "Second rude one" not in html
    assert "Be kind" not in html
    # The hidden comment with a reply stays as a placeholder; the reply is kept.
    assert "This comment was hidden by a moderator." in html
    assert "Please keep it civil" in html

    alice = world["alice"]
    # The group's own comment by carol and alice's reply.
    assert _comment_count(alice, post) == 2
    assert _comment_count(world["carol"], post) == 4
    listed = feed_selectors.comments_for(alice, post)
    placeholder = next(c for c in listed if c.pk == top.pk)
    assert placeholder.body == "" and placeholder.body_html == ""
    assert all(c.pk != lone.pk for c in listed)
    with pytest.raises(Http404):
        feed_selectors.comment_get_visible(alice, lone.pk)
    assert feed_selectors.comment_get_visible(world["mia"], lone.pk) == lone

    client.force_login(alice)
    api = client.get(f"/api/v1/posts/{post.pk}/comments").content.decode()
    assert "Rude remark" not in api and "Second rude one" not in api
    assert client.get(f"/api/v1/comments/{lone.pk}").status_code == 404


def test_reactions_replies_and_reads_refuse_hidden_content(hidden):
    world = hidden
    post = Post.objects.get(pk=world.posts["private"].pk)
    with pytest.raises(PermissionDenied):
        feed_services.reaction_toggle(user=world["mia"], post=post, emoji="heart")
    with pytest.raises(PermissionDenied):
        feed_services.comment_create(author=world["mia"], post=post, body="Hi")
    assert feed_services.posts_mark_read(viewer=world["mia"], post_ids=[post.pk]) == 0
    assert not PostRead.objects.filter(post=post, user=world["mia"]).exists()
    # The author and the moderators still can.
    assert feed_services.reaction_toggle(user=world["carol"], post=post, emoji="tada")
    assert feed_services.posts_mark_read(viewer=world["alice"], post_ids=[post.pk]) == 1

    other = feed_services.post_create(author=world["carol"], space=world.engineering, body="Hi")
    comment = feed_services.comment_create(author=world["mia"], post=other, body="x")
    services.content_hide(actor=world["ada"], comment=comment, reason="Noise")
    comment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        feed_services.reaction_toggle(user=world["bob"], comment=comment, emoji="heart")
    with pytest.raises(PermissionDenied):
        feed_services.comment_create(author=world["bob"], post=other, body="Yes", parent=comment)
    assert feed_services.reaction_toggle(user=world["mia"], comment=comment, emoji="heart")


def test_unhide_gives_the_post_back_at_once(client, hidden):
    world = hidden
    post = world.posts["private"]
    client.force_login(world["mia"])
    assert client.get(reverse("feed_post", args=[post.pk])).status_code == 404
    services.content_unhide(actor=world["carol"], post=post)
    response = client.get(reverse("feed_post", args=[post.pk]))
    assert response.status_code == 200 and NOTICE not in response.content.decode()


def test_a_moderator_who_loses_the_role_loses_hidden_content_at_once(client, hidden):
    from rallypoint.spaces import services as space_services
    from rallypoint.spaces.models import SpaceMembership

    world = hidden
    post = world.posts["private"]
    client.force_login(world["carol"])
    assert client.get(reverse("feed_post", args=[post.pk])).status_code == 200
    space_services.membership_set_role(
        actor=world["olga"],
        membership=SpaceMembership.objects.get(space=post.space, user=world["carol"]),
        role=SpaceMembership.Role.MEMBER,
    )
    assert client.get(reverse("feed_post", args=[post.pk])).status_code == 404
