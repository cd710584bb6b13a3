"""Reads of campaigns: who is in which, progress towards the goals, contributions.

Progress is measured, never typed in, from the shares of the campaign (``Share.campaign``)
whose status is published (posted through a connected account) or opened (the employee
opened the network's share page or copied the text):

- shares: how many such shares;
- participants: how many different employees made them;
- unique clicks: distinct (visitor, day) pairs among the human clicks (``Click.is_bot``
  false) on the tracked links of those shares, between the campaign's start and end. The
  visitor hash is salted per day, so one person clicking twice the same day counts once;
- reach: the impressions the networks reported for those shares (the latest report of each
  share), plus the unique clicks of the shares for which no network reported impressions.
  Networks report impressions for few shares; counting the people who came through a link
  is the honest floor for the others, and the page names the definition.

Every figure is computed with a few grouped queries for any number of campaigns, never one
query per share.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Concat, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rallypoint.advocacy.models import Campaign, ContentItem, Share, ShareMetric
from rallypoint.advocacy.selectors import campaigns_visible_to, items_visible_to
from rallypoint.links.models import Click
from rallypoint.people.models import User

COUNTED = (Share.Status.PUBLISHED, Share.Status.OPENED)
# Departments with fewer people in the audience than this are pooled in the table.
SMALL_DEPARTMENT = 5
TOP_SHARERS = 10

GOALS: dict[str, Any] = {
    "shares": gettext_lazy("Shares"),
    "unique_clicks": gettext_lazy("Unique clicks"),
    "participants": gettext_lazy("Participants"),
    "reach": gettext_lazy("Reach"),
}
REACH_DEFINITION = gettext_lazy(
    "Reach: impressions reported by the networks, plus unique visitors where a network "
    "reports none."
)

_Departments = Campaign.departments.through
_Locations = Campaign.locations.through


# ---------------------------------------------------------------- who sees what


def campaigns_in_audience(viewer: User) -> QuerySet[Campaign]:
    """Every campaign meant for ``viewer`` (past, running and coming), newest first."""
    return campaigns_visible_to(viewer, include_upcoming=True, include_ended=True)


def campaigns_visible(viewer: User) -> QuerySet[Campaign]:
    """The campaigns ``viewer`` may open: those meant for them, and every campaign for
    communications managers and administrators (who run them)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Campaign.objects.none()
    if viewer.is_communications:
        return Campaign.objects.order_by("-starts_at", "-id")
    return campaigns_in_audience(viewer)


def campaign_for(viewer: User, slug: str) -> Campaign:
    """One campaign ``viewer`` may open; 404 for any other (or none)."""
    campaign = campaigns_visible(viewer).filter(slug=slug).first()
    if campaign is None:
        raise Http404(_("No such campaign."))
    return campaign


def audience_of(campaign: Campaign) -> QuerySet[User]:
    """The active people a campaign is meant for, as one query."""
    people = User.objects.filter(is_active=True)
    if campaign.audience_everyone:
        return people
    return people.filter(
        Q(
            department_id__in=_Departments.objects.filter(campaign_id=campaign.pk).values(
                "department_id"
            )
        )
        | Q(
            location_id__in=_Locations.objects.filter(campaign_id=campaign.pk).values("location_id")
        )
    )


def campaign_items(viewer: User, campaign: Campaign) -> QuerySet[ContentItem]:
    """The campaign's items that ``viewer`` sees in the library now, featured first, each
    with ``shared_by_me``."""
    return items_visible_to(viewer, campaign=campaign)


def campaign_state(campaign: Campaign, now: datetime.datetime | None = None) -> str:
    """ "upcoming", "active" or "past"."""
    now = now or timezone.now()
    if campaign.starts_at > now:
        return "upcoming"
    if campaign.ends_at <= now:
        return "past"
    return "active"


def campaigns_in_state(
    rows: QuerySet[Campaign], state: str, now: datetime.datetime | None = None
) -> QuerySet[Campaign]:
    """``rows`` narrowed to the campaigns "upcoming", "active" or "past" at ``now``."""
    now = now or timezone.now()
    if state == "upcoming":
        return rows.filter(starts_at__gt=now)
    if state == "past":
        return rows.filter(ends_at__lte=now)
    return rows.filter(starts_at__lte=now, ends_at__gt=now)


# ---------------------------------------------------------------- progress


@dataclass(frozen=True)
class GoalProgress:
    key: str
    value: int
    goal: int | None

    @property
    def label(self) -> str:
        return str(GOALS[self.key])

    @property
    def percent(self) -> int | None:
        """How far towards the goal, beyond 100 when exceeded; None without a goal."""
        if not self.goal:
            return None
        return 100 * self.value // self.goal

    @property
    def bar(self) -> int | None:
        """``percent`` capped at 100, for a progress bar."""
        return None if self.percent is None else min(100, self.percent)

    @property
    def reached(self) -> bool:
        return self.goal is not None and self.value >= self.goal

    def as_json(self) -> dict[str, int | None]:
        return {"value": self.value, "goal": self.goal, "percent": self.percent, "bar": self.bar}


