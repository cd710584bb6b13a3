"""Announcements, who received them, and when each person opened and acknowledged them.

The audience is the union of: everyone (``to_everyone``), people whose department is one
of ``departments``, whose location is one of ``locations``, and members of ``spaces``
(teams and groups). Departments and locations point at the directory itself, not at
their spaces, so that someone who moves department leaves the audience the moment their
profile changes. Who is in the audience is decided in ``selectors.py`` at the time of
each read; ``AnnouncementRecipient`` rows record delivery and reading for the statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
BODY_MAX = 20_000
REMINDER_DAYS_MAX = 90


class Announcement(models.Model):
    """A message from communications to an audience; optionally must-read or urgent."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="announcements",
        verbose_name=_("author"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    body_html = models.TextField(blank=True)
    to_everyone = models.BooleanField(_("everyone"), default=False)
    departments = models.ManyToManyField(
        "people.Department", blank=True, related_name="+", verbose_name=_("departments")
    )
    locations = models.ManyToManyField(
        "people.Location", blank=True, related_name="+", verbose_name=_("locations")
    )
    spaces = models.ManyToManyField(
        "spaces.Space", blank=True, related_name="+", verbose_name=_("spaces")
    )
    must_read = models.BooleanField(_("must read"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(REMINDER_DAYS_MAX)],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["status", "-published_at"], name="announce_published")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="announce_published_has_time",
            ),
            models.CheckConstraint(
                condition=Q(reminder_after_days__isnull=True) | Q(must_read=True),
                name="announce_reminders_only_must_read",
            ),
            # Urgent announcements are acknowledged: that is how they leave the top.
            models.CheckConstraint(
                condition=Q(urgent=False) | Q(must_read=True),
                name="announce_urgent_is_must_read",
            ),
        ]

    # Set by ``selectors.announcement_get_visible``: whether the viewer is in the audience
    # (the author and communications managers may open it without being so).
    in_audience = False

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class AnnouncementRecipient(models.Model):
    """One person an announcement was delivered to, and what they did with it.

    ``department`` is a snapshot taken at delivery, so the statistics by department do
    not move when people change department afterwards. ``reminder_claim`` names the
    reminder run that last claimed the row (see ``services.announcement_reminders_send``).
    """

    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.CASCADE,
        related_name="recipients",
        verbose_name=_("announcement"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="announcement_receipts",
        verbose_name=_("person"),
    )
    department = models.ForeignKey(
        "people.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("department"),
    )
    delivered_at = models.DateTimeField(_("delivered"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    reminder_claim = models.UUIDField(null=True, blank=True, default=None, editable=False)

    class Meta:
        ordering = ["announcement", "user"]
        verbose_name = _("announcement recipient")
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="announce_one_recipient_row"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "announcement"], name="announce_recipient_by_user"),
            models.Index(fields=["reminder_claim"], name="announce_reminder_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ← {self.announcement_id}"
