"""Every write to notifications, and the live unread counter that follows it.

Other apps call ``notification_notify`` from their own services when something happens
that people should hear about (a mention, a reply, a reaction, an announcement). The
counter in each recipient's top bar is updated after the transaction commits, through
``core.realtime.publish_to_user(user_id, "notifications", {"unread": n})``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.core.broker import Message
from rallypoint.core.realtime import get_broker, publish_to_user, user_channel
from rallypoint.notify import selectors
from rallypoint.notify.models import SUMMARY_MAX, Notification, NotificationPreference
from rallypoint.people.models import User
from rallypoint.spaces.models import Space
from rallypoint.spaces.selectors import space_content_visible_to

LIVE_EVENT = "notifications"
BATCH_SIZE = 1000
# From this many recipients, unread counters are computed in one grouped query.
BULK_COUNT_FROM = 50


def _clean_summary(summary: str) -> str:
    text = " ".join(summary.split())
    if not text:
        raise ValueError("A notification needs a summary")
    if len(text) > SUMMARY_MAX:
        text = text[: SUMMARY_MAX - 1].rstrip() + "…"
    return text


def _check_url(url: str) -> str:
    """Notifications link inside Rallypoint only: a path, never another site or a scheme."""
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValueError(f"A notification links to a path inside Rallypoint, not {url!r}")
    return url


def _target_fields(target: models.Model | None) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": ""}
    meta = target._meta
    return {"target_type": f"{meta.app_label}.{meta.model_name}", "target_id": str(target.pk)}


def _recipients_allowed(
    recipients: Iterable[User],
    *,
    actor: User | None,
    space: Space | None,
    kind: str,
    bypass_preferences: bool = False,
) -> list[User]:
    """Active people other than ``actor`` who may read ``space`` and did not turn
    ``kind`` off (unless ``bypass_preferences``), each once. One query without a
    private space."""
    wanted = {user.pk for user in recipients}
    if actor is not None:
        wanted.discard(actor.pk)
    if not wanted:
        return []
    people_query = User.objects.filter(pk__in=wanted, is_active=True)
    if not bypass_preferences:
        people_query = people_query.exclude(
            Exists(
                NotificationPreference.objects.filter(
                    user_id=OuterRef("pk"), kind=kind, in_app=False
                )
            )
        )
    people = list(people_query.order_by("pk"))
    if space is None:
        return people
    return [person for person in people if space_content_visible_to(person, space)]


def _publish_unread(user_ids: Iterable[int]) -> None:
    """Tell each person's open pages their new unread count (run after commit).

    Up to ``BULK_COUNT_FROM`` people, each count comes from the selector; above that
    (an announcement to a whole department or company) the counts come from one grouped
    query (``selectors.notifications_unread_counts``) and go out in one broker batch.
    """
    ids = set(user_ids)
    if len(ids) < BULK_COUNT_FROM:
        for person in User.objects.filter(pk__in=ids):
            publish_to_user(
                person.pk, LIVE_EVENT, {"unread": selectors.notifications_unread_count(person)}
            )
        return
    counts = selectors.notifications_unread_counts(ids)
    get_broker().publish_many(
        Message(channel=user_channel(pk), event=LIVE_EVENT, data={"unread": counts.get(pk, 0)})
        for pk in sorted(ids)
    )


def _after_commit(user_ids: Iterable[int]) -> None:
    ids = sorted(set(user_ids))
    if ids:
        transaction.on_commit(lambda: _publish_unread(ids))


def _fold_into_unread(
    *, people: list[User], group_key: str, actor: User | None, fields: dict[str, Any]
) -> set[int]:
    """Add one event to each person's unread row for ``group_key``; return who had one."""
    rows = list(
        Notification.objects.select_for_update().filter(
            recipient__in=people, group_key=group_key, read_at__isnull=True
        )
    )
    now = timezone.now()
    for row in rows:
        row.count += 1
        if actor is not None and actor.pk not in row.actor_ids:
            row.actor_ids = [*row.actor_ids, actor.pk]
        row.actor = actor
        row.updated_at = now
        for name, value in fields.items():
            setattr(row, name, value)
    Notification.objects.bulk_update(
        rows, ["count", "actor_ids", "actor", "updated_at", *fields.keys()]
    )
    return {row.recipient_id for row in rows}


@transaction.atomic
def notification_notify(
    *,
    recipients: Iterable[User],
    kind: str,
    actor: User | None,
    space: Space | None,
    target: models.Model | None,
    url: str,
    summary: str,
    group_key: str | None = None,
    bypass_preferences: bool = False,
) -> list[int]:
    """Notify ``recipients`` of one event; return the ids of the people notified.

    ``actor`` is never notified of their own action; inactive people and people who
    cannot read ``space`` are skipped. ``summary`` is plain text without the actor's
    name; ``url`` a path inside Rallypoint. With a ``group_key`` (say ``reaction:post:7``)
    the event joins the recipient's unread notification with that key — one more in
    ``count``, ``actor``, ``summary`` and ``url`` refreshed, moved to the top — instead
    of adding a row. Each recipient's live counter is updated after commit.

    People who turned ``kind`` off in their notification settings are skipped, unless
    ``bypass_preferences`` (urgent announcements). Rows are written in batches of
    ``BATCH_SIZE``, so an announcement to 10,000 people is a few queries.
    """
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    fields: dict[str, Any] = {
        "kind": kind,
        "space": space,
        "url": _check_url(url),
        "summary": _clean_summary(summary),
        **_target_fields(target),
    }
    people = _recipients_allowed(
        recipients, actor=actor, space=space, kind=kind, bypass_preferences=bypass_preferences
    )
    if not people:
        return []
    actor_ids = [actor.pk] if actor is not None else []
    folded: set[int] = set()
    for attempt in (1, 2):
        if group_key:
            folded = _fold_into_unread(
                people=people, group_key=group_key, actor=actor, fields=fields
            )
        rows = [
            Notification(
                recipient=person,
                actor=actor,
                actor_ids=actor_ids,
                group_key=group_key or "",
                **fields,
            )
            for person in people
            if person.pk not in folded
        ]
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            break
        except IntegrityError:
            # Another request created an unread row of this group meanwhile (the unique
            # constraint caught it): fold into that row instead, once.
            if attempt == 2 or not group_key:
                raise
    notified = [person.pk for person in people]
    _after_commit(notified)
    return notified


@transaction.atomic
def notification_mark_read(*, viewer: User, notification_id: int) -> Notification:
    """Mark one of ``viewer``'s own visible notifications read (404 for any other)."""
    notification = selectors.notification_get_visible(viewer, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _after_commit([viewer.pk])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, viewer: User) -> int:
    """Mark every unread notification ``viewer`` can see read; return how many."""
    changed = (
        selectors.notifications_visible_to(viewer)
        .filter(read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    if changed:
        _after_commit([viewer.pk])
    return changed


@transaction.atomic
def notification_preferences_set(*, user: User, in_app: dict[str, bool]) -> None:
    """Turn kinds of in-app notification on or off for ``user`` (only optional kinds)."""
    allowed = set(NotificationPreference.OPTIONAL_KINDS)
    for kind, enabled in in_app.items():
        if kind not in allowed:
            raise ValidationError(_("Unknown kind of notification: %(kind)s") % {"kind": kind})
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"in_app": bool(enabled)}
        )