Progress = dict[str, GoalProgress]


def _visitor_day() -> Concat:
    """A click's (visitor, UTC day) as one value, to count distinct pairs in SQL."""
    day = TruncDate("at", tzinfo=datetime.UTC)
    return Concat(
        "visitor_hash", Value("|"), Cast(day, output_field=CharField()), output_field=CharField()
    )


def _campaign_clicks() -> QuerySet[Click]:
    """Human clicks on the links of counted campaign shares, within the campaign's dates."""
    return Click.objects.filter(
        is_bot=False,
        link__share__status__in=COUNTED,
        at__gte=F("link__share__campaign__starts_at"),
        at__lt=F("link__share__campaign__ends_at"),
    )


def _has_impressions(share_ref: str) -> Exists:
    return Exists(
        ShareMetric.objects.filter(share_id=OuterRef(share_ref), impressions__isnull=False)
    )


def campaigns_progress(campaigns: list[Campaign]) -> dict[int, Progress]:
    """Progress of each of ``campaigns`` by id, in three queries whatever their number."""
    ids = [campaign.pk for campaign in campaigns]
    if not ids:
        return {}
    shares = {
        row["campaign_id"]: row
        for row in Share.objects.filter(campaign_id__in=ids, status__in=COUNTED)
        .values("campaign_id")
        .annotate(shares=Count("pk"), participants=Count("user_id", distinct=True))
        .order_by()
    }
    clicks = {
        row["campaign_id"]: row
        for row in _campaign_clicks()
        .filter(link__share__campaign_id__in=ids)
        .annotate(reported=_has_impressions("link__share__id"), visitor_day=_visitor_day())
        .values(campaign_id=F("link__share__campaign_id"))
        .annotate(
            unique=Count("visitor_day", distinct=True),
            unreported=Count("visitor_day", distinct=True, filter=Q(reported=False)),
        )
        .order_by()
    }
    latest = ShareMetric.objects.filter(
        share_id=OuterRef("pk"), impressions__isnull=False
    ).order_by("-fetched_at", "-id")
    impressions = dict(
        Share.objects.filter(campaign_id__in=ids, status__in=COUNTED)
        .annotate(latest=Subquery(latest.values("impressions")[:1]))
        .values("campaign_id")
        .annotate(total=Sum("latest"))
        .order_by()
        .values_list("campaign_id", "total")
    )
    result: dict[int, Progress] = {}
    for campaign in campaigns:
        share_row = shares.get(campaign.pk, {})
        click_row = clicks.get(campaign.pk, {})
        values = {
            "shares": share_row.get("shares", 0),
            "unique_clicks": click_row.get("unique", 0),
            "participants": share_row.get("participants", 0),
            "reach": (impressions.get(campaign.pk) or 0) + click_row.get("unreported", 0),
        }
        result[campaign.pk] = {
            key: GoalProgress(key, value, getattr(campaign, f"goal_{key}"))
            for key, value in values.items()
        }
    return result


def campaign_progress(campaign: Campaign) -> Progress:
    """Each goal's ``value``, ``goal`` and ``percent`` for one campaign (see the module)."""
    return campaigns_progress([campaign])[campaign.pk]


def progress_json(campaign: Campaign, progress: Progress) -> dict[str, Any]:
    return {
        "campaign": campaign.slug,
        "state": campaign_state(campaign),
        "goals": {key: goal.as_json() for key, goal in progress.items()},
    }


# ---------------------------------------------------------------- contributions


@dataclass
class Contribution:
    shares: int = 0
    clicks: int = 0
    unique_visitors: int = 0
    rank: int | None = None  # among participants by shares; None until one share

    def as_json(self) -> dict[str, int | None]:
        return {
            "shares": self.shares,
            "clicks": self.clicks,
            "unique_visitors": self.unique_visitors,
            "rank": self.rank,
        }


