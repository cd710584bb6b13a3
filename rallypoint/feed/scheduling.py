"""Drafts, scheduled posts and recurring updates, and the job that publishes them.

A post that is not yet out is a ``Post`` row with ``status`` draft or scheduled: only its
author sees it (the selectors show published posts only). A recurring update is a
``PostSchedule``; each of its occurrences becomes one published ``Post`` whose
(``schedule``, ``occurrence_at``) is unique.

Times are stored in UTC and entered and shown in the author's time zone. Occurrences of a
recurring update follow the wall clock of the schedule's time zone (09:00 Europe/Berlin
stays 09:00 across daylight saving changes). As in iCalendar (RFC 5545), a time that does
not exist on the day clocks go forward is read with the offset before the gap, which moves
it forward by the gap (02:30 becomes 03:30), and a time that happens twice when clocks go
back means the first of the two. A monthly update on the 29th, 30th or 31st goes out on
the last day of shorter months.

Exactly once: ``scheduled_posts_publish_due`` claims each due post with a conditional
UPDATE, and each due occurrence by inserting its post under the unique constraint and
moving the schedule's ``next_run_at`` on, each in one transaction together with
``services.post_published``. A worker that dies mid-transaction leaves nothing behind, and
the next run (of any worker) publishes the item. After downtime only the latest missed
occurrence of each schedule is published, never a burst.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rallypoint.core.markdown import render_markdown
from rallypoint.feed import attachments, selectors, services
from rallypoint.feed.models import POST_MAX_LENGTH, Post, PostSchedule
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User
from rallypoint.spaces.models import Space
from rallypoint.spaces.selectors import spaces_visible_to

logger = logging.getLogger(__name__)

UTC = datetime.UTC
# How far ahead a post can be scheduled: far enough for any plan, near enough to catch
# a mistyped year.
SCHEDULE_HORIZON = datetime.timedelta(days=2 * 366)
# Items one run publishes at most; the next run (a minute later) takes the rest.
RUN_LIMIT = 1000
NOT_YET_PUBLISHED = (Post.Status.DRAFT, Post.Status.SCHEDULED)
Frequency = PostSchedule.Frequency


# ---------------------------------------------------------------- time zones and occurrences


def zone_of(name: str) -> zoneinfo.ZoneInfo:
    """The time zone called ``name``; UTC for an empty or unknown name."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def author_zone(author: User) -> zoneinfo.ZoneInfo:
    return zone_of(author.time_zone)


def local_instant(
    day: datetime.date, time_of_day: datetime.time, zone: zoneinfo.ZoneInfo
) -> datetime.datetime:
    """``time_of_day`` on ``day`` in ``zone``, as a UTC instant (RFC 5545 rules for a time
    that does not exist or happens twice on a day the clocks change)."""
    wall = datetime.datetime.combine(day, time_of_day.replace(tzinfo=None, fold=0), tzinfo=zone)
    return wall.astimezone(UTC)


def _day_of(
    frequency: str, day: datetime.date, weekday: int | None, day_of_month: int | None
) -> datetime.date | None:
    """The occurrence date in the period (day, week or month) ``day`` stands for, or None
    when ``day`` is not an occurrence date (daily and weekly rules)."""
    if frequency == Frequency.DAILY:
        return day
    if frequency == Frequency.WEEKLY:
        return day if day.weekday() == (weekday or 0) else None
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=min(day_of_month or 1, last))


def _occurrence_dates(
    schedule: ScheduleRule, start: datetime.date, step: int
) -> Iterator[datetime.date]:
    """Occurrence dates from ``start`` onwards (``step`` 1) or backwards (``step`` -1)."""
    if schedule.frequency == Frequency.MONTHLY:
        year, month = start.year, start.month
        while True:
            yield _day_of(
                Frequency.MONTHLY, datetime.date(year, month, 1), None, schedule.day_of_month
            )  # type: ignore[misc]
            month += step
            if month == 13:
                year, month = year + 1, 1
            elif month == 0:
                year, month = year - 1, 12
    else:
        day = start
        while True:
            found = _day_of(schedule.frequency, day, schedule.weekday, None)
            if found is not None:
                yield found
            day += datetime.timedelta(days=step)


