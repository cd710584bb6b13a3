"""The notifications part of the API: your notifications, the unread count, marking read.

Reads go through ``rallypoint.notify.selectors`` (which hides notifications about
spaces you may no longer read) and writes through ``rallypoint.notify.services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from rallypoint.notify import selectors, services
from rallypoint.notify.models import Notification
from rallypoint.people.api import MAX_ID, OFFSET_MAX, PersonRef
from rallypoint.people.requests import signed_in_user
from rallypoint.spaces.api import SpaceRef

router = Router(tags=["notifications"])

PAGE_LIMIT_DEFAULT = 30
PAGE_LIMIT_MAX = 100


class NotificationOut(Schema):
    id: int
    kind: str = Field(description="mention, reply, announcement, reaction, space, moderation…")
    summary: str = Field(
        description="What happened, without the actor: “reacted 👍 to your post …”."
    )
    actor: PersonRef | None = Field(description="Who did it last.")
    others: int = Field(description="How many more people took part (grouped notifications).")
    count: int = Field(description="How many events this notification groups.")
    space: SpaceRef | None
    url: str | None = Field(description="Where to look, on the web.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    read_at: datetime.datetime | None
    unread: bool

    @staticmethod
    def resolve_url(obj: Notification, context: dict[str, Any]) -> str | None:
        return str(context["request"].build_absolute_uri(obj.url)) if obj.url else None

    @staticmethod
    def resolve_unread(obj: Notification) -> bool:
        return obj.is_unread


class NotificationPage(Schema):
    items: list[NotificationOut]
    count: int = Field(description="How many match, on all pages.")
    unread: int = Field(description="How many of all your notifications are unread.")
    limit: int
    offset: int


class NotificationFilters(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read.")
    limit: int = Field(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class UnreadOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int = Field(description="How many notifications were unread and are read now.")


@router.get("/notifications", response=NotificationPage, summary="Your notifications")
def notification_list(request: HttpRequest, filters: Query[NotificationFilters]) -> dict[str, Any]:
    viewer = signed_in_user(request)
    every = selectors.notifications_visible_to(viewer)
    chosen = every
    if filters.unread is not None:
        chosen = every.filter(read_at__isnull=filters.unread)
    page = chosen.select_related("actor", "space")[filters.offset : filters.offset + filters.limit]
    return {
        "items": list(page),
        "count": chosen.count(),
        "unread": selectors.notifications_unread_count(viewer),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.get("/notifications/unread", response=UnreadOut, summary="How many are unread")
def notification_unread_count(request: HttpRequest) -> dict[str, int]:
    return {"unread": selectors.notifications_unread_count(signed_in_user(request))}


@router.post("/notifications/read", response=MarkedOut, summary="Mark all read")
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": services.notifications_mark_all_read(viewer=signed_in_user(request))}


@router.post(
    "/notifications/{notification_id}/read", response=NotificationOut, summary="Mark one read"
)
def notification_read(
    request: HttpRequest, notification_id: int = Path(..., ge=1, le=MAX_ID)
) -> Notification:
    viewer = signed_in_user(request)
    return services.notification_mark_read(viewer=viewer, notification_id=notification_id)
