"""Reads of the policy, the acknowledgements and the compliance rules.

Sharing requires the current policy to be acknowledged. Before any policy was ever
published there is nothing to acknowledge, and ``policy_acknowledged`` answers True:
a company that has not written a policy yet is not stopped from sharing (the policy
page then says that no policy is published).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.governance.models import ComplianceRule, PolicyAcknowledgement, PolicyVersion
from rallypoint.people.models import User

PENDING_SHOWN = 500
# People without a department come last, on SQLite as on PostgreSQL.
DEPARTMENT_ORDER = F("department__name").asc(nulls_last=True)


def policy_current() -> PolicyVersion | None:
    """The published version with the highest number, or None if none was published."""
    return (
        PolicyVersion.objects.filter(number__isnull=False)
        .select_related("author")
        .order_by("-number")
        .first()
    )


def policy_acknowledgement_of(
    *, user: User, version: PolicyVersion | None
) -> PolicyAcknowledgement | None:
    if version is None or not user.is_authenticated:
        return None
    return PolicyAcknowledgement.objects.filter(version=version, user=user).first()


def policy_acknowledged(*, user: User) -> bool:
    """Whether ``user`` may share as far as the policy goes: they accepted the current
    version, or no version was ever published (see the module docstring)."""
    mine = PolicyAcknowledgement.objects.filter(version_id=OuterRef("pk"), user_id=user.pk)
    latest = (
        PolicyVersion.objects.filter(number__isnull=False)
        .order_by("-number")
        .annotate(mine=Exists(mine))
        .values_list("mine", flat=True)
        .first()
    )
    return True if latest is None else bool(latest)


def can_manage_policy(viewer: User) -> bool:
    return bool(viewer.is_authenticated and viewer.is_administrator)


def can_see_report(viewer: User) -> bool:
    return bool(viewer.is_authenticated and viewer.is_communications)


def policy_versions_for(viewer: User) -> QuerySet[PolicyVersion]:
    """Every version, drafts first, for administrators (404 for anyone else)."""
    if not can_manage_policy(viewer):
        raise Http404(_("No such page."))
    return PolicyVersion.objects.select_related("author").annotate(
        acknowledged=Count("acknowledgements")
    )


def policy_version_for(viewer: User, pk: int) -> PolicyVersion:
    """One version for an administrator; 404 otherwise."""
    version = policy_versions_for(viewer).filter(pk=pk).first()
    if version is None:
        raise Http404(_("No such policy version."))
    return version


@dataclass(frozen=True)
class DepartmentRow:
    name: str
    people: int
    acknowledged: int

    @property
    def rate(self) -> int:
        """Acknowledged, in whole percent of the people."""
        return round(100 * self.acknowledged / self.people) if self.people else 0


@dataclass(frozen=True)
class PolicyReport:
    version: PolicyVersion | None
    people: int = 0
    acknowledged: int = 0
    departments: list[DepartmentRow] = field(default_factory=list)
    pending: list[User] = field(default_factory=list)

    @property
    def rate(self) -> int:
        return round(100 * self.acknowledged / self.people) if self.people else 0

    @property
    def pending_count(self) -> int:
        return self.people - self.acknowledged


def _acknowledged(version: PolicyVersion) -> Exists:
    return Exists(PolicyAcknowledgement.objects.filter(version=version, user_id=OuterRef("pk")))


def policy_report(viewer: User) -> PolicyReport:
    """Who accepted the current policy, per department of the active people now, and the
    first ``PENDING_SHOWN`` people who have not. Communications managers and
    administrators only (``PermissionDenied`` otherwise). Three queries."""
    if not can_see_report(viewer):
        raise PermissionDenied(_("Only communications managers and administrators see this."))
    version = policy_current()
    if version is None:
        return PolicyReport(version=None)
    acknowledged = _acknowledged(version)
    rows = (
        User.objects.filter(is_active=True)
        .values("department_id", "department__name")
        .annotate(people=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged)))
        .order_by(DEPARTMENT_ORDER)
    )
    departments = [
        DepartmentRow(
            name=row["department__name"] or _("No department"),
            people=row["people"],
            acknowledged=row["acknowledged"],
        )
        for row in rows
    ]
    pending = list(
        User.objects.filter(is_active=True)
        .exclude(acknowledged)
        .select_related("department")
        .order_by(DEPARTMENT_ORDER, "display_name", "pk")[:PENDING_SHOWN]
    )
    return PolicyReport(
        version=version,
        people=sum(row.people for row in departments),
        acknowledged=sum(row.acknowledged for row in departments),
        departments=departments,
        pending=pending,
    )


def policy_report_rows(
    viewer: User,
) -> Iterator[tuple[str, str, str, datetime.datetime | None]]:
    """Every active person with when they accepted the current policy (None if not):
    ``(display_name, email, department, acknowledged_at)``, for the CSV export."""
    if not can_see_report(viewer):
        raise PermissionDenied(_("Only communications managers and administrators see this."))
    version = policy_current()
    when = PolicyAcknowledgement.objects.filter(version=version, user_id=OuterRef("pk")).values(
        "acknowledged_at"
    )[:1]
    people = (
        User.objects.filter(is_active=True)
        .annotate(acknowledged_at=Subquery(when))
        .order_by(DEPARTMENT_ORDER, "display_name", "pk")
        .values_list("display_name", "email", "department__name", "acknowledged_at")
    )
    for name, email, department, at in people.iterator(chunk_size=2000):
        yield name, email, department or "", at


def compliance_rules_for(viewer: User) -> QuerySet[ComplianceRule]:
    """Every rule, for administrators (404 for anyone else)."""
    if not can_manage_policy(viewer):
        raise Http404(_("No such page."))
    return ComplianceRule.objects.all()


def compliance_rule_for(viewer: User, pk: int) -> ComplianceRule:
    rule = compliance_rules_for(viewer).filter(pk=pk).first()
    if rule is None:
        raise Http404(_("No such rule."))
    return rule
