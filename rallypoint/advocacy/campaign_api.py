"""Campaigns in the API: those I may see with their progress, and one campaign.

Reads go through ``advocacy.campaign_selectors`` as the pages do: a campaign outside the
caller's audience answers 404 (communications managers and administrators see all).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from rallypoint.advocacy import campaign_selectors as selectors
from rallypoint.advocacy.models import Campaign
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user

router = Router(tags=["campaigns"])

PAGE_LIMIT_MAX = 100
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


class CampaignGoalOut(Schema):
    value: int = Field(..., description="Measured so far.")
    goal: int | None = Field(None, description="The target; null when none is set.")
    percent: int | None = Field(
        None, description="value / goal in percent, above 100 when exceeded; null without goal."
    )


class CampaignProgressOut(Schema):
    shares: CampaignGoalOut
    unique_clicks: CampaignGoalOut
    participants: CampaignGoalOut
    reach: CampaignGoalOut = Field(
        ...,
        description="Impressions reported by the networks, plus unique visitors where a "
        "network reports none.",
    )


class CampaignContributionOut(Schema):
    shares: int
    clicks: int
    unique_visitors: int


class CampaignItemOut(Schema):
    id: int
    title: str


class CampaignOut(Schema):
    slug: str
    name: str
    description: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    state: Literal["upcoming", "active", "past"]
    audience_everyone: bool
    progress: CampaignProgressOut
    contribution: CampaignContributionOut = Field(..., description="Your own part in the campaign.")


class CampaignDetailOut(CampaignOut):
    items: list[CampaignItemOut] = Field(..., description="Its content in the library for you now.")


class CampaignPage(Schema):
    items: list[CampaignOut]
    count: int
    limit: int
    offset: int


class CampaignFilters(Schema):
    state: Literal["upcoming", "active", "past"] | None = None
    limit: int = Field(50, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=2**31 - 1)


def _out(campaigns: list[Campaign], viewer: User) -> list[dict[str, Any]]:
    progress = selectors.campaigns_progress(campaigns)
    mine = selectors.contributions_of(campaigns, viewer)
    return [
        {
            "slug": campaign.slug,
            "name": campaign.name,
            "description": campaign.description,
            "starts_at": campaign.starts_at,
            "ends_at": campaign.ends_at,
            "state": selectors.campaign_state(campaign),
            "audience_everyone": campaign.audience_everyone,
            "progress": {key: goal.as_json() for key, goal in progress[campaign.pk].items()},
            "contribution": mine[campaign.pk].as_json(),
        }
        for campaign in campaigns
    ]


@router.get("/campaigns", response=CampaignPage, summary="Campaigns I may see, with progress")
def campaign_list(request: HttpRequest, filters: Query[CampaignFilters]) -> dict[str, Any]:
    viewer = signed_in_user(request)
    rows = selectors.campaigns_visible(viewer)
    if filters.state is not None:
        rows = selectors.campaigns_in_state(rows, filters.state)
    page = list(rows[filters.offset : filters.offset + filters.limit])
    return {
        "items": _out(page, viewer),
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.get("/campaigns/{slug}", response=CampaignDetailOut, summary="One campaign")
def campaign_get(
    request: HttpRequest, slug: str = Path(..., min_length=1, max_length=80, pattern=SLUG_PATTERN)
) -> dict[str, Any]:
    viewer = signed_in_user(request)
    campaign = selectors.campaign_for(viewer, slug)
    (out,) = _out([campaign], viewer)
    out["items"] = [
        {"id": item.pk, "title": item.title}
        for item in selectors.campaign_items(viewer, campaign)[:200]
    ]
    return out
