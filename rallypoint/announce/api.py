"""Announcements in the API: those for me, one, publishing, acknowledging, statistics.

Reads go through ``announce.selectors`` and writes through ``announce.services``, as the
pages do: an announcement whose audience the caller has left answers 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import ConfigDict

from rallypoint.announce import selectors, services
from rallypoint.announce.models import BODY_MAX, REMINDER_DAYS_MAX, TITLE_MAX, Announcement
from rallypoint.people.models import Department, Location
from rallypoint.people.requests import signed_in_user
from rallypoint.spaces.models import Space

router = Router(tags=["announcements"])

NO_NUL = r"^[^\x00]*$"
MAX_ID = 2**63 - 1
PAGE_LIMIT_MAX = 200


class AuthorOut(Schema):
    id: int
    display_name: str


class AnnouncementOut(Schema):
    id: int
    title: str
    body: str
    body_html: str
    author: AuthorOut
    must_read: bool
    urgent: bool
    published_at: datetime.datetime | None
    opened_at: datetime.datetime | None = Field(None, description="When you opened it.")
    acknowledged_at: datetime.datetime | None = Field(None, description="When you acknowledged it.")

    @staticmethod
    def resolve_opened_at(obj: Announcement) -> datetime.datetime | None:
        return getattr(obj, "my_opened_at", None)

    @staticmethod
    def resolve_acknowledged_at(obj: Announcement) -> datetime.datetime | None:
        return getattr(obj, "my_acknowledged_at", None)


class AnnouncementPage(Schema):
    items: list[AnnouncementOut]
    count: int
    limit: int
    offset: int


class PageFilters(Schema):
    limit: int = Field(50, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=2**31 - 1)


class AnnouncementIn(Schema):
    """A new announcement, published at once. Name the audience by ids."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(..., min_length=1, max_length=TITLE_MAX, pattern=NO_NUL)
    body: str = Field(..., min_length=1, max_length=BODY_MAX, pattern=NO_NUL)
    to_everyone: bool = False
    department_ids: list[int] = Field(default_factory=list, max_length=500)
    location_ids: list[int] = Field(default_factory=list, max_length=500)
    space_ids: list[int] = Field(default_factory=list, max_length=500)
    must_read: bool = False
    urgent: bool = False
    reminder_after_days: int | None = Field(None, ge=1, le=REMINDER_DAYS_MAX)


class AcknowledgementOut(Schema):
    announcement_id: int
    acknowledged_at: datetime.datetime


class CountsOut(Schema):
    delivered: int
    opened: int
    acknowledged: int


class DepartmentCountsOut(CountsOut):
    department: str


class PendingOut(Schema):
    id: int
    display_name: str
    department: str | None


class StatsOut(Schema):
    total: CountsOut
    departments: list[DepartmentCountsOut]
    not_acknowledged: list[PendingOut]


def _in_audience(request: HttpRequest, announcement_id: int) -> Announcement:
    announcement = selectors.announcements_for(signed_in_user(request)).filter(pk=announcement_id)
    found = announcement.first()
    if found is None:
        raise Http404(_("No such announcement."))
    return found


def _ids(model: Any, ids: list[int], name: str) -> list[Any]:
    rows = list(model.objects.filter(pk__in=ids))
    if len(rows) != len(set(ids)):
        raise SchemaValidationError(
            [{"loc": ["body", "payload", name], "msg": _("Unknown id."), "type": "invalid"}]
        )
    return rows


@router.get("/announcements", response=AnnouncementPage, summary="Announcements for me")
def announcement_list(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    rows = selectors.announcements_for(signed_in_user(request))
    return {
        "items": list(rows[filters.offset : filters.offset + filters.limit]),
        "count": rows.count(),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.get(
    "/announcements/{announcement_id}", response=AnnouncementOut, summary="One announcement"
)
def announcement_get(
    request: HttpRequest, announcement_id: int = Path(..., ge=1, le=MAX_ID)
) -> Announcement:
    return _in_audience(request, announcement_id)


@router.post(
    "/announcements",
    response={201: AnnouncementOut},
    summary="Publish an announcement (communications managers and administrators)",
)
def announcement_create(request: HttpRequest, payload: AnnouncementIn) -> Announcement:
    viewer = signed_in_user(request)
    if not viewer.is_communications:
        raise PermissionDenied(
            _("Only communications managers and administrators publish announcements.")
        )
    announcement = services.announcement_create(
        author=viewer,
        title=payload.title,
        body=payload.body,
        to_everyone=payload.to_everyone,
        departments=_ids(Department, payload.department_ids, "department_ids"),
        locations=_ids(Location, payload.location_ids, "location_ids"),
        spaces=_ids(Space, payload.space_ids, "space_ids"),
        must_read=payload.must_read,
        urgent=payload.urgent,
        reminder_after_days=payload.reminder_after_days,
        request=request,
    )
    return announcement


@router.post(
    "/announcements/{announcement_id}/acknowledge",
    response=AcknowledgementOut,
    summary="Acknowledge a must-read announcement (again changes nothing)",
)
def announcement_acknowledge(
    request: HttpRequest, announcement_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    try:
        receipt = services.announcement_acknowledge(
            viewer=signed_in_user(request), announcement_id=announcement_id
        )
    except PermissionDenied as error:
        raise Http404(_("No such announcement.")) from error
    return {"announcement_id": announcement_id, "acknowledged_at": receipt.acknowledged_at}


@router.get(
    "/announcements/{announcement_id}/stats",
    response=StatsOut,
    summary="Delivery, opening and acknowledgement (author and communications)",
)
def announcement_stats(
    request: HttpRequest, announcement_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    announcement = selectors.announcement_get_for_stats(signed_in_user(request), announcement_id)
    stats = selectors.announcement_stats(announcement)
    pending = (
        selectors.announcement_not_acknowledged(announcement) if announcement.must_read else []
    )

    def counts(value: selectors.Counts) -> dict[str, int]:
        return {
            "delivered": value.delivered,
            "opened": value.opened,
            "acknowledged": value.acknowledged,
        }

    return {
        "total": counts(stats.total),
        "departments": [
            {"department": str(row.name), **counts(row.counts)} for row in stats.departments
        ],
        "not_acknowledged": [
            {
                "id": receipt.user_id,
                "display_name": receipt.user.display_name,
                "department": receipt.department.name if receipt.department else None,
            }
            for receipt in pending
        ],
    }
