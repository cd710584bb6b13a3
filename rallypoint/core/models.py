from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One thing that happened and who did it. Written only by ``audit_record``.

    The audit log lives in ``core`` rather than ``governance`` because every app,
    ``people`` included, records into it, and imports flow from ``core`` outwards.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as text too, so the entry still says who it was after the account is gone.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action}"


class WorkerHeartbeat(models.Model):
    """The last time one job consumer process ran a job, written by ``core.tasks``.

    ``/readyz`` reports these, so an operator sees whether jobs are actually running.
    """

    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(fields=["host", "pid"], name="worker_heartbeat_unique_process"),
        ]
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} {self.last_seen:%Y-%m-%d %H:%M:%S}"
