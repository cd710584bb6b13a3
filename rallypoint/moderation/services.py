"""Every write of moderation: reporting, hiding and restoring content, dismissing reports.

Who may moderate a space is ``spaces.selectors.can_moderate`` (owners, moderators,
administrators), and only for content they can read. Every decision is audited
(``moderation.*``), and the author of hidden or restored content is told why through a
``moderation`` notification that never names who reported it. Deleting goes through the
feed's own services (audited there); ``content_delete`` adds closing the reports.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.core.markdown import render_plain
from rallypoint.feed import services as feed_services
from rallypoint.feed.models import Comment, Post
from rallypoint.moderation.models import (
    DECISION_NOTE_MAX,
    REPORT_DETAILS_MAX,
    Report,
)
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User
from rallypoint.spaces.models import SpaceMembership
from rallypoint.spaces.selectors import can_moderate, space_content_visible_to

# A person may file at most this many reports in REPORT_WINDOW: enough for anyone acting
# in good faith, and a brake on flooding the queue.
REPORTS_PER_WINDOW = 20
REPORT_WINDOW = datetime.timedelta(hours=1)
EXCERPT = 60

Item = Post | Comment


def _target(post: Post | None, comment: Comment | None) -> Item:
    if (post is None) == (comment is None):
        raise ValidationError(_("Choose a post or a comment."))
    return post if post is not None else comment  # type: ignore[return-value]


def _lock(item: Item) -> Item:
    """The row again, locked, with what the rules need."""
    if isinstance(item, Post):
        return Post.objects.select_for_update().select_related("space", "author").get(pk=item.pk)
    return (
        Comment.objects.select_for_update()
        .select_related("post", "post__space", "author")
        .get(pk=item.pk)
    )


def _post_of(item: Item) -> Post:
    return item if isinstance(item, Post) else item.post


def _what(item: Item) -> str:
    return _("post") if isinstance(item, Post) else _("comment")


def _label(item: Item) -> str:
    post = _post_of(item)
    if isinstance(item, Post):
        return _("Post #%(id)d in %(space)s") % {"id": item.pk, "space": post.space}
    return _("Comment #%(id)d on post #%(post)d") % {"id": item.pk, "post": post.pk}


def _url(item: Item) -> str:
    post = _post_of(item)
    anchor = "" if isinstance(item, Post) else f"#comment-{item.pk}"
    return reverse("feed_post", args=[post.pk]) + anchor


def _excerpt(item: Item) -> str:
    text = render_plain(item.body)
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _clean(text: str, *, limit: int, required: str = "") -> str:
    value = (text or "").strip()
    if required and not value:
        raise ValidationError(required)
    if "\x00" in value:
        raise ValidationError(_("The text contains a character that cannot be stored."))
    if len(value) > limit:
        raise ValidationError(
            _("Write at most %(limit)d characters (this is %(length)d).")
            % {"limit": limit, "length": len(value)}
        )
    return value


def _can_see(actor: User, item: Item) -> bool:
    """Whether ``actor`` may read ``item`` at all (its space, not deleted, not hidden from them)."""
    post = _post_of(item)
    if post.is_deleted or item.is_deleted or post.status != Post.Status.PUBLISHED:
        return False
    if not space_content_visible_to(actor, post.space):
        return False
    moderates: bool | None = None
    for row in (post, item):
        if row.hidden_at is not None and row.author_id != actor.pk:
            if moderates is None:
                moderates = can_moderate(actor, post.space)
            if not moderates:
                return False
    return True


def _require_moderator(actor: User, item: Item) -> None:
    """``actor`` moderates the space of ``item`` and can read that space."""
    if not actor.is_active:
        raise PermissionDenied(_("Your account is deactivated."))
    post = _post_of(item)
    readable = post.status == Post.Status.PUBLISHED and not post.is_deleted
    if not readable or not space_content_visible_to(actor, post.space):
        raise PermissionDenied(_("You cannot see this %(what)s.") % {"what": _what(item)})
    if not can_moderate(actor, post.space):
        raise PermissionDenied(_("Only the space's owners and moderators can do this."))


def _decide_open_reports(*, item: Item, actor: User, status: str, note: str) -> list[Report]:
    """Close the open reports of ``item``; return them (with their reporters)."""
    field = "post" if isinstance(item, Post) else "comment"
    reports = list(
        Report.objects.select_for_update()
        .filter(**{field: item}, status=Report.Status.OPEN)
        .select_related("reporter")
        .order_by("pk")
    )
    if reports:
        Report.objects.filter(pk__in=[r.pk for r in reports]).update(
            status=status,
            resolved_at=timezone.now(),
            resolved_by=actor,
            decision_note=note[:DECISION_NOTE_MAX],
        )
    return reports


def _tell_reporters(reports: list[Report], item: Item, summary: str) -> None:
    """Close the loop with the people who reported ``item``, without naming anyone."""
    post = _post_of(item)
    notification_notify(
        recipients=[report.reporter for report in reports],
        kind=Notification.Kind.MODERATION,
        actor=None,
        space=post.space,
        target=None,
        url="",
        summary=summary,
    )


# ---------------------------------------------------------------- reports


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reason: str,
    details: str = "",
    post: Post | None = None,
    comment: Comment | None = None,
) -> Report:
    """Report a post or a comment to the space's moderators.

    Anyone who can read the item may report it, except its author; one open report per
    person and item; at most ``REPORTS_PER_WINDOW`` reports per person per hour.
    """
    item = _target(post, comment)
    if not reporter.is_active:
        raise PermissionDenied(_("Your account is deactivated."))
    item = _lock(item)
    if not _can_see(reporter, item):
        raise PermissionDenied(_("You cannot see this %(what)s.") % {"what": _what(item)})
    if item.author_id == reporter.pk:
        raise ValidationError(_("You cannot report what you wrote yourself; edit or delete it."))
    if item.hidden_at is not None:
        raise ValidationError(
            _("A moderator has already hidden this %(what)s.") % {"what": _what(item)}
        )
    if reason not in Report.Reason.values:
        raise ValidationError(_("Choose a reason for the report."))
    text = _clean(
        details,
        limit=REPORT_DETAILS_MAX,
        required=_("Tell the moderators what is wrong.") if reason == Report.Reason.OTHER else "",
    )
    field = "post" if isinstance(item, Post) else "comment"
    if Report.objects.filter(
        **{field: item}, reporter=reporter, status=Report.Status.OPEN
    ).exists():
        raise ValidationError(
            _("You already reported this %(what)s; the moderators will look at it.")
            % {"what": _what(item)}
        )
    since = timezone.now() - REPORT_WINDOW
    if (
        Report.objects.filter(reporter=reporter, created_at__gte=since).count()
        >= REPORTS_PER_WINDOW
    ):
        raise ValidationError(
            _("You have sent many reports in the last hour; please wait before sending more.")
        )
    post_of_item = _post_of(item)
    report = Report(
        post=item if isinstance(item, Post) else None,
        comment=item if isinstance(item, Comment) else None,
        space=post_of_item.space,
        reporter=reporter,
        reason=reason,
        details=text,
    )
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as error:
        # The same person's second click arrived at the same time.
        raise ValidationError(
            _("You already reported this %(what)s; the moderators will look at it.")
            % {"what": _what(item)}
        ) from error
    _tell_moderators(report, item)
    return report


def _tell_moderators(report: Report, item: Item) -> None:
    """The space's owners and moderators hear of a new report, folded per item."""
    post = _post_of(item)
    moderators = User.objects.filter(
        space_memberships__space=post.space,
        space_memberships__role__in=SpaceMembership.MODERATING_ROLES,
    ).exclude(pk=item.author_id)
    notification_notify(
        recipients=moderators,
        kind=Notification.Kind.MODERATION,
        actor=None,
        space=post.space,
        target=None,
        url=reverse("moderation_queue"),
        summary=_("A %(what)s in %(space)s was reported: %(reason)s")
        % {"what": _what(item), "space": post.space, "reason": report.get_reason_display()},
        group_key=f"report:{item._meta.model_name}:{item.pk}",
    )


