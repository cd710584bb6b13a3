"""Live feed events: sent after commit to the space's readers, ids and counts only; and the
endpoints that pages fetch the content from, which check access."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from rallypoint.core import realtime
from rallypoint.feed import services
from rallypoint.feed.live import ids_param
from rallypoint.feed.models import REACTIONS
from rallypoint.notify.tests.conftest import Listener
from rallypoint.spaces.models import Space

SECRET_WORD = "Falcon"


@pytest.fixture(params=["memory", "redis"])
def listen(request, settings) -> Iterator[Callable[..., Listener]]:
    """``listen(*spaces)``: record the live events of these spaces, through the in-memory
    broker and through Redis."""
    if request.param == "redis":
        settings.REDIS_URL = request.getfixturevalue("redis_url")
    settings.REALTIME_BROKER = request.param
    listeners: list[Listener] = []

    def start(*spaces: Space) -> Listener:
        channels = [realtime.space_channel(space.pk) for space in spaces]
        listener = Listener(broker=realtime.get_broker(), channels=channels).start()
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        listener.stop()


def events(listener: Listener, count: int) -> list[tuple[str, str, dict]]:
    return [(m.channel, m.event, m.data) for m in listener.received(count)]


def test_a_new_post_is_announced_after_commit_with_ids_only(
    world, listen, django_capture_on_commit_callbacks
):
    group = world.groups[Space.Kind.SECRET]
    listener = listen(group, world.engineering)
    with django_capture_on_commit_callbacks(execute=True):
        post = services.post_create(author=world["alice"], space=group, body=f"{SECRET_WORD} #go")
        assert listener.messages == []
    assert events(listener, 1) == [
        (f"space:{group.pk}", "post_created", {"post": post.pk, "space": group.pk})
    ]


def test_a_rolled_back_post_is_never_announced(world, listen, django_capture_on_commit_callbacks):
    group = world.groups[Space.Kind.PRIVATE]
    listener = listen(group)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.post_create(author=world["alice"], space=group, body="Never happened")
        raise RuntimeError("rolled back")
    assert callbacks == []
    assert events(listener, 1) == []


def test_comments_reactions_and_removal_carry_counts_not_content(
    world, listen, django_capture_on_commit_callbacks
):
    group = world.groups[Space.Kind.SECRET]
    post = world.posts[Space.Kind.SECRET]
    listener = listen(group)
    zero = dict.fromkeys(REACTIONS, 0)
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(author=world["alice"], post=post, body=SECRET_WORD)
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.comment_create(
            author=world["carol"], post=post, body=f"{SECRET_WORD} too", parent=comment
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_toggle(user=world["alice"], post=post, emoji="thumbsup")
    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_toggle(user=world["alice"], comment=comment, emoji="tada")
    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_toggle(user=world["alice"], comment=comment, emoji="tada")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(actor=world["alice"], post=post)
    base = {"post": post.pk, "space": group.pk}
    received = events(listener, 6)
    assert [event for _channel, event, _data in received] == [
        "comment_created",
        "comment_created",
        "reactions_changed",
        "reactions_changed",
        "reactions_changed",
        "post_removed",
    ]
    data = [data for _channel, _event, data in received]
    # The world's set-up left one comment and one heart on the post.
    assert data[0] == {**base, "comment": comment.pk, "parent": None, "comments": 2}
    assert data[1] == {**base, "comment": reply.pk, "parent": comment.pk, "comments": 3}
    assert data[2] == {
        **base,
        "target": "post",
        "id": post.pk,
        "counts": {**zero, "thumbsup": 1, "heart": 1},
    }
    assert data[3] == {
        **base,
        "target": "comment",
        "id": comment.pk,
        "counts": {**zero, "tada": 1},
    }
    assert data[4] == {**base, "target": "comment", "id": comment.pk, "counts": zero}
    assert data[5] == base
    text = json.dumps(received)
    for secret in (SECRET_WORD, "Alice", "alice@", "Carol", group.name):
        assert secret not in text


def test_a_refused_reaction_announces_nothing(world, listen, django_capture_on_commit_callbacks):
    group = world.groups[Space.Kind.SECRET]
    listener = listen(group)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.reaction_toggle(
            user=world["bob"], post=world.posts[Space.Kind.SECRET], emoji="thumbsup"
        )
    assert events(listener, 1) == []


def test_only_readers_of_a_space_subscribe_to_its_events(world):
    channel = realtime.space_channel(world.groups[Space.Kind.SECRET].pk)
    assert channel in realtime.channels_for(world["alice"])
    for key in ("bob", "dave", "eve"):
        assert channel not in realtime.channels_for(world[key])


# ---------------------------------------------------------------- the fragments pages fetch


def test_new_post_cards_only_show_what_the_viewer_may_read(client, world):
    secret = world.posts[Space.Kind.SECRET]
    mine = services.post_create(author=world["olga"], space=world.company, body="All hands")
    url = reverse("feed_live_posts") + f"?ids={secret.pk},{mine.pk},abc,-3,0"
    client.force_login(world["alice"])
    html = client.get(url).content.decode()
    assert f'id="post-{secret.pk}"' in html and f'id="post-{mine.pk}"' in html
    assert html.index(f'id="post-{mine.pk}"') < html.index(f'id="post-{secret.pk}"')
    for key in ("bob", "dave"):
        client.force_login(world[key])
        html = client.get(url).content.decode()
        assert f'id="post-{mine.pk}"' in html
        assert f'id="post-{secret.pk}"' not in html and SECRET_WORD not in html


def test_new_post_cards_need_a_signed_in_person_and_a_get(client, world):
    url = reverse("feed_live_posts") + f"?ids={world.posts[Space.Kind.PRIVATE].pk}"
    assert client.get(url).status_code == 302
    client.force_login(world["alice"])
    assert client.post(url).status_code == 405
    assert client.get(reverse("feed_live_posts")).content.strip() == b""


def test_new_post_cards_take_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries
):
    posts = [
        services.post_create(author=world["alice"], space=world.engineering, body=f"Post {n}")
        for n in range(12)
    ]
    for post in posts:
        services.comment_create(author=world["carol"], post=post, body="ok")
        services.reaction_toggle(user=world["carol"], post=post, emoji="thumbsup")
    client.force_login(world["alice"])
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("feed_live_posts") + "?ids=" + ",".join(str(p.pk) for p in posts)
        )
    assert response.content.decode().count('class="card post"') == 12


def test_ids_param_keeps_valid_ids_once():
    assert ids_param("3, 2,3,x,-1,0,99999999999999999999,²") == [3, 2]
    assert len(ids_param(",".join(str(n) for n in range(1, 500)))) == 50


def test_a_new_comment_fragment_checks_access(client, world):
    post = world.posts[Space.Kind.SECRET]
    comment = services.comment_create(author=world["alice"], post=post, body=f"{SECRET_WORD}!")
    reply = services.comment_create(author=world["carol"], post=post, body="Re", parent=comment)
    client.force_login(world["carol"])
    html = client.get(reverse("feed_live_comment", args=[comment.pk])).content.decode()
    assert f'id="comment-{comment.pk}"' in html and f"{SECRET_WORD}!" in html
    assert f'action="{reverse("feed_comment_delete", args=[comment.pk])}"' in html  # moderator
    html = client.get(reverse("feed_live_comment", args=[reply.pk])).content.decode()
    assert 'class="comment reply"' in html
    for key in ("bob", "dave"):
        client.force_login(world[key])
        response = client.get(reverse("feed_live_comment", args=[comment.pk]))
        assert response.status_code == 404
        assert SECRET_WORD.encode() not in response.content
    client.force_login(world["alice"])
    services.comment_delete(actor=world["carol"], comment=reply)
    assert client.get(reverse("feed_live_comment", args=[reply.pk])).status_code == 404
    services.post_delete(actor=world["alice"], post=post)
    assert client.get(reverse("feed_live_comment", args=[comment.pk])).status_code == 404


# ---------------------------------------------------------------- what the pages carry


def test_feeds_name_the_spaces_whose_new_posts_they_count(client, world):
    client.force_login(world["alice"])
    html = client.get(reverse("feed")).content.decode()
    member_of = world["alice"].space_memberships.values_list("space_id", flat=True)
    assert _spaces_attr(html) == set(member_of)
    group = world.groups[Space.Kind.PRIVATE]
    html = client.get(reverse("feed_space_posts", args=[group.slug])).content.decode()
    assert _spaces_attr(html) == {group.pk}
    post = world.posts[Space.Kind.PRIVATE]
    html = client.get(reverse("feed_post", args=[post.pk])).content.decode()
    assert "data-feed-live" in html and "data-new-posts" not in html


def _spaces_attr(html: str) -> set[int]:
    marker = 'data-spaces="'
    value = html[html.index(marker) + len(marker) :].split('"')[0]
    return {int(pk) for pk in value.split()}
