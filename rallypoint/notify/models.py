"""In-app notifications: one row per person and event, or per group of alike events.

Rows are written only by ``services.notification_notify`` and read only through
``selectors.notifications_visible_to``, which hides a notification about a space its
recipient can no longer read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SUMMARY_MAX = 300


class Notification(models.Model):
    """Something that happened that one person should know about.

    ``summary`` is plain text describing the event without naming the actor ("reacted to
    your post “Lunch on Friday”"); pages show the actor, and the others for a group, before
    it. Rows sharing a ``group_key`` are folded into the recipient's one unread row for
    that key: ``count`` events by the people in ``actor_ids``, the latest being ``actor``.
    """

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mention")
        REPLY = "reply", _("Reply")
        ANNOUNCEMENT = "announcement", _("Announcement")
        REACTION = "reaction", _("Reaction")
        SPACE = "space", _("Space")
        MODERATION = "moderation", _("Moderation")
        ADVOCACY = "advocacy", _("Sharing")
        POLICY = "policy", _("Social media policy")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_ids = models.JSONField(_("actors"), default=list, blank=True)
    space = models.ForeignKey(
        "spaces.Space",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("space"),
    )
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    url = models.CharField(_("address"), max_length=500, blank=True)
    summary = models.CharField(_("summary"), max_length=SUMMARY_MAX)
    group_key = models.CharField(_("group key"), max_length=200, blank=True)
    count = models.PositiveIntegerField(_("count"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-updated_at"], name="notify_recipient_unread"
            ),
            models.Index(fields=["recipient", "-updated_at"], name="notify_recipient_recent"),
        ]
        constraints = [
            # Grouping relies on this: at most one unread row per person and group.
            models.UniqueConstraint(
                fields=["recipient", "group_key"],
                condition=Q(read_at__isnull=True) & ~Q(group_key=""),
                name="notify_one_unread_per_group",
            ),
            models.CheckConstraint(condition=Q(count__gte=1), name="notify_count_positive"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind}: {self.summary}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def others(self) -> int:
        """How many people besides ``actor`` took part in this (grouped) notification."""
        return max(len(self.actor_ids) - 1, 0)


class NotificationPreference(models.Model):
    """A person turned one kind of in-app notification off (or back on).

    No row means the default: on. Urgent announcements ignore preferences
    (``notification_notify(..., bypass_preferences=True)``).
    """

    OPTIONAL_KINDS = (
        Notification.Kind.MENTION,
        Notification.Kind.REPLY,
        Notification.Kind.REACTION,
        Notification.Kind.ANNOUNCEMENT,
        Notification.Kind.SPACE,
    )

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Notification.Kind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notify_one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {'on' if self.in_app else 'off'}"
