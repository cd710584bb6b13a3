"""Shares in the API: share an item, list my shares, change or cancel a scheduled one.

Writes go through ``advocacy.sharing`` as the pages do: an item the caller may not see
answers 404, an internal-only item or a text a compliance rule blocks answers 422 with
the reason, and sharing before acknowledging the social media policy answers 403 with
the policy's address in ``detail``.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import ConfigDict

from rallypoint.advocacy import share_selectors, sharing
from rallypoint.advocacy.models import ContentItem, Share
from rallypoint.advocacy.selectors import item_for
from rallypoint.api.errors import ErrorOut
from rallypoint.networks.models import Network
from rallypoint.people.requests import signed_in_user

router = Router(tags=["shares"])

NO_NUL = r"^[^\x00]*$"
MAX_ID = 2**63 - 1
PAGE_LIMIT_MAX = 200
TEXT_MAX = 70000
SHARE_PATH = Path(..., ge=1, le=MAX_ID)

NetworkName = Literal[
    "linkedin", "x", "facebook", "mastodon", "bluesky", "instagram", "xing", "whatsapp"
]
MethodName = Literal["api", "intent", "copy"]
StatusName = Literal["scheduled", "publishing", "published", "opened", "failed", "cancelled"]


class ShareOut(Schema):
    id: int
    item_id: int
    network: str
    method: str
    status: str
    text: str = Field(..., description="The text as stored, after the compliance check.")
    posted_text: str = Field(..., description="The text as it goes out, with the link.")
    link: str | None = Field(None, description="The tracked link (/r/…) of this share.")
    campaign: str | None = Field(None, description="The campaign's slug.")
    scheduled_for: datetime.datetime | None
    published_at: datetime.datetime | None
    remote_url: str
    attempts: int
    last_error: str
    intent_url: str | None = Field(
        None, description="For a share by the network's share page: the page to open."
    )

    @staticmethod
    def resolve_posted_text(obj: Share) -> str:
        return sharing.posted_text(obj)

    @staticmethod
    def resolve_link(obj: Share) -> str | None:
        return sharing.short_url(obj) or None

    @staticmethod
    def resolve_campaign(obj: Share) -> str | None:
        return obj.campaign.slug if obj.campaign_id and obj.campaign else None

    @staticmethod
    def resolve_intent_url(obj: Share) -> str | None:
        return getattr(obj, "intent", None)


class SharePage(Schema):
    items: list[ShareOut]
    count: int
    limit: int
    offset: int


class ShareFilters(Schema):
    status: StatusName | None = None
    limit: int = Field(50, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class ShareIn(Schema):
    """Share a library item. ``method`` api posts with your connected account, now or at
    ``scheduled_for`` (with its time zone); intent answers the network's share page to
    open (``instance``: your Mastodon server); copy answers the text to paste."""

    model_config = ConfigDict(extra="forbid")

    item: int = Field(..., ge=1, le=MAX_ID)
    network: NetworkName
    text: str = Field(..., min_length=1, max_length=TEXT_MAX, pattern=NO_NUL)
    method: MethodName = "api"
    scheduled_for: datetime.datetime | None = None
    instance: str = Field("", max_length=253, pattern=NO_NUL)
    campaign: str = Field(
        "", max_length=80, pattern=r"^[-a-zA-Z0-9_]*$", description="A campaign's slug."
    )


class ShareChange(Schema):
    """New text and/or time for a scheduled share; both are checked again."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, min_length=1, max_length=TEXT_MAX, pattern=NO_NUL)
    scheduled_for: datetime.datetime | None = None


def _reload(viewer: Any, share_id: int) -> Share:
    return share_selectors.share_for(user=viewer, pk=share_id)


@router.get("/shares", response=SharePage, summary="My shares")
def share_list(request: HttpRequest, filters: Query[ShareFilters]) -> dict[str, Any]:
    rows = share_selectors.shares_of(user=signed_in_user(request))
    if filters.status:
        rows = rows.filter(status=filters.status)
    return {
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.post(
    "/shares",
    response={201: ShareOut, 404: ErrorOut},
    summary="Share a library item (post, schedule, share page or copy)",
)
def share_create(request: HttpRequest, payload: ShareIn) -> Status[Share]:
    viewer = signed_in_user(request)
    item: ContentItem = item_for(viewer, payload.item)
    instance = ""
    if payload.method == Share.Method.INTENT and payload.network == Network.MASTODON:
        instance = sharing.mastodon_instance_of(viewer, "") or sharing.clean_instance(
            payload.instance
        )
    share = sharing.share_create(
        user=viewer,
        item=item,
        network=payload.network,
        text=payload.text,
        method=payload.method,
        scheduled_for=payload.scheduled_for,
        campaign=sharing.campaign_named(payload.campaign),
    )
    found = _reload(viewer, share.pk)
    if found.method == Share.Method.INTENT:
        found.intent = sharing.share_intent_url(share=found, instance=instance)  # type: ignore[attr-defined]
    return Status(201, found)


@router.get("/shares/{share_id}", response=ShareOut, summary="One of my shares")
def share_get(request: HttpRequest, share_id: int = SHARE_PATH) -> Share:
    return _reload(signed_in_user(request), share_id)


@router.patch(
    "/shares/{share_id}",
    response=ShareOut,
    summary="Change the text or time of a scheduled share (or retry a failed one)",
)
def share_update(request: HttpRequest, payload: ShareChange, share_id: int = SHARE_PATH) -> Share:
    viewer = signed_in_user(request)
    share = _reload(viewer, share_id)
    sharing.share_reschedule(
        user=viewer, share=share, text=payload.text, scheduled_for=payload.scheduled_for
    )
    return _reload(viewer, share_id)


@router.delete("/shares/{share_id}", response={204: None}, summary="Cancel a scheduled share")
def share_delete(request: HttpRequest, share_id: int = SHARE_PATH) -> Any:
    viewer = signed_in_user(request)
    share = _reload(viewer, share_id)
    sharing.share_cancel(user=viewer, share=share)
    return Status(204, None)
