"""What an employee sees of their own shares: the list with clicks and engagement, and the
queue of scheduled and failed shares. Nobody reads another person's shares here; a lookup
of someone else's share answers 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.advocacy.models import Share, ShareMetric
from rallypoint.links.selectors import clicks_for_links
from rallypoint.people.models import User

MAX_ID = 2**63 - 1
QUEUE_STATUSES = (Share.Status.SCHEDULED, Share.Status.PUBLISHING)
ENGAGEMENT_NAMES = ("likes", "reposts", "replies", "quotes", "impressions", "clicks")


def shares_of(*, user: User) -> QuerySet[Share]:
    """``user``'s shares, newest first, with what the pages show beside each."""
    return (
        Share.objects.filter(user_id=user.pk)
        .select_related("item", "link", "campaign", "account")
        .order_by("-created_at", "-id")
    )


def share_for(*, user: User, pk: int) -> Share:
    """One of ``user``'s own shares; 404 for anything else."""
    share = shares_of(user=user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if share is None:
        raise Http404(_("No such share."))
    return share


def queue_of(*, user: User) -> QuerySet[Share]:
    """``user``'s shares waiting to be posted, soonest first."""
    return shares_of(user=user).filter(status__in=QUEUE_STATUSES).order_by("scheduled_for", "id")


def failed_of(*, user: User) -> QuerySet[Share]:
    """``user``'s shares that could not be posted, newest first."""
    return shares_of(user=user).filter(status=Share.Status.FAILED).order_by("-updated_at", "-id")


@dataclass(frozen=True)
class Engagement:
    """The latest engagement the network reported for a share; ``available`` is False
    when the network gives none (intent and copy shares, or LinkedIn without analytics)."""

    available: bool
    fetched_at: object = None
    figures: tuple[tuple[str, int], ...] = ()


NOT_AVAILABLE = Engagement(available=False)


@dataclass(frozen=True)
class ShareRow:
    share: Share
    clicks: int
    unique_visitors: int
    engagement: Engagement


def _latest_metrics(share_ids: list[int]) -> dict[int, ShareMetric]:
    if not share_ids:
        return {}
    latest = ShareMetric.objects.filter(share_id=OuterRef("share_id")).order_by(
        "-fetched_at", "-id"
    )
    rows = ShareMetric.objects.filter(share_id__in=share_ids).filter(
        pk=Subquery(latest.values("pk")[:1])
    )
    return {row.share_id: row for row in rows}


def engagement_of(metric: ShareMetric | None) -> Engagement:
    if metric is None:
        return NOT_AVAILABLE
    figures = tuple(
        (name, value) for name in ENGAGEMENT_NAMES if (value := getattr(metric, name)) is not None
    )
    if not figures:
        return NOT_AVAILABLE
    return Engagement(available=True, fetched_at=metric.fetched_at, figures=figures)


def share_rows(shares: list[Share]) -> list[ShareRow]:
    """``shares`` with their clicks, unique visitors and latest engagement (two queries
    whatever their number)."""
    link_ids = [share.link_id for share in shares if share.link_id is not None]
    clicks = clicks_for_links(link_ids) if link_ids else {}
    metrics = _latest_metrics([share.pk for share in shares if share.method == Share.Method.API])
    rows = []
    for share in shares:
        counted = clicks.get(share.link_id) if share.link_id is not None else None
        rows.append(
            ShareRow(
                share=share,
                clicks=counted.clicks if counted else 0,
                unique_visitors=counted.unique_visitors if counted else 0,
                engagement=engagement_of(metrics.get(share.pk)),
            )
        )
    return rows