@dataclass(frozen=True)
class ScheduleRule:
    """When a recurring update goes out; pure data, so the arithmetic is testable alone."""

    frequency: str
    time_of_day: datetime.time
    time_zone: str
    weekday: int | None = None
    day_of_month: int | None = None

    @classmethod
    def of(cls, schedule: PostSchedule) -> ScheduleRule:
        return cls(
            frequency=schedule.frequency,
            time_of_day=schedule.time_of_day,
            time_zone=schedule.time_zone,
            weekday=schedule.weekday,
            day_of_month=schedule.day_of_month,
        )

    def next_after(self, moment: datetime.datetime) -> datetime.datetime:
        """The first occurrence strictly after ``moment`` (a UTC instant)."""
        zone = zone_of(self.time_zone)
        # A day earlier than the local date: a shifted time can still fall after ``moment``.
        start = moment.astimezone(zone).date() - datetime.timedelta(days=1)
        if self.frequency == Frequency.MONTHLY:
            start = start.replace(day=1)
        for day in _occurrence_dates(self, start, 1):
            instant = local_instant(day, self.time_of_day, zone)
            if instant > moment:
                return instant
        raise AssertionError("unreachable")  # pragma: no cover

    def latest_at_or_before(self, moment: datetime.datetime) -> datetime.datetime:
        """The last occurrence at or before ``moment``."""
        zone = zone_of(self.time_zone)
        start = moment.astimezone(zone).date() + datetime.timedelta(days=1)
        if self.frequency == Frequency.MONTHLY:
            start = start.replace(day=1)
        for day in _occurrence_dates(self, start, -1):
            instant = local_instant(day, self.time_of_day, zone)
            if instant <= moment:
                return instant
        raise AssertionError("unreachable")  # pragma: no cover


def show_local(moment: datetime.datetime, zone_name: str) -> str:
    """``moment`` as the author reads it: "Mon 4 Nov 2024, 09:00 (Europe/Berlin)"."""
    local = moment.astimezone(zone_of(zone_name))
    return f"{date_format(local, 'D j M Y, H:i')} ({zone_name or 'UTC'})"


# ---------------------------------------------------------------- checks


def _require_can_post(author: User, space: Space) -> None:
    services._require_active(author)
    services._require_open(space)
    if not selectors.can_post_in(author, space):
        if space.kind == Space.Kind.COMPANY:
            raise PermissionDenied(
                _("Only communications managers and administrators post in the company space.")
            )
        raise PermissionDenied(_("Only members of this space can post in it."))


def _posting_refusal(author: User, space: Space) -> str:
    """Why ``author`` may not post in ``space`` now, or "" when they may."""
    try:
        _require_can_post(author, space)
    except (PermissionDenied, ValidationError) as error:
        return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    return ""


def _clean_body(body: str) -> str:
    return services._clean_text(body, limit=POST_MAX_LENGTH, what=_("post"))


def _require_future(
    author: User, at: datetime.datetime, *, now: datetime.datetime | None = None
) -> datetime.datetime:
    if at is None or timezone.is_naive(at):
        raise ValidationError(_("Choose the date and time it goes out."))
    now = now or timezone.now()
    if at <= now:
        raise ValidationError(
            _("Choose a time in the future: it is now %(now)s.")
            % {"now": show_local(now, author.time_zone)}
        )
    if at > now + SCHEDULE_HORIZON:
        raise ValidationError(_("Choose a time within the next two years."))
    return at.astimezone(UTC)


def _own_unpublished(actor: User, post: Post) -> Post:
    """``post`` locked, when it is ``actor``'s own draft or scheduled post."""
    services._require_active(actor)
    locked = (
        Post.objects.select_for_update(of=("self",))
        .filter(pk=post.pk, author_id=actor.pk, status__in=NOT_YET_PUBLISHED, deleted_at=None)
        .select_related("space", "author")
        .first()
    )
    if locked is None:
        raise ValidationError(_("This post is no longer a draft: it was published or deleted."))
    return locked


# ---------------------------------------------------------------- drafts and scheduled posts


