from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rallypoint.core.models import TimestampedModel
from rallypoint.networks.models import Network


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")

    def __str__(self) -> str:
        return self.name


class Audience(models.Model):
    """Who something is meant for: everyone, or the people of some departments or locations.

    Decided at read time (``selectors``): someone who moves department sees what is meant
    for the new one.
    """

    audience_everyone = models.BooleanField(_("everyone"), default=True)
    departments = models.ManyToManyField("people.Department", blank=True, related_name="+")
    locations = models.ManyToManyField("people.Location", blank=True, related_name="+")

    class Meta:
        abstract = True


class ContentItem(TimestampedModel, Audience):
    """Something worth sharing in the content library.

    Curators add items directly (``status`` published); employees submit them (pending,
    ``submitted_by`` credited), and a curator approves or rejects them with a reason.
    ``suggested_texts`` maps a network (``Network`` value) to its suggested share text.
    """

    class Kind(models.TextChoices):
        LINK = "link", _("Link")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video link")
        TEXT = "text", _("Text only")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("In the library")
        REJECTED = "rejected", _("Rejected")
        ARCHIVED = "archived", _("Archived")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.LINK)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PUBLISHED
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    url = models.URLField(_("link"), max_length=2048, blank=True)
    site_name = models.CharField(_("site"), max_length=200, blank=True)
    image_url = models.URLField(_("image address"), max_length=2048, blank=True)
    image = models.ImageField(_("image"), upload_to="advocacy/%Y/%m/", blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="items")
    starts_at = models.DateTimeField(_("shown from"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    featured = models.BooleanField(_("featured"), default=False)
    why_share = models.TextField(_("why it is worth sharing"), blank=True)
    suggested_texts = models.JSONField(_("suggested texts"), default=dict, blank=True)
    internal_only = models.BooleanField(_("internal only"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_content",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(_("reason"), blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(expires_at__gt=models.F("starts_at")),
                name="content_item_expires_after_start",
            ),
        ]
        verbose_name = _("content item")

    def __str__(self) -> str:
        return self.title


class ContentRating(models.Model):
    """An employee's verdict on an item: would share it, or not for me (and why)."""

    class Verdict(models.TextChoices):
        WOULD_SHARE = "would_share", _("Would share")
        NOT_FOR_ME = "not_for_me", _("Not for me")

    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_ratings"
    )
    verdict = models.CharField(max_length=12, choices=Verdict.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="content_rating_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.verdict}"


class Campaign(TimestampedModel, Audience):
    """A push with dates, content and goals; progress is measured, never typed in."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    items = models.ManyToManyField(ContentItem, blank=True, related_name="campaigns")
    goal_shares = models.PositiveIntegerField(_("shares goal"), null=True, blank=True)
    goal_unique_clicks = models.PositiveIntegerField(_("unique clicks goal"), null=True, blank=True)
    goal_participants = models.PositiveIntegerField(_("participants goal"), null=True, blank=True)
    goal_reach = models.PositiveIntegerField(_("reach goal"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="campaign_ends_after_start"
            ),
        ]
        verbose_name = _("campaign")

    def __str__(self) -> str:
        return self.name


class Share(TimestampedModel):
    """One employee sharing one item on one network, with its own tracked link.

    ``method`` api posts through a connected account (now or at ``scheduled_for``);
    intent opens the network's share page; copy gives text and link to paste. The queue
    (``advocacy.sharing``) moves api shares scheduled → publishing → published, or failed
    with ``last_error`` told to the employee; ``idempotency_key`` travels with every attempt
    so a retry never posts twice where the network supports it.
    """

    class Method(models.TextChoices):
        API = "api", _("Posted by Rallypoint")
        INTENT = "intent", _("Share page")
        COPY = "copy", _("Copied")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        OPENED = "opened", _("Opened on the network")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares"
    )
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="shares")
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="shares"
    )
    network = models.CharField(_("network"), max_length=16, choices=Network.choices)
    method = models.CharField(max_length=8, choices=Method.choices)
    status = models.CharField(max_length=12, choices=Status.choices, db_index=True)
    text = models.TextField(_("text"))
    account = models.ForeignKey(
        "networks.ConnectedAccount",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shares",
    )
    link = models.OneToOneField(
        "links.TrackedLink",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="share",
    )
    scheduled_for = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=255, blank=True)
    remote_url = models.URLField(max_length=2048, blank=True)
    last_error = models.TextField(blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["user", "status"]),
        ]
        verbose_name = _("share")

    def __str__(self) -> str:
        return f"{self.user_id} {self.network} {self.item_id}"


class ShareMetric(models.Model):
    """Engagement of an api share as the network reported it at ``fetched_at``.

    A time series: one row per fetch. A figure the network does not give stays null,
    and pages say "not available" rather than showing 0.
    """

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="metrics")
    fetched_at = models.DateTimeField(db_index=True)
    likes = models.PositiveIntegerField(null=True, blank=True)
    reposts = models.PositiveIntegerField(null=True, blank=True)
    replies = models.PositiveIntegerField(null=True, blank=True)
    quotes = models.PositiveIntegerField(null=True, blank=True)
    impressions = models.PositiveIntegerField(null=True, blank=True)
    clicks = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["share", "-fetched_at"]
        verbose_name = _("share engagement")

    def __str__(self) -> str:
        return f"{self.share_id} {self.fetched_at:%Y-%m-%d %H:%M}"


class Curator(models.Model):
    """Someone a communications manager named to curate the content library.

    Communications managers and administrators curate by their role; this row is for the
    people they name besides (``selectors.is_curator``). A row per person, not a Django
    group: people are not linked to Django's groups in Rallypoint.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="content_curator"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__display_name", "user_id"]
        verbose_name = _("content curator")

    def __str__(self) -> str:
        return str(self.user)
