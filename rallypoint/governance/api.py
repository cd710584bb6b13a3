"""The social media policy in the API: read it, accept it, see who accepted, and check a
share text against the rules.

Reads go through ``governance.selectors`` and writes through ``governance.services``, as
the pages do.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict

from rallypoint.api.errors import ErrorOut
from rallypoint.governance import selectors, services
from rallypoint.governance.compliance import share_text_check
from rallypoint.governance.models import PolicyVersion
from rallypoint.networks.models import Network
from rallypoint.people.requests import signed_in_user

router = Router(tags=["policy"])

TEXT_MAX = 10_000
URL_MAX = 2_000
NO_NUL = r"^[^\x00]*$"
LINK = r"^(?:https?://[^\s\x00]+)?$"


class PolicyOut(Schema):
    number: int
    title: str
    summary: str
    body: str
    body_html: str
    published_at: datetime.datetime


class PolicyCurrentOut(Schema):
    policy: PolicyOut | None = Field(..., description="None when no policy was ever published.")
    acknowledged_at: datetime.datetime | None = Field(
        None, description="When you accepted the current version."
    )
    may_share: bool = Field(
        ...,
        description="Whether the policy lets you share: you accepted the current version, "
        "or no policy is published.",
    )


class PolicyAcknowledgeIn(Schema):
    """Accept the current version; name its number, so that you accept what you read."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(..., ge=1, le=2**31 - 1)


class PolicyAcknowledgementOut(Schema):
    number: int
    acknowledged_at: datetime.datetime


class PolicyDepartmentOut(Schema):
    department: str
    people: int
    acknowledged: int
    rate: int = Field(..., description="Acknowledged, in whole percent.")


class PolicyPendingOut(Schema):
    id: int
    display_name: str
    department: str | None


class PolicyReportOut(Schema):
    policy: PolicyOut | None
    people: int
    acknowledged: int
    rate: int
    departments: list[PolicyDepartmentOut]
    not_acknowledged: list[PolicyPendingOut] = Field(
        ..., description="The first 500 people who have not accepted the current version."
    )


class PolicyCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., max_length=TEXT_MAX, pattern=NO_NUL)
    network: Network
    url: str = Field("", max_length=URL_MAX, pattern=LINK)


class PolicyFindingOut(Schema):
    rule: str = Field(
        ..., description="email, phone, secret, blocked_term, pattern, disclosure or length."
    )
    action: str = Field(..., description="block, warn or added.")
    message: str


class PolicyLengthOut(Schema):
    length: int
    limit: int
    ok: bool
    over_by: int


class PolicyCheckOut(Schema):
    text: str = Field(..., description="The text as it would be shared (disclosure added).")
    blocked: bool
    findings: list[PolicyFindingOut]
    length: PolicyLengthOut


def _policy(version: PolicyVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {
        "number": version.number,
        "title": version.title,
        "summary": version.summary,
        "body": version.body,
        "body_html": version.body_html,
        "published_at": version.published_at,
    }


@router.get("/policy/current", response=PolicyCurrentOut, summary="The current policy")
def policy_current_get(request: HttpRequest) -> dict[str, Any]:
    viewer = signed_in_user(request)
    current = selectors.policy_current()
    acknowledgement = selectors.policy_acknowledgement_of(user=viewer, version=current)
    return {
        "policy": _policy(current),
        "acknowledged_at": acknowledgement.acknowledged_at if acknowledgement else None,
        "may_share": current is None or acknowledgement is not None,
    }


@router.post(
    "/policy/acknowledge",
    response={200: PolicyAcknowledgementOut, 404: ErrorOut, 409: ErrorOut},
    summary="Accept the current policy (again changes nothing)",
)
def policy_acknowledge(request: HttpRequest, payload: PolicyAcknowledgeIn) -> dict[str, Any]:
    current = selectors.policy_current()
    if current is None:
        raise Http404(_("No social media policy is published."))
    if payload.number != current.number:
        raise HttpError(
            409,
            _("Version %(number)d is the current policy: read it, then accept it.")
            % {"number": current.number},
        )
    acknowledgement = services.policy_acknowledge(
        user=signed_in_user(request), version=current, request=request
    )
    return {"number": current.number, "acknowledged_at": acknowledgement.acknowledged_at}


@router.get(
    "/policy/report",
    response={200: PolicyReportOut, 403: ErrorOut},
    summary="Who accepted the current policy (communications managers and administrators)",
)
def policy_report_get(request: HttpRequest) -> dict[str, Any]:
    report = selectors.policy_report(signed_in_user(request))
    return {
        "policy": _policy(report.version),
        "people": report.people,
        "acknowledged": report.acknowledged,
        "rate": report.rate,
        "departments": [
            {
                "department": str(row.name),
                "people": row.people,
                "acknowledged": row.acknowledged,
                "rate": row.rate,
            }
            for row in report.departments
        ],
        "not_acknowledged": [
            {
                "id": person.pk,
                "display_name": person.display_name,
                "department": person.department.name if person.department else None,
            }
            for person in report.pending
        ],
    }


@router.post(
    "/policy/check", response=PolicyCheckOut, summary="Check a share text against the rules"
)
def policy_check(request: HttpRequest, payload: PolicyCheckIn) -> dict[str, Any]:
    result = share_text_check(text=payload.text, network=payload.network.value, url=payload.url)
    return result.as_dict()
