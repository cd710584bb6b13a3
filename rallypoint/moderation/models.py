"""Reports of posts and comments, and what moderators decided about them.

A report points at exactly one post or one comment; ``space`` is the space of that post,
kept on the row so that the queue of a moderator's spaces is one indexed query. One
person has at most one open report per item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REPORT_DETAILS_MAX = 1000
DECISION_NOTE_MAX = 500


class Report(models.Model):
    class Reason(models.TextChoices):
        HARASSMENT = "harassment", _("Harassment or bullying")
        SPAM = "spam", _("Spam or advertising")
        CONFIDENTIAL = "confidential", _("Confidential information")
        MISINFORMATION = "misinformation", _("Misinformation")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DISMISSED = "dismissed", _("Dismissed")

    post = models.ForeignKey(
        "feed.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("post"),
    )
    comment = models.ForeignKey(
        "feed.Comment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("comment"),
    )
    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="+", verbose_name=_("space")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_made",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=REPORT_DETAILS_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.CharField(_("decision"), max_length=DECISION_NOTE_MAX, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("report")
        indexes = [
            models.Index(
                fields=["space", "created_at"],
                condition=Q(status="open"),
                name="report_open_by_space",
            ),
            models.Index(fields=["reporter", "-created_at"], name="report_by_reporter"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="report_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="report_decided_has_time",
            ),
            models.UniqueConstraint(
                fields=["post", "reporter"],
                condition=Q(status="open", post__isnull=False),
                name="report_one_open_per_post",
            ),
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(status="open", comment__isnull=False),
                name="report_one_open_per_comment",
            ),
        ]

    def __str__(self) -> str:
        target = f"post {self.post_id}" if self.post_id else f"comment {self.comment_id}"
        return f"report {self.pk} of {target} ({self.status})"

    @property
    def target(self) -> models.Model:
        return self.post if self.post_id else self.comment  # type: ignore[return-value]
