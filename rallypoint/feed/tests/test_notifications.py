"""Comments, replies and reactions tell the people they concern, grouped, never leaking."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rallypoint.feed import services
from rallypoint.notify.models import Notification
from rallypoint.notify.selectors import notifications_unread_count, notifications_visible_to
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import SpaceMembership


@pytest.fixture
def quiet(world):
    """The world without the notifications its set-up caused."""
    Notification.objects.all().delete()
    return world


def test_a_comment_tells_the_post_author_with_a_link_to_it(quiet):
    world = quiet
    post = services.post_create(
        author=world["alice"], space=world.engineering, body="Shipping the **new** search today"
    )
    comment = services.comment_create(author=world["carol"], post=post, body="Congrats!")

    note = notifications_visible_to(world["alice"]).get()
    assert note.kind == Notification.Kind.REPLY
    assert note.actor == world["carol"]
    assert note.url == reverse("feed_post", args=[post.pk]) + f"#comment-{comment.pk}"
    assert note.summary == "commented on your post “Shipping the new search today”"
    assert not notifications_visible_to(world["carol"]).exists()


def test_commenting_on_my_own_post_tells_nobody(quiet):
    world = quiet
    post = services.post_create(author=world["alice"], space=world.engineering, body="Notes")
    services.comment_create(author=world["alice"], post=post, body="One more thing")
    assert not Notification.objects.exists()


def test_comments_from_several_people_join_one_unread_notification(quiet):
    world = quiet
    post = services.post_create(author=world["alice"], space=world.engineering, body="Retro")
    services.comment_create(author=world["carol"], post=post, body="Good one")
    services.comment_create(author=world["olga"], post=post, body="Agreed")
    services.comment_create(author=world["carol"], post=post, body="And another")

    note = notifications_visible_to(world["alice"]).get()
    assert note.count == 3
    assert note.actor == world["carol"]
    assert notifications_unread_count(world["alice"]) == 1


def test_a_reply_tells_the_comment_author_and_the_post_author(quiet):
    world = quiet
    post = services.post_create(author=world["alice"], space=world.engineering, body="Plan")
    top = services.comment_create(author=world["carol"], post=post, body="Question?")
    services.comment_create(author=world["olga"], post=post, body="Answer.", parent=top)

    carol_note = notifications_visible_to(world["carol"]).get()
    assert carol_note.summary == "replied to your comment on “Plan”"
    alice_notes = notifications_visible_to(world["alice"])
    assert alice_notes.count() == 1
    assert alice_notes.get().count == 2  # carol's comment and olga's reply


def test_reactions_tell_the_author_once_grouped_and_not_when_taken_back(quiet):
    world = quiet
    post = services.post_create(author=world["alice"], space=world.engineering, body="Launch")
    services.reaction_toggle(user=world["carol"], post=post, emoji="tada")
    services.reaction_toggle(user=world["olga"], post=post, emoji="heart")

    note = notifications_visible_to(world["alice"]).get()
    assert note.kind == Notification.Kind.REACTION
    assert note.count == 2
    assert note.summary == "reacted ❤️ to your post “Launch”"

    services.reaction_toggle(user=world["olga"], post=post, emoji="heart")  # taken back
    note.refresh_from_db()
    assert note.count == 2


def test_notifications_of_a_private_group_vanish_when_access_ends(world):
    group = world.groups["private"]
    post = world.posts["private"]  # alice's post; carol commented and reacted in set-up
    assert notifications_visible_to(world["alice"]).filter(space=group).count() == 2

    before = notifications_unread_count(world["alice"])

    membership = SpaceMembership.objects.get(space=group, user=world["alice"])
    space_services.membership_remove(actor=world["olga"], membership=membership)
    assert not notifications_visible_to(world["alice"]).filter(space=group).exists()
    assert notifications_unread_count(world["alice"]) == before - 2
    assert post.pk  # the post itself is untouched