# ---------------------------------------------------------------- decisions


@transaction.atomic
def content_hide(
    *,
    actor: User,
    reason: str,
    post: Post | None = None,
    comment: Comment | None = None,
    request: HttpRequest | None = None,
) -> Item:
    """Hide a post or comment from everyone but its author and the space's moderators.

    ``reason`` is required: the author reads it on the content and in a notification.
    The item's open reports are resolved with it.
    """
    item = _lock(_target(post, comment))
    _require_moderator(actor, item)
    if item.is_deleted:
        raise ValidationError(_("This %(what)s was deleted.") % {"what": _what(item)})
    why = _clean(
        reason,
        limit=DECISION_NOTE_MAX,
        required=_("Say why it is hidden: the author will read it."),
    )
    if item.hidden_at is not None:
        raise ValidationError(_("This %(what)s is already hidden.") % {"what": _what(item)})
    item.hidden_at = timezone.now()
    item.hidden_by = actor
    item.hidden_reason = why
    item.full_clean()
    item.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    reports = _decide_open_reports(item=item, actor=actor, status=Report.Status.RESOLVED, note=why)
    post_of_item = _post_of(item)
    audit_record(
        action="moderation.content_hidden",
        actor=actor,
        target=item,
        target_label=_label(item),
        request=request,
        details={
            "space": post_of_item.space.slug,
            "author": item.author.email,
            "reason": why,
            "reports": [r.pk for r in reports],
        },
    )
    notification_notify(
        recipients=[item.author],
        kind=Notification.Kind.MODERATION,
        actor=None,
        space=post_of_item.space,
        target=item,
        url=_url(item),
        summary=_("A moderator hid your %(what)s “%(excerpt)s”: %(reason)s")
        % {"what": _what(item), "excerpt": _excerpt(item), "reason": why},
        bypass_preferences=True,
    )
    if reports:
        _tell_reporters(
            reports,
            item,
            _("Thank you: a %(what)s you reported in %(space)s was hidden.")
            % {"what": _what(item), "space": post_of_item.space},
        )
    return item