def drafts_of(viewer: User) -> QuerySet[Post]:
    """``viewer``'s drafts and scheduled posts: drafts newest first, then scheduled by time."""
    return (
        Post.objects.filter(author_id=viewer.pk, status__in=NOT_YET_PUBLISHED, deleted_at=None)
        .select_related("space")
        .order_by("status", F("publish_at").asc(nulls_first=True), "-created_at", "-id")
    )


def draft_get(viewer: User, pk: int) -> Post:
    """One of ``viewer``'s own drafts or scheduled posts; 404 for anything else."""
    post = drafts_of(viewer).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if post is None:
        raise Http404(_("No such draft."))
    return post


def schedules_of(viewer: User) -> QuerySet[PostSchedule]:
    return (
        PostSchedule.objects.filter(author_id=viewer.pk)
        .select_related("space")
        .order_by("paused_at", "next_run_at", "id")
    )


def schedule_get(viewer: User, pk: int) -> PostSchedule:
    """One of ``viewer``'s own recurring updates; 404 for anything else."""
    schedule = schedules_of(viewer).filter(pk=pk).first() if 0 < pk < 2**63 else None
    if schedule is None:
        raise Http404(_("No such recurring update."))
    return schedule


@transaction.atomic
def draft_create(
    *,
    author: User,
    space: Space,
    body: str,
    publish_at: datetime.datetime | None = None,
    uploads: Sequence[UploadedFile] = (),
) -> Post:
    """Keep ``body`` as a draft in ``space``, or schedule it for ``publish_at``, with
    ``uploads`` attached."""
    _require_can_post(author, space)
    text = _clean_body(body)
    post = Post(
        space=space,
        author=author,
        body=text,
        body_html=render_markdown(text),
        status=Post.Status.DRAFT,
    )
    if publish_at is not None:
        post.publish_at = _require_future(author, publish_at)
        post.status = Post.Status.SCHEDULED
    post.full_clean()
    post.save()
    attachments.attachments_add(post=post, uploader=author, uploads=list(uploads))
    return post


@transaction.atomic
def draft_update(*, actor: User, post: Post, body: str, space: Space | None = None) -> Post:
    """Change the text (and the space) of a draft or scheduled post; no history is kept,
    since nobody else has read it."""
    locked = _own_unpublished(actor, post)
    if space is not None and space.pk != locked.space_id:
        _require_can_post(actor, space)
        locked.space = space
    text = _clean_body(body)
    locked.body = text
    locked.body_html = render_markdown(text)
    locked.full_clean()
    locked.save(update_fields=["space", "body", "body_html"])
    return locked


@transaction.atomic
def draft_schedule(*, actor: User, post: Post, publish_at: datetime.datetime) -> Post:
    """Schedule a draft, or move a scheduled post to another time."""
    locked = _own_unpublished(actor, post)
    _require_can_post(actor, locked.space)
    locked.publish_at = _require_future(actor, publish_at)
    locked.status = Post.Status.SCHEDULED
    locked.full_clean()
    locked.save(update_fields=["publish_at", "status"])
    return locked


@transaction.atomic
def draft_unschedule(*, actor: User, post: Post) -> Post:
    """Cancel the schedule: the post goes back to the drafts."""
    locked = _own_unpublished(actor, post)
    locked.status = Post.Status.DRAFT
    locked.publish_at = None
    locked.save(update_fields=["status", "publish_at"])
    return locked


@transaction.atomic
def draft_delete(*, actor: User, post: Post) -> None:
    """Delete a draft or scheduled post for good: nobody but its author ever saw it."""
    _own_unpublished(actor, post).delete()


@transaction.atomic
def draft_publish(*, actor: User, post: Post) -> Post:
    """Publish a draft or scheduled post now."""
    locked = _own_unpublished(actor, post)
    _require_can_post(actor, locked.space)
    now = timezone.now()
    claimed = Post.objects.filter(pk=locked.pk, status__in=NOT_YET_PUBLISHED).update(
        status=Post.Status.PUBLISHED, created_at=now
    )
    if not claimed:  # pragma: no cover - the row is locked above
        raise ValidationError(_("This post is no longer a draft: it was published or deleted."))
    locked.status, locked.created_at = Post.Status.PUBLISHED, now
    services.post_published(locked)
    return locked


