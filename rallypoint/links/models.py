from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TrackedLink(models.Model):
    """A short link ``/r/<code>`` that redirects to ``destination`` (UTM parameters included).

    One per share: ``advocacy.Share.link`` points here, so clicks roll up to the share, its
    employee, network and campaign.
    """

    code = models.CharField(max_length=16, unique=True)
    destination = models.URLField(max_length=2048)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tracked_links",
    )
    network = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tracked link")

    def __str__(self) -> str:
        return self.code


class Click(models.Model):
    """One visit of a tracked link. No address is kept: ``visitor_hash`` is a hash of the
    address and browser under a salt that changes every day and is then forgotten, which
    counts unique visitors per day and cannot be turned back into an address.

    Crawlers and link unfurlers are stored with ``is_bot`` and never counted as clicks.
    """

    class Device(models.TextChoices):
        DESKTOP = "desktop", _("Desktop")
        MOBILE = "mobile", _("Mobile")
        TABLET = "tablet", _("Tablet")
        BOT = "bot", _("Bot")
        OTHER = "other", _("Other")

    link = models.ForeignKey(TrackedLink, on_delete=models.CASCADE, related_name="clicks")
    at = models.DateTimeField(db_index=True)
    network = models.CharField(max_length=16, blank=True)
    referrer_host = models.CharField(max_length=253, blank=True)
    device_class = models.CharField(max_length=8, choices=Device.choices)
    visitor_hash = models.CharField(max_length=64)
    is_bot = models.BooleanField(default=False)
    bot_name = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["link", "is_bot", "at"]),
            models.Index(fields=["link", "visitor_hash"]),
        ]
        verbose_name = _("click")

    def __str__(self) -> str:
        return f"{self.link_id} {self.at:%Y-%m-%d %H:%M:%S}"


class VisitorSalt(models.Model):
    """The random salt of one day's visitor hashes; deleted once the day is over."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.day)
