"""Writes of the core app (the audit log's own service is in audit.py)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from rallypoint.core.models import WorkerHeartbeat

# Heartbeats of processes gone for this long are forgotten.
HEARTBEAT_KEEP = timedelta(days=1)


@transaction.atomic
def worker_heartbeat_record(*, host: str, pid: int) -> WorkerHeartbeat:
    """Record that the consumer process ``host``/``pid`` is running jobs now."""
    now = timezone.now()
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        host=host, pid=pid, defaults={"last_seen": now}
    )
    WorkerHeartbeat.objects.filter(last_seen__lt=now - HEARTBEAT_KEEP).delete()
    return heartbeat
