"""The audit log service: the one way to write an ``AuditEntry``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from rallypoint.core.models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the server saw it (the proxy sets REMOTE_ADDR when trusted)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    target_label: str = "",
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record ``action`` (a dotted name such as ``people.role_changed``).

    ``actor`` is the user who acted, or None for the system. Call inside the
    transaction of the write it describes, so both land or neither does.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        action=action,
        actor=actor,
        actor_label=getattr(actor, "email", "") if actor else "",
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=target_label or (str(target) if target is not None else ""),
        ip_address=client_ip(request),
        details=details or {},
    )
