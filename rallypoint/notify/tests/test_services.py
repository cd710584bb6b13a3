"""Notifying people: who is told, grouping, marking read, and the live counter."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from rallypoint.notify import selectors
from rallypoint.notify.models import Notification
from rallypoint.notify.services import (
    notification_mark_read,
    notification_notify,
    notifications_mark_all_read,
)
from rallypoint.people.models import User
from rallypoint.spaces import services as space_services

from .conftest import Company, person

Kind = Notification.Kind


def react(company: Company, actor: User, *, to: User | None = None, key: str = "post:7") -> list:
    return notification_notify(
        recipients=[to or company.ana],
        kind=Kind.REACTION,
        actor=actor,
        space=None,
        target=company.group,
        url="/posts/7/",
        summary="reacted to your post “Launch day”",
        group_key=f"reaction:{key}",
    )


def test_notify_tells_each_recipient_once_and_never_the_actor(company):
    notified = notification_notify(
        recipients=[company.ben, company.cleo, company.ben, company.ana],
        kind=Kind.MENTION,
        actor=company.ana,
        space=None,
        target=company.group,
        url="/spaces/launch/",
        summary="mentioned you in a comment",
    )

    assert sorted(notified) == sorted([company.ben.pk, company.cleo.pk])
    rows = Notification.objects.order_by("recipient__email")
    assert [(n.recipient, n.kind, n.actor, n.summary) for n in rows] == [
        (company.ben, "mention", company.ana, "mentioned you in a comment"),
        (company.cleo, "mention", company.ana, "mentioned you in a comment"),
    ]
    assert (rows[0].target_type, rows[0].target_id) == ("spaces.space", str(company.group.pk))
    assert not Notification.objects.filter(recipient=company.ana).exists()


def test_notify_skips_inactive_people(company):
    User.objects.filter(pk=company.cleo.pk).update(is_active=False)

    notified = notification_notify(
        recipients=[company.ben, company.cleo],
        kind=Kind.ANNOUNCEMENT,
        actor=None,
        space=None,
        target=None,
        url="",
        summary="Office closed on Friday",
    )

    assert notified == [company.ben.pk]
    assert list(Notification.objects.values_list("recipient__email", flat=True)) == [
        "ben@example.com"
    ]


def test_notify_skips_people_who_cannot_read_the_space(company):
    notified = notification_notify(
        recipients=[company.ben, company.cleo, company.dan],
        kind=Kind.ANNOUNCEMENT,
        actor=company.ana,
        space=company.group,
        target=company.group,
        url="/spaces/launch/",
        summary="Launch moved to Tuesday",
    )

    assert notified == [company.ben.pk]
    assert Notification.objects.get().recipient == company.ben


def test_reactions_to_one_post_are_grouped_into_one_unread_notification(company):
    react(company, company.ben)
    react(company, company.cleo)
    react(company, company.ben)

    notification = Notification.objects.get()
    assert notification.count == 3
    assert notification.actor == company.ben
    assert notification.actor_ids == [company.ben.pk, company.cleo.pk]
    assert notification.others == 1


def test_a_new_group_starts_once_the_grouped_notification_was_read(company):
    react(company, company.ben)
    first = Notification.objects.get()
    notification_mark_read(viewer=company.ana, notification_id=first.pk)

    react(company, company.cleo)

    newest = selectors.notifications_visible_to(company.ana).first()
    assert newest is not None and newest.pk != first.pk
    assert (newest.count, newest.actor, newest.read_at) == (1, company.cleo, None)
    first.refresh_from_db()
    assert first.count == 1 and first.read_at is not None


def test_grouping_moves_the_group_to_the_top_and_keeps_other_groups_apart(company):
    react(company, company.ben, key="post:1")
    react(company, company.ben, key="post:2")
    react(company, company.cleo, key="post:1")

    rows = list(selectors.notifications_visible_to(company.ana))
    assert [(n.group_key, n.count) for n in rows] == [
        ("reaction:post:1", 2),
        ("reaction:post:2", 1),
    ]


def test_notifications_without_a_group_key_are_never_merged(company):
    for _ in range(2):
        notification_notify(
            recipients=[company.ben],
            kind=Kind.REPLY,
            actor=company.cleo,
            space=None,
            target=None,
            url="/posts/1/",
            summary="replied to your comment",
        )

    assert Notification.objects.filter(recipient=company.ben).count() == 2


def test_the_database_refuses_two_unread_notifications_of_one_group(company):
    react(company, company.ben)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            recipient=company.ana, kind=Kind.REACTION, summary="x", group_key="reaction:post:7"
        )


def test_summary_is_one_line_of_bounded_plain_text(company):
    notification_notify(
        recipients=[company.ben],
        kind=Kind.MENTION,
        actor=company.ana,
        space=None,
        target=None,
        url="/posts/1/",
        summary="mentioned you:\n\n  " + "word " * 100,
    )

    summary = Notification.objects.get().summary
    assert "\n" not in summary and "  " not in summary
    assert summary.startswith("mentioned you: word word")
    assert len(summary) == 300 and summary.endswith("…")


@pytest.mark.parametrize(
    "url", ["https://elsewhere.example/", "//elsewhere.example/", "javascript:alert(1)"]
)
def test_notifications_only_link_inside_rallypoint(company, url):
    with pytest.raises(ValueError):
        notification_notify(
            recipients=[company.ben],
            kind=Kind.MENTION,
            actor=company.ana,
            space=None,
            target=None,
            url=url,
            summary="mentioned you",
        )
    assert not Notification.objects.exists()


def test_an_unknown_kind_is_refused(company):
    with pytest.raises(ValueError):
        notification_notify(
            recipients=[company.ben],
            kind="gossip",
            actor=None,
            space=None,
            target=None,
            url="",
            summary="psst",
        )


def test_removed_from_a_private_space_its_notifications_vanish_at_once(company):
    notification_notify(
        recipients=[company.ben],
        kind=Kind.ANNOUNCEMENT,
        actor=company.ana,
        space=company.group,
        target=company.group,
        url="/spaces/launch/",
        summary="Secret launch plan",
    )
    notification_notify(
        recipients=[company.ben],
        kind=Kind.MENTION,
        actor=company.cleo,
        space=None,
        target=None,
        url="/posts/1/",
        summary="mentioned you",
    )
    assert selectors.notifications_unread_count(company.ben) == 2

    space_services.membership_remove(actor=company.ana, membership=company.membership(company.ben))

    visible = selectors.notifications_visible_to(company.ben)
    assert [n.summary for n in visible] == ["mentioned you"]
    assert selectors.notifications_unread_count(company.ben) == 1
    with pytest.raises(Http404):
        notification_mark_read(
            viewer=company.ben,
            notification_id=Notification.objects.get(summary="Secret launch plan").pk,
        )


def test_a_deactivated_person_sees_no_notifications(company):
    react(company, company.ben)
    User.objects.filter(pk=company.ana.pk).update(is_active=False)
    company.ana.refresh_from_db()

    assert list(selectors.notifications_visible_to(company.ana)) == []
    assert selectors.notifications_unread_count(company.ana) == 0


def test_mark_read_only_reaches_ones_own_notifications(company):
    react(company, company.ben)
    mine = Notification.objects.get()

    with pytest.raises(Http404):
        notification_mark_read(viewer=company.ben, notification_id=mine.pk)
    mine.refresh_from_db()
    assert mine.read_at is None

    notification_mark_read(viewer=company.ana, notification_id=mine.pk)
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert selectors.notifications_unread_count(company.ana) == 0


def test_mark_all_read_marks_every_visible_unread_notification_of_the_viewer(company):
    react(company, company.ben, key="post:1")
    react(company, company.ben, key="post:2")
    react(company, company.ana, to=company.cleo)

    assert notifications_mark_all_read(viewer=company.ana) == 2

    assert selectors.notifications_unread_count(company.ana) == 0
    assert selectors.notifications_unread_count(company.cleo) == 1
    assert notifications_mark_all_read(viewer=company.ana) == 0


def test_each_recipient_hears_their_new_unread_count_live(
    company, listen, django_capture_on_commit_callbacks
):
    react(company, company.ben, key="post:1")
    listener = listen(company.ana, company.cleo, company.dan)

    with django_capture_on_commit_callbacks(execute=True):
        notification_notify(
            recipients=[company.ana, company.cleo],
            kind=Kind.MENTION,
            actor=company.ben,
            space=None,
            target=None,
            url="/posts/1/",
            summary="mentioned you",
        )

    heard = {(m.channel, m.event, m.data["unread"]) for m in listener.received(2)}
    assert heard == {
        (f"user:{company.ana.pk}", "notifications", 2),
        (f"user:{company.cleo.pk}", "notifications", 1),
    }


def test_marking_read_updates_the_live_count_and_a_rollback_sends_nothing(
    company, listen, django_capture_on_commit_callbacks
):
    react(company, company.ben, key="post:1")
    react(company, company.ben, key="post:2")
    listener = listen(company.ana)

    with django_capture_on_commit_callbacks(execute=True):
        notification_mark_read(
            viewer=company.ana, notification_id=Notification.objects.order_by("pk")[0].pk
        )
    assert [m.data for m in listener.received(1)] == [{"unread": 1}]

    with (
        pytest.raises(RuntimeError),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        react(company, company.cleo, key="post:3")
        raise RuntimeError("the caller's transaction fails")
    with django_capture_on_commit_callbacks(execute=True):
        notifications_mark_all_read(viewer=company.ana)

    assert [m.data for m in listener.received(2)] == [{"unread": 1}, {"unread": 0}]


def test_notifying_many_people_costs_queries_independent_of_their_number(
    company, django_assert_max_num_queries
):
    people = [person(f"p{i}@example.com", f"Person {i}") for i in range(40)]

    with django_assert_max_num_queries(6):
        notification_notify(
            recipients=people,
            kind=Kind.ANNOUNCEMENT,
            actor=company.ana,
            space=None,
            target=None,
            url="/",
            summary="All hands at noon",
        )

    assert Notification.objects.count() == 40