# ---------------------------------------------------------------- recurring updates


def _clean_rule(
    *,
    frequency: str,
    time_of_day: datetime.time,
    time_zone: str,
    weekday: int | None,
    day_of_month: int | None,
) -> ScheduleRule:
    if frequency not in Frequency.values:
        raise ValidationError(_("Choose how often it repeats: every day, week or month."))
    if time_of_day is None:
        raise ValidationError(_("Choose the time of day it goes out."))
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("Unknown time zone “%(zone)s”.") % {"zone": time_zone}) from error
    if frequency == Frequency.WEEKLY:
        if weekday is None or not 0 <= weekday <= 6:
            raise ValidationError(_("Choose the day of the week it goes out."))
    else:
        weekday = None
    if frequency == Frequency.MONTHLY:
        if day_of_month is None or not 1 <= day_of_month <= 31:
            raise ValidationError(_("Choose a day of the month from 1 to 31."))
    else:
        day_of_month = None
    return ScheduleRule(
        frequency=frequency,
        time_of_day=time_of_day.replace(tzinfo=None, second=0, microsecond=0),
        time_zone=time_zone,
        weekday=weekday,
        day_of_month=day_of_month,
    )


def _apply_rule(schedule: PostSchedule, rule: ScheduleRule) -> None:
    schedule.frequency = rule.frequency
    schedule.time_of_day = rule.time_of_day
    schedule.time_zone = rule.time_zone
    schedule.weekday = rule.weekday
    schedule.day_of_month = rule.day_of_month


