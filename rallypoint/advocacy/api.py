"""The content library in the API: items for me, one item, rating, suggesting content.

Reads go through ``advocacy.selectors`` and writes through ``advocacy.services``, as the
pages do. Internal-only items are listed (they are internal content) with
``internal_only`` true: sharing them is refused everywhere. Photos are suggested through
the page (``/library/submit/``); the API takes links and stories.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from pydantic import ConfigDict

from rallypoint.advocacy import selectors, services
from rallypoint.advocacy.models import ContentItem, ContentRating
from rallypoint.people.requests import signed_in_user

router = Router(tags=["library"])

NO_NUL = r"^[^\x00]*$"
SLUG = r"^[-a-zA-Z0-9_]+$"
MAX_ID = 2**63 - 1
PAGE_LIMIT_MAX = 100


class PersonOut(Schema):
    id: int
    display_name: str


class CampaignRef(Schema):
    slug: str
    name: str


class ItemOut(Schema):
    id: int
    kind: str
    status: str
    title: str
    description: str
    url: str
    site_name: str
    image_url: str = Field(
        ..., description="The page's image address, or the path of the uploaded picture."
    )
    topics: list[str]
    featured: bool
    internal_only: bool = Field(..., description="Internal content: never shared outside.")
    why_share: str
    suggested_texts: dict[str, str] = Field(..., description="Suggested text per network.")
    published_at: datetime.datetime | None
    starts_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    submitted_by: PersonOut | None
    campaigns: list[CampaignRef]
    shared_by_me: bool = Field(..., description="You shared it (or a share is scheduled).")
    my_verdict: str | None = Field(None, description="Your rating: would_share or not_for_me.")

    @staticmethod
    def resolve_image_url(obj: ContentItem) -> str:
        return obj.image.url if obj.image else obj.image_url

    @staticmethod
    def resolve_topics(obj: ContentItem) -> list[str]:
        return [topic.name for topic in obj.topics.all()]

    @staticmethod
    def resolve_suggested_texts(obj: ContentItem) -> dict[str, str]:
        texts = obj.suggested_texts if isinstance(obj.suggested_texts, dict) else {}
        return {str(k): str(v) for k, v in texts.items()}

    @staticmethod
    def resolve_campaigns(obj: ContentItem) -> list[dict[str, str]]:
        return [{"slug": c.slug, "name": c.name} for c in getattr(obj, "my_campaigns", [])]

    @staticmethod
    def resolve_shared_by_me(obj: ContentItem) -> bool:
        return bool(getattr(obj, "shared_by_me", False))

    @staticmethod
    def resolve_my_verdict(obj: ContentItem) -> str | None:
        return getattr(obj, "my_verdict", None)


class ItemPage(Schema):
    items: list[ItemOut]
    count: int
    limit: int
    offset: int


class ItemFilters(Schema):
    topic: str | None = Field(None, max_length=80, pattern=SLUG, description="A topic's slug.")
    campaign: str | None = Field(
        None, max_length=80, pattern=SLUG, description="A running campaign's slug."
    )
    featured: bool | None = None
    new: bool = Field(False, description="Only items published in the last 7 days.")
    q: str | None = Field(None, max_length=200, pattern=NO_NUL, description="Words to find.")
    limit: int = Field(24, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class RatingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    verdict: ContentRating.Verdict
    reason: str = Field("", max_length=services.REASON_MAX, pattern=NO_NUL)


class RatingOut(Schema):
    item_id: int
    verdict: str
    reason: str


class SubmissionIn(Schema):
    """A link or a story for the library; a curator reviews it."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(..., pattern=r"^(link|story)$", description="link or story")
    title: str = Field(..., min_length=1, max_length=services.TITLE_MAX, pattern=NO_NUL)
    url: str = Field("", max_length=2048, pattern=NO_NUL)
    text: str = Field("", max_length=services.DESCRIPTION_MAX, pattern=NO_NUL)
    suggested_text: str = Field("", max_length=3000, pattern=NO_NUL)


@router.get("/library/items", response=ItemPage, summary="Library items meant for me")
def library_item_list(request: HttpRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    viewer = signed_in_user(request)
    campaign = None
    if filters.campaign:
        campaign = selectors.campaigns_visible_to(viewer).filter(slug=filters.campaign).first()
        if campaign is None:
            return {"items": [], "count": 0, "limit": filters.limit, "offset": filters.offset}
    rows = selectors.items_visible_to(
        viewer,
        topic=filters.topic,
        featured=filters.featured,
        campaign=campaign,
        new_since=selectors.new_since_default() if filters.new else None,
        search=filters.q,
    )
    return {
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.get("/library/items/{item_id}", response=ItemOut, summary="One library item")
def library_item_get(
    request: HttpRequest, item_id: int = Path(..., ge=1, le=MAX_ID)
) -> ContentItem:
    return selectors.item_for(signed_in_user(request), item_id)


@router.post(
    "/library/items/{item_id}/rating",
    response=RatingOut,
    summary="Rate an item: would share, or not for me (with an optional reason)",
)
def library_item_rate(
    request: HttpRequest, payload: RatingIn, item_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    viewer = signed_in_user(request)
    item = selectors.item_for(viewer, item_id)
    if not getattr(item, "in_library", False):
        raise Http404(_("No such item."))
    try:
        rating = services.item_rate(
            user=viewer, item=item, verdict=str(payload.verdict), reason=payload.reason
        )
    except PermissionDenied as error:
        raise Http404(_("No such item.")) from error
    return {"item_id": item.pk, "verdict": rating.verdict, "reason": rating.reason}


@router.post(
    "/library/submissions",
    response={201: ItemOut},
    summary="Suggest a link or a story for the library (a curator reviews it)",
)
def library_item_submit(request: HttpRequest, payload: SubmissionIn) -> ContentItem:
    viewer = signed_in_user(request)
    item = services.item_submit(
        user=viewer,
        kind=payload.kind,
        title=payload.title,
        url=payload.url,
        text=payload.text,
        suggested_text=payload.suggested_text,
        request=request,
    )
    return selectors.item_for(viewer, item.pk)