def contributions_of(campaigns: list[Campaign], user: User) -> dict[int, Contribution]:
    """``user``'s shares, human clicks and unique visitors in each campaign, by id; two
    queries."""
    ids = [campaign.pk for campaign in campaigns]
    result = {pk: Contribution() for pk in ids}
    if not ids:
        return result
    for campaign_id, shares in (
        Share.objects.filter(campaign_id__in=ids, user_id=user.pk, status__in=COUNTED)
        .values("campaign_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("campaign_id", "n")
    ):
        result[campaign_id].shares = shares
    for row in (
        _campaign_clicks()
        .filter(link__share__campaign_id__in=ids, link__share__user_id=user.pk)
        .annotate(visitor_day=_visitor_day())
        .values(campaign_id=F("link__share__campaign_id"))
        .annotate(clicks=Count("pk"), unique=Count("visitor_day", distinct=True))
        .order_by()
    ):
        result[row["campaign_id"]].clicks = row["clicks"]
        result[row["campaign_id"]].unique_visitors = row["unique"]
    return result


def contribution_of(campaign: Campaign, user: User) -> Contribution:
    """``user``'s part in ``campaign``, with their rank among participants by shares
    (1 + how many shared more)."""
    contribution = contributions_of([campaign], user)[campaign.pk]
    if contribution.shares:
        per_person = (
            Share.objects.filter(campaign=campaign, status__in=COUNTED)
            .values("user_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        ahead = per_person.filter(n__gt=contribution.shares).count()
        contribution.rank = ahead + 1
    return contribution


# ---------------------------------------------------------------- lists of campaigns


@dataclass
class CampaignCard:
    campaign: Campaign
    state: str
    progress: Progress
    contribution: Contribution | None = None


@dataclass
class CampaignsByState:
    active: list[CampaignCard] = field(default_factory=list)
    upcoming: list[CampaignCard] = field(default_factory=list)
    past: list[CampaignCard] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.active or self.upcoming or self.past)


def _cards(campaigns: list[Campaign], viewer: User | None) -> list[CampaignCard]:
    progress = campaigns_progress(campaigns)
    contributions = contributions_of(campaigns, viewer) if viewer is not None else {}
    now = timezone.now()
    return [
        CampaignCard(
            campaign,
            campaign_state(campaign, now),
            progress[campaign.pk],
            contributions.get(campaign.pk),
        )
        for campaign in campaigns
    ]


def campaigns_for(viewer: User, *, limit: int = 100) -> CampaignsByState:
    """The campaigns meant for ``viewer``, running first, then coming, then past, each
    with its progress and the viewer's contribution. Six queries."""
    grouped = CampaignsByState()
    campaigns = list(campaigns_in_audience(viewer)[:limit])
    for card in _cards(campaigns, viewer):
        getattr(grouped, card.state).append(card)
    grouped.active.sort(key=lambda card: card.campaign.ends_at)
    grouped.upcoming.sort(key=lambda card: card.campaign.starts_at)
    return grouped


def campaigns_managed(viewer: User, *, limit: int = 200) -> list[CampaignCard]:
    """Every campaign with its progress, for communications managers and administrators
    (none for anyone else)."""
    if not viewer.is_communications:
        return []
    return _cards(list(Campaign.objects.order_by("-starts_at", "-id")[:limit]), None)


def campaign_cards(campaigns: list[Campaign]) -> list[CampaignCard]:
    """Cards of ``campaigns`` with their progress and no contribution (for the API)."""
    return _cards(campaigns, None)


# ---------------------------------------------------------------- for those who run them


@dataclass
class DepartmentRow:
    name: str
    people: int
    participants: int
    shares: int

    @property
    def participation(self) -> int:
        return round(100 * self.participants / self.people) if self.people else 0


def department_participation(campaign: Campaign) -> list[DepartmentRow]:
    """For communications managers: per department of the audience, how many people,
    how many took part, and their shares. Departments under ``SMALL_DEPARTMENT`` people
    are pooled, so no row points at one person. Two queries; callers check the role."""
    people = dict(
        audience_of(campaign)
        .values("department__name")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("department__name", "n")
    )
    taking_part = {
        row["user__department__name"]: row
        for row in Share.objects.filter(campaign=campaign, status__in=COUNTED)
        .values("user__department__name")
        .annotate(participants=Count("user_id", distinct=True), shares=Count("pk"))
        .order_by()
    }
    rows: list[DepartmentRow] = []
    pooled = DepartmentRow(_("Smaller departments together"), 0, 0, 0)
    no_department = DepartmentRow(_("No department"), 0, 0, 0)
    for name in sorted(set(people) | set(taking_part), key=lambda n: (n is None, n or "")):
        part = taking_part.get(name, {})
        row = DepartmentRow(
            name or "", people.get(name, 0), part.get("participants", 0), part.get("shares", 0)
        )
        if name is None:
            target = no_department
        elif row.people < SMALL_DEPARTMENT:
            target = pooled
        else:
            rows.append(row)
            continue
        target.people += row.people
        target.participants += row.participants
        target.shares += row.shares
    rows.extend(row for row in (pooled, no_department) if row.people or row.shares)
    return rows


@dataclass
class Sharer:
    user_id: int
    display_name: str
    shares: int
    unique_visitors: int = 0


def top_sharers(campaign: Campaign, *, limit: int = TOP_SHARERS) -> list[Sharer]:
    """For communications managers: the people with the most shares in the campaign,
    with the unique visitors their links brought. Two queries; callers check the role."""
    sharers = [
        Sharer(row["user_id"], row["user__display_name"], row["shares"])
        for row in Share.objects.filter(campaign=campaign, status__in=COUNTED)
        .values("user_id", "user__display_name")
        .annotate(shares=Count("pk"))
        .order_by("-shares", "user__display_name", "user_id")[:limit]
    ]
    if not sharers:
        return sharers
    visitors = dict(
        _campaign_clicks()
        .filter(
            link__share__campaign=campaign, link__share__user_id__in=[s.user_id for s in sharers]
        )
        .annotate(visitor_day=_visitor_day())
        .values(user_id=F("link__share__user_id"))
        .annotate(n=Count("visitor_day", distinct=True))
        .order_by()
        .values_list("user_id", "n")
    )
    for sharer in sharers:
        sharer.unique_visitors = visitors.get(sharer.user_id, 0)
    return sharers
