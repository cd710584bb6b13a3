"""The moderation part of the API: report a post or comment, read the queue, decide.

Items are named in the body (``post_id`` or ``comment_id``, exactly one) and looked up
through the feed's selectors, so what the caller may not see answers 404. Decisions go
through ``rallypoint.moderation.services``, as the pages do.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import ConfigDict, model_validator

from rallypoint.feed.models import Comment, Post
from rallypoint.moderation import selectors, services
from rallypoint.moderation.models import DECISION_NOTE_MAX, REPORT_DETAILS_MAX, Report
from rallypoint.people.requests import signed_in_user

router = Router(tags=["moderation"])

NO_NUL = r"^[^\x00]*$"
MAX_ID = 2**63 - 1


class ItemRef(Schema):
    """A post or a comment: send exactly one of the two ids."""

    model_config = ConfigDict(extra="forbid")

    post_id: int | None = Field(None, ge=1, le=MAX_ID)
    comment_id: int | None = Field(None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def _exactly_one(self) -> ItemRef:
        if (self.post_id is None) == (self.comment_id is None):
            raise ValueError("Send exactly one of post_id and comment_id.")
        return self


class ReportIn(ItemRef):
    reason: Literal["harassment", "spam", "confidential", "misinformation", "other"]
    details: str = Field("", max_length=REPORT_DETAILS_MAX, pattern=NO_NUL)


class HideIn(ItemRef):
    reason: str = Field(..., min_length=1, max_length=DECISION_NOTE_MAX, pattern=NO_NUL)


class DismissIn(ItemRef):
    note: str = Field("", max_length=DECISION_NOTE_MAX, pattern=NO_NUL)


class ReportOut(Schema):
    id: int
    post_id: int | None
    comment_id: int | None
    reason: str
    details: str
    status: str
    created_at: datetime.datetime


class ReasonCount(Schema):
    reason: str
    count: int


class ReportDetailOut(Schema):
    id: int
    reason: str
    details: str
    reporter_id: int
    reporter_name: str
    created_at: datetime.datetime


class QueueItemOut(Schema):
    kind: Literal["post", "comment"]
    id: int
    post_id: int
    space: str = Field(description="The space's slug.")
    author_id: int
    excerpt: str
    count: int
    reasons: list[ReasonCount]
    reports: list[ReportDetailOut]


class ItemStateOut(Schema):
    kind: Literal["post", "comment"]
    id: int
    hidden: bool
    hidden_reason: str


class DismissOut(Schema):
    dismissed: int


class NotFound(Schema):
    """The post or comment does not exist, or you may not see it."""

    detail: str


def _item(request: HttpRequest, ref: ItemRef) -> tuple[str, Post | Comment]:
    viewer = signed_in_user(request)
    if ref.post_id is not None:
        return "post", selectors.reportable_get(viewer, "post", ref.post_id)
    assert ref.comment_id is not None
    return "comment", selectors.reportable_get(viewer, "comment", ref.comment_id)


def _target(kind: str, item: Post | Comment) -> dict[str, Any]:
    return {"post": item} if kind == "post" else {"comment": item}


def _state(kind: str, item: Post | Comment) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": item.pk,
        "hidden": item.hidden_at is not None,
        "hidden_reason": item.hidden_reason,
    }


@router.post(
    "/moderation/reports",
    response={200: ReportOut, 404: NotFound},
    summary="Report a post or comment",
)
def report_create(request: HttpRequest, payload: ReportIn) -> Report:
    kind, item = _item(request, payload)
    return services.report_create(
        reporter=signed_in_user(request),
        reason=payload.reason,
        details=payload.details,
        **_target(kind, item),
    )


@router.get(
    "/moderation/queue",
    response=list[QueueItemOut],
    summary="Open reports of the spaces you moderate",
)
def moderation_queue_list(request: HttpRequest) -> list[dict[str, Any]]:
    viewer = signed_in_user(request)
    rows = []
    for entry in selectors.moderation_queue(viewer):
        target = entry.target
        rows.append(
            {
                "kind": entry.kind,
                "id": target.pk,
                "post_id": target.pk if entry.post is not None else target.post_id,  # type: ignore[union-attr]
                "space": entry.space.slug,
                "author_id": target.author_id,
                "excerpt": target.body[:300],
                "count": entry.count,
                "reasons": [
                    {"reason": str(reason), "count": count} for reason, count in entry.reasons
                ],
                "reports": [
                    {
                        "id": report.pk,
                        "reason": report.reason,
                        "details": report.details,
                        "reporter_id": report.reporter_id,
                        "reporter_name": report.reporter.display_name,
                        "created_at": report.created_at,
                    }
                    for report in entry.reports
                ],
            }
        )
    return rows


@router.post(
    "/moderation/hide",
    response={200: ItemStateOut, 404: NotFound},
    summary="Hide a post or comment",
)
def moderation_hide(request: HttpRequest, payload: HideIn) -> dict[str, Any]:
    kind, item = _item(request, payload)
    hidden = services.content_hide(
        actor=signed_in_user(request), reason=payload.reason, request=request, **_target(kind, item)
    )
    return _state(kind, hidden)


@router.post(
    "/moderation/unhide",
    response={200: ItemStateOut, 404: NotFound},
    summary="Show a hidden item again",
)
def moderation_unhide(request: HttpRequest, payload: ItemRef) -> dict[str, Any]:
    kind, item = _item(request, payload)
    shown = services.content_unhide(
        actor=signed_in_user(request), request=request, **_target(kind, item)
    )
    return _state(kind, shown)


@router.post(
    "/moderation/dismiss",
    response={200: DismissOut, 404: NotFound},
    summary="Dismiss the open reports of an item",
)
def moderation_dismiss(request: HttpRequest, payload: DismissIn) -> dict[str, int]:
    kind, item = _item(request, payload)
    count = services.report_dismiss(
        actor=signed_in_user(request), note=payload.note, request=request, **_target(kind, item)
    )
    return {"dismissed": count}