@transaction.atomic
def content_unhide(
    *,
    actor: User,
    post: Post | None = None,
    comment: Comment | None = None,
    request: HttpRequest | None = None,
) -> Item:
    """Show a hidden post or comment to its readers again; the author is told."""
    item = _lock(_target(post, comment))
    _require_moderator(actor, item)
    if item.hidden_at is None:
        raise ValidationError(_("This %(what)s is not hidden.") % {"what": _what(item)})
    previous = item.hidden_reason
    item.hidden_at = None
    item.hidden_by = None
    item.hidden_reason = ""
    item.full_clean()
    item.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    post_of_item = _post_of(item)
    audit_record(
        action="moderation.content_unhidden",
        actor=actor,
        target=item,
        target_label=_label(item),
        request=request,
        details={
            "space": post_of_item.space.slug,
            "author": item.author.email,
            "previous_reason": previous,
        },
    )
    notification_notify(
        recipients=[item.author],
        kind=Notification.Kind.MODERATION,
        actor=None,
        space=post_of_item.space,
        target=item,
        url=_url(item),
        summary=_("A moderator restored your %(what)s “%(excerpt)s”: everyone can read it again.")
        % {"what": _what(item), "excerpt": _excerpt(item)},
        bypass_preferences=True,
    )
    return item


@transaction.atomic
def report_dismiss(
    *,
    actor: User,
    post: Post | None = None,
    comment: Comment | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> int:
    """Dismiss the open reports of a post or comment: nothing needs doing. The reporters
    hear that their report was reviewed, not who reviewed it. Returns how many."""
    item = _lock(_target(post, comment))
    _require_moderator(actor, item)
    why = _clean(note, limit=DECISION_NOTE_MAX)
    reports = _decide_open_reports(item=item, actor=actor, status=Report.Status.DISMISSED, note=why)
    if not reports:
        raise ValidationError(_("There is no open report about this."))
    post_of_item = _post_of(item)
    audit_record(
        action="moderation.reports_dismissed",
        actor=actor,
        target=item,
        target_label=_label(item),
        request=request,
        details={
            "space": post_of_item.space.slug,
            "note": why,
            "reports": [r.pk for r in reports],
        },
    )
    _tell_reporters(
        reports,
        item,
        _("A %(what)s you reported in %(space)s was reviewed: the moderators left it up.")
        % {"what": _what(item), "space": post_of_item.space},
    )
    return len(reports)


@transaction.atomic
def content_delete(
    *,
    actor: User,
    post: Post | None = None,
    comment: Comment | None = None,
    request: HttpRequest | None = None,
) -> Item:
    """Delete a reported post or comment through the feed's services (which audit the
    deletion) and resolve its open reports."""
    item = _lock(_target(post, comment))
    _require_moderator(actor, item)
    if isinstance(item, Post):
        deleted: Item = feed_services.post_delete(actor=actor, post=item, request=request)
    else:
        deleted = feed_services.comment_delete(actor=actor, comment=item, request=request)
    reports = _decide_open_reports(
        item=item, actor=actor, status=Report.Status.RESOLVED, note=_("Deleted")
    )
    if reports:
        audit_record(
            action="moderation.reports_resolved",
            actor=actor,
            target=item,
            target_label=_label(item),
            request=request,
            details={"decision": "deleted", "reports": [r.pk for r in reports]},
        )
        _tell_reporters(
            reports,
            item,
            _("Thank you: a %(what)s you reported in %(space)s was deleted.")
            % {"what": _what(item), "space": _post_of(item).space},
        )
    return deleted
