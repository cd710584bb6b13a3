from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rallypoint.core import crypto
from rallypoint.core.models import TimestampedModel


class Network(models.TextChoices):
    """Where an employee can share. The first five have intents; three have APIs too."""

    LINKEDIN = "linkedin", "LinkedIn"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    INSTAGRAM = "instagram", "Instagram"
    XING = "xing", "XING"
    WHATSAPP = "whatsapp", "WhatsApp"


class MastodonApp(TimestampedModel):
    """The application Rallypoint registered on one Mastodon instance (``POST /api/v1/apps``)."""

    instance = models.CharField(_("instance"), max_length=253, unique=True)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField(blank=True)
    redirect_uri = models.URLField(max_length=2048)
    scopes = models.CharField(max_length=255, default="write:statuses")

    class Meta:
        verbose_name = _("Mastodon application")

    def __str__(self) -> str:
        return self.instance

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(value)


class ConnectedAccount(TimestampedModel):
    """An employee's own account on a network, connected by OAuth (or an app password).

    Tokens are stored encrypted (``core.crypto``); read and write them through the
    ``access_token`` and ``refresh_token`` properties. ``status`` turns to
    ``needs_reconnect`` when the network refuses the token and it cannot be refreshed;
    the employee is then asked to connect again, with ``status_reason`` saying why.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Connected")
        NEEDS_RECONNECT = "needs_reconnect", _("Needs reconnecting")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="connected_accounts",
        verbose_name=_("person"),
    )
    network = models.CharField(_("network"), max_length=16, choices=Network.choices)
    # Mastodon instance host, or the Bluesky PDS address; blank for LinkedIn and X.
    instance = models.CharField(_("instance"), max_length=253, blank=True)
    # LinkedIn person URN, X user id, Mastodon account id, Bluesky DID.
    remote_id = models.CharField(max_length=255)
    handle = models.CharField(_("account"), max_length=255, blank=True)
    access_token_encrypted = models.TextField(blank=True)
    refresh_token_encrypted = models.TextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.TextField(blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "network"], name="connected_account_one_per_network"
            ),
        ]
        verbose_name = _("connected account")

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.handle or self.remote_id}"

    @property
    def access_token(self) -> str:
        return crypto.decrypt(self.access_token_encrypted)

    @access_token.setter
    def access_token(self, value: str) -> None:
        self.access_token_encrypted = crypto.encrypt(value)

    @property
    def refresh_token(self) -> str:
        return crypto.decrypt(self.refresh_token_encrypted)

    @refresh_token.setter
    def refresh_token(self, value: str) -> None:
        self.refresh_token_encrypted = crypto.encrypt(value)
