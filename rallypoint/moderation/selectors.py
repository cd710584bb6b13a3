"""What moderators read: the queue of open reports and the content they hid.

A moderator sees the reports of the spaces they moderate and can read: owners and
moderators their spaces, administrators every space whose content they may read (an
administrator who is not a member of a private or secret group does not read its
content, so its reports stay with the group's own moderators). Reports about content
deleted since are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.core.queries import count_subquery
from rallypoint.feed import selectors as feed_selectors
from rallypoint.feed.models import Comment, Post
from rallypoint.feed.selectors import space_ids_moderated_by
from rallypoint.moderation.models import Report
from rallypoint.people.models import User
from rallypoint.spaces.models import Space
from rallypoint.spaces.selectors import space_ids_readable_by

QUEUE_ITEMS_MAX = 50
HIDDEN_MAX = 30

_TARGET_ALIVE = Q(post__isnull=False, post__deleted_at=None) | Q(
    comment__isnull=False, comment__deleted_at=None, comment__post__deleted_at=None
)


def _moderated_readable(viewer: User) -> Q:
    return Q(space_id__in=space_ids_readable_by(viewer)) & Q(
        space_id__in=space_ids_moderated_by(viewer)
    )


def open_reports_for(viewer: User) -> QuerySet[Report]:
    """Open reports ``viewer`` may decide, oldest first."""
    if not viewer.is_active:
        return Report.objects.none()
    return (
        Report.objects.filter(_moderated_readable(viewer), _TARGET_ALIVE, status=Report.Status.OPEN)
        .select_related(
            "reporter",
            "space",
            "post",
            "post__author",
            "comment",
            "comment__author",
            "comment__post",
        )
        .order_by("created_at", "pk")
    )


@dataclass
class QueueItem:
    """One reported post or comment with its open reports."""

    post: Post | None
    comment: Comment | None
    space: Space
    reports: list[Report] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "post" if self.post is not None else "comment"

    @property
    def target(self) -> Post | Comment:
        return self.post if self.post is not None else self.comment  # type: ignore[return-value]

    @property
    def count(self) -> int:
        return len(self.reports)

    @property
    def reasons(self) -> list[tuple[str, int]]:
        """Each reason given, with how many gave it, most frequent first."""
        counted = Counter(report.get_reason_display() for report in self.reports)
        return counted.most_common()

    @property
    def suggested_reason(self) -> str:
        """A starting text for the hide reason, from what the reporters said."""
        return "; ".join(str(reason) for reason, _count in self.reasons)


def moderation_queue(viewer: User, *, limit: int = QUEUE_ITEMS_MAX) -> list[QueueItem]:
    """Open reports grouped per item, the longest-waiting item first. One query."""
    items: dict[tuple[str, int], QueueItem] = {}
    for report in open_reports_for(viewer)[: limit * 20]:
        key = ("post", report.post_id) if report.post_id else ("comment", report.comment_id)
        item = items.get(key)  # type: ignore[arg-type]
        if item is None:
            if len(items) >= limit:
                continue
            item = QueueItem(post=report.post, comment=report.comment, space=report.space)
            items[key] = item  # type: ignore[index]
        item.reports.append(report)
    return list(items.values())


def open_report_count(viewer: User) -> int | None:
    """Open reports ``viewer`` may decide, or None when they moderate no space (so the
    navigation shows no link). One query."""
    if not viewer.is_active:
        return None
    if viewer.is_administrator:
        return open_reports_for(viewer).count()
    open_reports = Report.objects.filter(
        _TARGET_ALIVE, space=OuterRef("pk"), status=Report.Status.OPEN
    )
    rows = list(
        Space.objects.filter(pk__in=space_ids_moderated_by(viewer))
        .annotate(open_reports=count_subquery(open_reports, per="space"))
        .values_list("open_reports", flat=True)
    )
    return sum(rows) if rows else None


def hidden_content_for(viewer: User) -> tuple[list[Post], list[Comment]]:
    """What is hidden in the spaces ``viewer`` moderates, most recently hidden first."""
    if not viewer.is_active:
        return [], []
    readable = space_ids_readable_by(viewer)
    moderated = space_ids_moderated_by(viewer)
    posts = list(
        Post.objects.filter(space_id__in=readable, deleted_at=None, hidden_at__isnull=False)
        .filter(space_id__in=moderated)
        .select_related("space", "author", "hidden_by")
        .order_by("-hidden_at", "-pk")[:HIDDEN_MAX]
    )
    comments = list(
        Comment.objects.filter(
            post__space_id__in=readable,
            deleted_at=None,
            post__deleted_at=None,
            hidden_at__isnull=False,
        )
        .filter(post__space_id__in=moderated)
        .select_related("post", "post__space", "author", "hidden_by")
        .order_by("-hidden_at", "-pk")[:HIDDEN_MAX]
    )
    return posts, comments


def reportable_get(viewer: User, kind: str, pk: int) -> Post | Comment:
    """The post or comment ``kind``/``pk`` as ``viewer`` sees it; 404 otherwise."""
    if kind == "post":
        return feed_selectors.post_get_visible(viewer, pk)
    if kind == "comment":
        return feed_selectors.comment_get_visible(viewer, pk)
    raise Http404(_("Nothing to report here."))
