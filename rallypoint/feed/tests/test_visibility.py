"""No leaks: posts, comments, reactions and pages of private and secret groups, for every
kind of viewer. Lookups of what a viewer may not see answer 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rallypoint.feed import selectors
from rallypoint.feed.models import Comment
from rallypoint.feed.tests.conftest import READERS, VIEWERS

KINDS = ("private", "secret")
CASES = [(kind, key) for kind in KINDS for key in VIEWERS]


def _login(client, user):
    if user.is_active:
        client.force_login(user)
    else:
        # A deactivated person keeps no session; force the session to check the views'
        # own answer as well as the sign-in's.
        user.is_active = True
        client.force_login(user)
        user.is_active = False
        user.save(update_fields=["is_active"])


@pytest.mark.parametrize(("kind", "key"), CASES)
def test_selectors_show_group_posts_only_to_members(world, kind, key):
    viewer, post = world[key], world.posts[kind]
    readable = key in READERS
    assert selectors.posts_visible_to(viewer).filter(pk=post.pk).exists() is readable
    home = selectors.feed_page(viewer)
    assert (post.pk in [p.pk for p in home.posts]) is readable
    comments = selectors.comments_for(viewer, post)
    assert bool(comments) is readable
    comment = Comment.objects.get(post=post)
    if readable:
        assert selectors.post_get_visible(viewer, post.pk) == post
        assert selectors.comment_get_visible(viewer, comment.pk) == comment
    else:
        from django.http import Http404

        with pytest.raises(Http404):
            selectors.post_get_visible(viewer, post.pk)
        with pytest.raises(Http404):
            selectors.comment_get_visible(viewer, comment.pk)


@pytest.mark.parametrize(("kind", "key"), CASES)
def test_pages_do_not_leak_group_posts(client, world, kind, key):
    viewer, post = world[key], world.posts[kind]
    group = world.groups[kind]
    comment = Comment.objects.get(post=post)
    _login(client, viewer)
    readable = key in READERS
    if not viewer.is_active:
        # Signed out by the deactivation: every page sends them to sign in.
        for url in (reverse("feed_post", args=[post.pk]), reverse("feed")):
            assert client.get(url).status_code == 302
        return
    for url in ("/", reverse("feed"), reverse("feed") + f"?space={group.slug}"):
        html = client.get(url).content.decode()
        assert ("Falcon" in html) is readable, url
    assert client.get(reverse("feed_post", args=[post.pk])).status_code == (
        200 if readable else 404
    )
    space_feed = client.get(reverse("feed_space_posts", args=[group.slug]))
    assert space_feed.status_code == (200 if readable else 404)
    if readable:
        assert (
            f"{kind} comment" in client.get(reverse("feed_post", args=[post.pk])).content.decode()
        )
        return
    # Writing through the endpoints fails as "not found", and changes nothing.
    posted = [
        client.post(reverse("feed_post_react", args=[post.pk]), {"emoji": "tada"}),
        client.post(reverse("feed_comment_react", args=[comment.pk]), {"emoji": "tada"}),
        client.post(reverse("feed_comment_create", args=[post.pk]), {"body": "hi"}),
        client.post(reverse("feed_post_delete", args=[post.pk])),
        client.post(reverse("feed_post_pin", args=[post.pk])),
        client.get(reverse("feed_post_history", args=[post.pk])),
        client.get(reverse("feed_comment_edit", args=[comment.pk])),
    ]
    assert [r.status_code for r in posted] == [404] * len(posted)
    assert post.reactions.count() == 1 and post.comments.count() == 1
    read = client.post(reverse("feed_read"), {"posts": [post.pk]}, content_type="application/json")
    assert read.json() == {"recorded": 0}


def test_deactivated_viewer_sees_nothing_through_selectors(world):
    eve = world["eve"]
    assert not selectors.posts_visible_to(eve).exists()
    assert selectors.feed_page(eve).posts == []
    assert selectors.comments_for(eve, world.posts["private"]) == []


def test_removed_member_loses_access_to_old_links(client, world):
    client.force_login(world["dave"])
    assert client.get(reverse("feed_post", args=[world.posts["private"].pk])).status_code == 404


def test_secret_group_names_do_not_show_in_the_feed_filter(client, world):
    client.force_login(world["bob"])
    html = client.get(reverse("feed")).content.decode()
    assert "Zeta secret" not in html and "Zeta private" not in html


def test_reactions_of_unreadable_posts_are_not_counted_in_pages(client, world):
    client.force_login(world["alice"])
    html = client.get(reverse("feed_post", args=[world.posts["private"].pk])).content.decode()
    assert 'class="reaction-count">1<' in html
