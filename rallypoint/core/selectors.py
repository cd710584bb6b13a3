"""Reads of core data, each filtered for the viewer."""

from __future__ import annotations

import contextlib
import ipaddress
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from rallypoint.core.models import AuditEntry, WorkerHeartbeat


def _is_administrator(viewer: Any) -> bool:
    return bool(getattr(viewer, "is_authenticated", False) and viewer.is_administrator)


def audit_entries_visible_to(
    viewer: Any,
    *,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    since: date | None = None,
    until: date | None = None,
    text: str = "",
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first; administrators see all, everyone else nothing.

    ``actor`` matches part of the actor's email; ``since`` and ``until`` are whole days
    in the current time zone, both included; ``text`` looks in the action, the actor,
    the target, the details and (when it is one) the IP address.
    """
    if not _is_administrator(viewer):
        return AuditEntry.objects.none()
    entries = AuditEntry.objects.all()
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(actor_label__icontains=actor)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if since is not None:
        entries = entries.filter(at__gte=_start_of_day(since))
    if until is not None:
        entries = entries.filter(at__lt=_start_of_day(until + timedelta(days=1)))
    if text:
        match = (
            Q(action__icontains=text)
            | Q(actor_label__icontains=text)
            | Q(target_label__icontains=text)
            | Q(target_id=text)
            | Q(details__icontains=text)
        )
        with contextlib.suppress(ValueError):
            match |= Q(ip_address=str(ipaddress.ip_address(text)))
        entries = entries.filter(match)
    return entries.order_by("-at", "-id")


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def audit_actions_visible_to(viewer: Any) -> list[str]:
    """The distinct actions in the log, for the filter."""
    if not _is_administrator(viewer):
        return []
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_target_types_visible_to(viewer: Any) -> list[str]:
    """The distinct kinds of target in the log, for the filter."""
    if not _is_administrator(viewer):
        return []
    return list(
        AuditEntry.objects.exclude(target_type="")
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )


def worker_heartbeats_recent(*, within: timedelta) -> list[WorkerHeartbeat]:
    """Job consumers seen in the last ``within``, most recent first (operations data)."""
    return list(WorkerHeartbeat.objects.filter(last_seen__gte=timezone.now() - within))
