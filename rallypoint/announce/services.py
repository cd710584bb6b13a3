"""Every write to announcements: compose, publish, open, acknowledge, and reminders.

Publishing writes one ``AnnouncementRecipient`` per person in the audience at that
moment (in batches) and notifies them in bulk. People who join the audience later see
the announcement too (the audience is decided at read time, see ``selectors``); their
recipient row is written when they first open or acknowledge it, and they get no
notification or reminder before that.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.announce import selectors
from rallypoint.announce.models import Announcement, AnnouncementRecipient
from rallypoint.core.audit import audit_record
from rallypoint.core.markdown import render_markdown
from rallypoint.core.realtime import publish_to_user
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import Department, Location, User
from rallypoint.spaces.models import Space

BATCH_SIZE = 1000
STATS_EVENT = "announcement_stats"


def max_reminders() -> int:
    """How many reminders one person gets at most (``ANNOUNCE_MAX_REMINDERS``)."""
    return int(settings.ANNOUNCE_MAX_REMINDERS)


def _require_communications(actor: User) -> None:
    if not actor.is_communications:
        raise PermissionDenied(
            _("Only communications managers and administrators publish announcements.")
        )


def _check_spaces(actor: User, spaces: Iterable[Space]) -> list[Space]:
    chosen = list(spaces)
    allowed = set(
        selectors.audience_choices(actor)
        .spaces.filter(pk__in=[s.pk for s in chosen])
        .values_list("pk", flat=True)
    )
    if any(space.pk not in allowed for space in chosen):
        raise ValidationError({"spaces": _("You cannot address one of those spaces.")})
    return chosen


@transaction.atomic
def announcement_create(
    *,
    author: User,
    title: str,
    body: str,
    to_everyone: bool = False,
    departments: Iterable[Department] = (),
    locations: Iterable[Location] = (),
    spaces: Iterable[Space] = (),
    must_read: bool = False,
    urgent: bool = False,
    reminder_after_days: int | None = None,
    publish: bool = True,
    request: Any = None,
) -> Announcement:
    """Write an announcement (a draft, or published at once with ``publish``).

    Urgent announcements are must-read: acknowledging is how they leave the top of the
    feed. Reminders need must-read.
    """
    _require_communications(author)
    departments, locations = list(departments), list(locations)
    chosen_spaces = _check_spaces(author, spaces)
    if not (to_everyone or departments or locations or chosen_spaces):
        raise ValidationError(_("Choose who the announcement is for."))
    if urgent:
        must_read = True
    if reminder_after_days is not None and not must_read:
        raise ValidationError(
            {"reminder_after_days": _("Reminders are for must-read announcements.")}
        )
    announcement = Announcement(
        author=author,
        title=" ".join(title.split()),
        body=body.strip(),
        to_everyone=to_everyone,
        must_read=must_read,
        urgent=urgent,
        reminder_after_days=reminder_after_days,
    )
    announcement.body_html = str(render_markdown(announcement.body))
    announcement.full_clean()
    announcement.save()
    announcement.departments.set(departments)
    announcement.locations.set(locations)
    announcement.spaces.set(chosen_spaces)
    if publish:
        announcement_publish(actor=author, announcement=announcement, request=request)
    return announcement


@transaction.atomic
def announcement_publish(
    *, actor: User, announcement: Announcement, request: Any = None
) -> Announcement:
    """Publish a draft: deliver it to everyone in its audience now and notify them.

    Communications managers and administrators only. Recipients are written with
    ``bulk_create`` in batches and notified in bulk; urgent announcements reach everyone
    whatever their notification settings.
    """
    _require_communications(actor)
    locked = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if locked.is_published:
        raise ValidationError(_("This announcement is already published."))
    now = timezone.now()
    locked.status = Announcement.Status.PUBLISHED
    locked.published_at = now
    locked.full_clean()
    locked.save(update_fields=["status", "published_at"])
    announcement.status, announcement.published_at = locked.status, locked.published_at
    audience = list(selectors.audience_of(locked).order_by("pk").values_list("pk", "department_id"))
    AnnouncementRecipient.objects.bulk_create(
        (
            AnnouncementRecipient(
                announcement=locked, user_id=pk, department_id=department_id, delivered_at=now
            )
            for pk, department_id in audience
        ),
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    _notify(locked, [User(pk=pk) for pk, _department in audience], reminder=False)
    audit_record(
        action="announce.published",
        actor=actor,
        target=locked,
        request=request,
        details={
            "recipients": len(audience),
            "urgent": locked.urgent,
            "must_read": locked.must_read,
        },
    )
    return announcement


def _notify(announcement: Announcement, people: list[User], *, reminder: bool) -> list[int]:
    url = reverse("announce_detail", args=[announcement.pk])
    if reminder:
        summary = _("Reminder: please read and acknowledge “%(title)s”") % {
            "title": announcement.title
        }
    elif announcement.urgent:
        summary = _("Urgent announcement: “%(title)s”") % {"title": announcement.title}
    else:
        summary = _("New announcement: “%(title)s”") % {"title": announcement.title}
    return notification_notify(
        recipients=people,
        kind=Notification.Kind.ANNOUNCEMENT,
        actor=None if reminder else announcement.author,
        space=None,
        target=announcement,
        url=url,
        summary=summary,
        bypass_preferences=announcement.urgent,
    )


def _stats_changed(announcement: Announcement) -> None:
    author_id, pk = announcement.author_id, announcement.pk
    transaction.on_commit(lambda: publish_to_user(author_id, STATS_EVENT, {"id": pk}))


def _receipt(viewer: User, announcement: Announcement, now: datetime.datetime) -> int:
    """The viewer's recipient row id, written now if they joined the audience later."""
    AnnouncementRecipient.objects.bulk_create(
        [
            AnnouncementRecipient(
                announcement=announcement,
                user=viewer,
                department_id=viewer.department_id,
                delivered_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    return AnnouncementRecipient.objects.values_list("pk", flat=True).get(
        announcement=announcement, user=viewer
    )


def _announcement_in_audience(viewer: User, announcement_id: int) -> Announcement:
    announcement = selectors.announcement_get_visible(viewer, announcement_id)
    if not announcement.in_audience:
        raise PermissionDenied(_("This announcement is not addressed to you."))
    return announcement


@transaction.atomic
def announcement_mark_opened(*, viewer: User, announcement_id: int) -> bool:
    """Record that ``viewer`` opened an announcement addressed to them (once); return
    whether this was the first time. 404 for one they may not see."""
    announcement = selectors.announcement_get_visible(viewer, announcement_id)
    if not announcement.in_audience:
        return False
    now = timezone.now()
    pk = _receipt(viewer, announcement, now)
    changed = AnnouncementRecipient.objects.filter(pk=pk, opened_at__isnull=True).update(
        opened_at=now
    )
    if changed:
        _stats_changed(announcement)
    return bool(changed)


@transaction.atomic
def announcements_mark_opened(*, viewer: User, announcement_ids: Iterable[int]) -> int:
    """``announcement_mark_opened`` for a few announcements seen on screen at once,
    ignoring those ``viewer`` may not see; return how many were opened for the first
    time."""
    ids = sorted({int(pk) for pk in announcement_ids})[:50]
    visible = list(selectors.announcements_for(viewer).filter(pk__in=ids))
    opened = 0
    for announcement in visible:
        now = timezone.now()
        pk = _receipt(viewer, announcement, now)
        if AnnouncementRecipient.objects.filter(pk=pk, opened_at__isnull=True).update(
            opened_at=now
        ):
            opened += 1
            _stats_changed(announcement)
    return opened


@transaction.atomic
def announcement_acknowledge(*, viewer: User, announcement_id: int) -> AnnouncementRecipient:
    """``viewer`` acknowledges a must-read announcement addressed to them. Idempotent: a
    second call changes nothing. 404 for one they may not see (someone who left the
    audience included)."""
    announcement = _announcement_in_audience(viewer, announcement_id)
    if not announcement.must_read:
        raise ValidationError(_("This announcement does not ask for an acknowledgement."))
    now = timezone.now()
    pk = _receipt(viewer, announcement, now)
    changed = AnnouncementRecipient.objects.filter(pk=pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now,
        # Acknowledging counts as opening, for people who acknowledge from the feed.
        opened_at=Coalesce(F("opened_at"), Value(now, output_field=DateTimeField())),
    )
    if changed:
        _stats_changed(announcement)
    return AnnouncementRecipient.objects.get(pk=pk)


def announcement_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind people who have not acknowledged a must-read announcement; return how many.

    A recipient still in the audience is reminded ``reminder_after_days`` after delivery,
    then again every that many days, at most ``max_reminders()`` times. Each round is
    claimed row by row with one conditional UPDATE (the row still unacknowledged, under
    the limit and due), tagged with this run's claim id; whoever's UPDATE matched a row
    sends its reminder, so two workers running at once never remind anyone twice.
    """
    now = now or timezone.now()
    limit = max_reminders()
    sent = 0
    due_announcements = Announcement.objects.filter(
        status=Announcement.Status.PUBLISHED, must_read=True, reminder_after_days__isnull=False
    ).order_by("pk")
    for announcement in due_announcements:
        assert announcement.reminder_after_days is not None
        cutoff = now - datetime.timedelta(days=announcement.reminder_after_days)
        claim = uuid.uuid4()
        claimed = AnnouncementRecipient.objects.filter(
            Q(last_reminded_at__isnull=True, delivered_at__lte=cutoff)
            | Q(last_reminded_at__lte=cutoff),
            announcement=announcement,
            acknowledged_at__isnull=True,
            reminders_sent__lt=limit,
            user__in=selectors.audience_of(announcement),
        ).update(last_reminded_at=now, reminders_sent=F("reminders_sent") + 1, reminder_claim=claim)
        if not claimed:
            continue
        people = [
            User(pk=pk)
            for pk in AnnouncementRecipient.objects.filter(reminder_claim=claim).values_list(
                "user_id", flat=True
            )
        ]
        with transaction.atomic():
            _notify(announcement, people, reminder=True)
        sent += len(people)
    return sent
