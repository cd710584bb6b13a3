"""Search shows each person exactly what they may read: no leak, at once after a change."""

from __future__ import annotations

import pytest

from rallypoint.feed import services
from rallypoint.people.models import User
from rallypoint.search.tests.conftest import (
    ALL_VIEWERS,
    READERS_BY_KIND,
    SearchWorld,
    hits,
    search,
)
from rallypoint.spaces import invitations as space_invitations
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import Space, SpaceMembership


def test_posts_and_comments_follow_the_space_rules_for_every_viewer(sworld: SearchWorld) -> None:
    for viewer_key in ALL_VIEWERS:
        viewer = sworld[viewer_key]
        found = hits(viewer, "zebra")
        expected = set()
        for kind, readers in READERS_BY_KIND.items():
            if viewer_key in readers:
                expected.add(("post", sworld.posts[kind].pk))
                expected.add(("comment", sworld.comments[kind].pk))
        assert found == expected, viewer_key


def test_the_matrix_holds_per_kind_with_counts_and_filters(sworld: SearchWorld) -> None:
    for viewer_key in ALL_VIEWERS:
        viewer = sworld[viewer_key]
        for kind, space in sworld.spaces.items():
            readable = viewer_key in READERS_BY_KIND[kind]
            results = search(viewer, "zebra", space=space)
            assert results.counts["post"] == (1 if readable else 0), (viewer_key, kind)
            assert results.counts["comment"] == (1 if readable else 0), (viewer_key, kind)
            posts_only = search(viewer, "zebra", space=space, kind="post")
            assert len(posts_only.hits) == (1 if readable else 0)


def test_a_removed_member_loses_hits_at_once(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    secret = sworld.spaces[Space.Kind.SECRET]
    assert ("post", sworld.posts[Space.Kind.SECRET].pk) in hits(alice, "zebra")
    space_services.membership_remove(
        actor=sworld["olga"], membership=SpaceMembership.objects.get(space=secret, user=alice)
    )
    found = hits(alice, "zebra")
    assert ("post", sworld.posts[Space.Kind.SECRET].pk) not in found
    assert ("comment", sworld.comments[Space.Kind.SECRET].pk) not in found
    assert search(alice, "zebra", space=secret).total == 0
    # And the secret space itself is no longer found by name.
    assert ("space", secret.pk) not in hits(alice, "zeta secret")


def test_a_person_deactivated_while_signed_in_finds_nothing(sworld: SearchWorld) -> None:
    carol = sworld["carol"]
    assert hits(carol, "zebra")
    User.objects.filter(pk=carol.pk).update(is_active=False)
    carol.refresh_from_db()
    assert search(carol, "zebra").total == 0
    assert search(carol, "alice").total == 0


def test_deactivated_people_are_not_found(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    assert ("person", sworld["eve"].pk) not in hits(alice, "eve")
    assert ("person", sworld["carol"].pk) in hits(alice, "carol")


def test_secret_groups_are_found_only_by_members_invitees_and_administrators(
    sworld: SearchWorld,
) -> None:
    secret = sworld.spaces[Space.Kind.SECRET]
    private = sworld.spaces[Space.Kind.PRIVATE]
    for key in ("alice", "carol", "olga", "ada"):
        assert ("space", secret.pk) in hits(sworld[key], "zeta"), key
    for key in ("bob", "dave", "eve"):
        assert ("space", secret.pk) not in hits(sworld[key], "zeta"), key
    # A private group is listed to everyone (its name), its posts are not.
    assert ("space", private.pk) in hits(sworld["bob"], "zeta")
    space_invitations.space_invite(actor=sworld["olga"], space=secret, user=sworld["bob"])
    assert ("space", secret.pk) in hits(sworld["bob"], "zeta")
    assert ("post", sworld.posts[Space.Kind.SECRET].pk) not in hits(sworld["bob"], "zebra")


@pytest.mark.parametrize("how", ["hidden", "deleted", "draft"])
def test_hidden_deleted_and_unpublished_posts_are_found_by_nobody(
    sworld: SearchWorld, how: str
) -> None:
    from django.utils import timezone

    from rallypoint.feed.models import Post

    post = sworld.posts[Space.Kind.OPEN]
    if how == "hidden":
        # A queryset update sends no signal: visibility must not depend on the index.
        Post.objects.filter(pk=post.pk).update(hidden_at=timezone.now())
    elif how == "deleted":
        services.post_delete(actor=sworld["alice"], post=post)
    else:
        Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    for key in ALL_VIEWERS:
        found = hits(sworld[key], "zebra")
        assert ("post", post.pk) not in found, key
        # The comments of a post nobody may read go with it.
        assert ("comment", sworld.comments[Space.Kind.OPEN].pk) not in found, key