@transaction.atomic
def schedule_create(
    *,
    author: User,
    space: Space,
    body: str,
    frequency: str,
    time_of_day: datetime.time,
    weekday: int | None = None,
    day_of_month: int | None = None,
    time_zone: str | None = None,
    ends_at: datetime.datetime | None = None,
    starts_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> PostSchedule:
    """A recurring update of ``body`` in ``space``, in the author's time zone unless
    ``time_zone`` says otherwise. The first occurrence is the first one at or after
    ``starts_at``, or after now."""
    _require_can_post(author, space)
    text = _clean_body(body)
    rule = _clean_rule(
        frequency=frequency,
        time_of_day=time_of_day,
        time_zone=time_zone or author.time_zone or "UTC",
        weekday=weekday,
        day_of_month=day_of_month,
    )
    now = now or timezone.now()
    schedule = PostSchedule(author=author, space=space, body=text, ends_at=ends_at)
    _apply_rule(schedule, rule)
    first_from = now
    if starts_at is not None:
        first_from = max(now, starts_at - datetime.timedelta(microseconds=1))
    schedule.next_run_at = rule.next_after(first_from)
    if ends_at is not None and ends_at < schedule.next_run_at:
        raise ValidationError(_("It would end before it first goes out: choose a later end."))
    schedule.full_clean()
    schedule.save()
    return schedule


def _lock_own_schedule(actor: User, schedule: PostSchedule) -> PostSchedule:
    services._require_active(actor)
    locked = (
        PostSchedule.objects.select_for_update(of=("self",))
        .filter(pk=schedule.pk, author_id=actor.pk)
        .select_related("space")
        .first()
    )
    if locked is None:
        raise ValidationError(_("This recurring update no longer exists."))
    return locked


@transaction.atomic
def schedule_update(
    *,
    actor: User,
    schedule: PostSchedule,
    body: str,
    frequency: str,
    time_of_day: datetime.time,
    weekday: int | None = None,
    day_of_month: int | None = None,
    time_zone: str | None = None,
    ends_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> PostSchedule:
    """Change a recurring update; its next occurrence follows the new rule."""
    locked = _lock_own_schedule(actor, schedule)
    _require_can_post(actor, locked.space)
    locked.body = _clean_body(body)
    rule = _clean_rule(
        frequency=frequency,
        time_of_day=time_of_day,
        time_zone=time_zone or locked.time_zone,
        weekday=weekday,
        day_of_month=day_of_month,
    )
    _apply_rule(locked, rule)
    locked.ends_at = ends_at
    locked.next_run_at = rule.next_after(now or timezone.now())
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def schedule_pause(*, actor: User, schedule: PostSchedule) -> PostSchedule:
    locked = _lock_own_schedule(actor, schedule)
    if locked.paused_at is None:
        locked.paused_at = timezone.now()
        locked.save(update_fields=["paused_at", "updated_at"])
    return locked


@transaction.atomic
def schedule_resume(
    *, actor: User, schedule: PostSchedule, now: datetime.datetime | None = None
) -> PostSchedule:
    """Resume a paused recurring update from its next occurrence after now: what was
    missed while paused is not published."""
    locked = _lock_own_schedule(actor, schedule)
    _require_can_post(actor, locked.space)
    if locked.paused_at is not None:
        locked.paused_at = None
        locked.next_run_at = ScheduleRule.of(locked).next_after(now or timezone.now())
        locked.save(update_fields=["paused_at", "next_run_at", "updated_at"])
    return locked


@transaction.atomic
def schedule_delete(*, actor: User, schedule: PostSchedule) -> None:
    """Stop a recurring update for good; the posts it already published stay."""
    _lock_own_schedule(actor, schedule).delete()


def compose_later(
    *,
    author: User,
    space: Space,
    body: str,
    publish_at: datetime.datetime | None,
    repeat: str = "",
    uploads: Sequence[UploadedFile] = (),
) -> Post | PostSchedule:
    """What the composer's "Schedule" does: a scheduled post, or with ``repeat`` a
    recurring update whose first occurrence is ``publish_at`` and whose day and time of
    day (in the author's time zone) are those of ``publish_at``."""
    if publish_at is None:
        raise ValidationError(_("Choose the date and time it goes out."))
    if not repeat:
        return draft_create(
            author=author, space=space, body=body, publish_at=publish_at, uploads=uploads
        )
    if uploads:
        raise ValidationError(_("A recurring update is text only: remove the files."))
    first = _require_future(author, publish_at)
    local = first.astimezone(author_zone(author))
    return schedule_create(
        author=author,
        space=space,
        body=body,
        frequency=repeat,
        time_of_day=local.time().replace(second=0, microsecond=0),
        weekday=local.weekday(),
        day_of_month=local.day,
        time_zone=author_zone(author).key,
        starts_at=first,
    )


def schedule_has_ended(schedule: PostSchedule) -> bool:
    return schedule.ends_at is not None and schedule.next_run_at > schedule.ends_at


# ---------------------------------------------------------------- the job


@dataclass
class PublishReport:
    posts: int = 0
    occurrences: int = 0
    refused: int = 0


def spaces_still_listed(viewer: User, space_ids: set[int]) -> set[int]:
    """Which of ``space_ids`` ``viewer`` may still see listed: their drafts page names
    no secret group they have left."""
    if not space_ids:
        return set()
    return set(spaces_visible_to(viewer).filter(pk__in=space_ids).values_list("pk", flat=True))


def _space_name_for(author: User, space: Space) -> str:
    """The space's name, unless ``author`` may no longer see that it exists (a secret
    group they left)."""
    if spaces_visible_to(author).filter(pk=space.pk).exists():
        return space.name
    return _("a space you are no longer in")


def _tell_author(author: User, summary: str) -> None:
    """Tell the author why something they scheduled did not go out. Not tied to the space:
    they may have lost access to it, and this is about their own text."""
    notification_notify(
        recipients=[author],
        kind=Notification.Kind.SPACE,
        actor=None,
        space=None,
        target=None,
        url=reverse("feed_drafts"),
        summary=summary,
    )


def _skip_locked(queryset: QuerySet) -> QuerySet:
    """Lock the rows read, skipping those another worker holds (PostgreSQL). SQLite takes
    the database's write lock at the start of each transaction, which serialises workers."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True, of=("self",))
    return queryset


def _publish_one_post(now: datetime.datetime, report: PublishReport) -> bool:
    """Publish (or refuse) the earliest due scheduled post. False when none is due."""
    with transaction.atomic():
        due = Post.objects.filter(
            status=Post.Status.SCHEDULED, publish_at__lte=now, deleted_at=None
        ).order_by("publish_at", "id")
        post = _skip_locked(due).select_related("space", "author").first()
        if post is None:
            return False
        refusal = _posting_refusal(post.author, post.space)
        status = Post.Status.DRAFT if refusal else Post.Status.PUBLISHED
        # The claim: only one transaction turns this row from scheduled to anything else.
        claimed = Post.objects.filter(
            pk=post.pk, status=Post.Status.SCHEDULED, publish_at__lte=now
        ).update(status=status, created_at=now if not refusal else post.created_at)
        if not claimed:
            return True
        if refusal:
            report.refused += 1
            _tell_author(
                post.author,
                _(
                    "Your post scheduled for %(when)s in %(space)s was not published: "
                    "%(reason)s It is kept in your drafts."
                )
                % {
                    "when": show_local(post.publish_at, post.author.time_zone),
                    "space": _space_name_for(post.author, post.space),
                    "reason": refusal,
                },  # type: ignore[arg-type]
            )
            return True
        post.status, post.created_at = Post.Status.PUBLISHED, now
        services.post_published(post)
        report.posts += 1
        return True


def _publish_one_occurrence(now: datetime.datetime, report: PublishReport) -> bool:
    """Publish the latest due occurrence of one due recurring update. False when none is due."""
    with transaction.atomic():
        due = (
            PostSchedule.objects.filter(paused_at=None, next_run_at__lte=now)
            .filter(Q(ends_at=None) | Q(ends_at__gte=F("next_run_at")))
            .order_by("next_run_at", "id")
        )
        schedule = _skip_locked(due).select_related("space", "author").first()
        if schedule is None:
            return False
        rule = ScheduleRule.of(schedule)
        # After downtime, only the latest missed occurrence goes out.
        occurrence = max(rule.latest_at_or_before(now), schedule.next_run_at)
        if schedule.ends_at is not None:
            occurrence = min(
                occurrence, max(rule.latest_at_or_before(schedule.ends_at), schedule.next_run_at)
            )
        refusal = _posting_refusal(schedule.author, schedule.space)
        if refusal:
            schedule.paused_at = now
            schedule.save(update_fields=["paused_at", "updated_at"])
            report.refused += 1
            _tell_author(
                schedule.author,
                _("Your recurring update in %(space)s is paused: %(reason)s")
                % {"space": _space_name_for(schedule.author, schedule.space), "reason": refusal},
            )
            return True
        post = Post(
            space=schedule.space,
            author=schedule.author,
            body=schedule.body,
            body_html=render_markdown(schedule.body),
            created_at=now,
            status=Post.Status.PUBLISHED,
            schedule=schedule,
            occurrence_at=occurrence,
        )
        post.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                post.save()
        except IntegrityError:
            # Already published (the unique constraint holds one post per occurrence).
            logger.info(
                "occurrence %s of schedule %s was already published", occurrence, schedule.pk
            )
        else:
            services.post_published(post)
            schedule.last_published_at = now
            report.occurrences += 1
        schedule.next_run_at = rule.next_after(max(now, occurrence))
        schedule.save(update_fields=["next_run_at", "last_published_at", "updated_at"])
        return True


def scheduled_posts_publish_due(
    *, now: datetime.datetime | None = None, limit: int = RUN_LIMIT
) -> PublishReport:
    """Publish every scheduled post and recurring occurrence due at ``now``, each in its
    own transaction. Safe to run in any number of workers at once."""
    now = now or timezone.now()
    report = PublishReport()
    for _index in range(limit):
        if not _publish_one_post(now, report):
            break
    for _index in range(limit):
        if not _publish_one_occurrence(now, report):
            break
    return report


@db_periodic_task(crontab(minute="*"))
def scheduled_posts_publish_every_minute() -> None:
    """Every minute, publish what is due."""
    report = scheduled_posts_publish_due()
    if report.posts or report.occurrences or report.refused:
        logger.info(
            "published %d scheduled posts and %d recurring updates; %d refused",
            report.posts,
            report.occurrences,
            report.refused,
        )
