"""Posts, their edit history, comments, reactions and reads.

Who may read a post is decided by its space (``spaces.selectors``); who may write is
decided in ``services.py``. ``body_html`` is the sanitised rendering of ``body``
(``core.markdown.render_markdown``), written by the services together with ``body``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rallypoint.core.storage import private_storage

POST_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 4_000

# The reactions people can give: a short name (stored, used in forms and URLs) and the
# emoji shown. A fixed set keeps the buttons small and the counts comparable.
REACTIONS: dict[str, str] = {
    "thumbsup": "👍",
    "heart": "❤️",
    "tada": "🎉",
    "laugh": "😂",
    "wow": "😮",
    "thanks": "🙏",
}
REACTION_LABELS: dict[str, object] = {
    "thumbsup": _("Like"),
    "heart": _("Love"),
    "tada": _("Celebrate"),
    "laugh": _("Funny"),
    "wow": _("Surprising"),
    "thanks": _("Thanks"),
}


def attachment_path(instance: Attachment, filename: str) -> str:
    """Where an upload is stored, under the private storage (never served as /media/)."""
    stamp = timezone.now()
    return f"attachments/{stamp:%Y/%m}/{uuid.uuid4().hex}"


class LinkPreview(models.Model):
    """What a web page says about itself (OpenGraph or <title>), fetched once per address
    by a background job through the safe outbound client and shared by every post
    linking to it. ``title``, ``description`` and ``site_name`` are plain text."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be fetched")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be fetched")

    url = models.URLField(_("address"), max_length=2000)
    url_hash = models.CharField(_("address hash"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    description = models.CharField(_("description"), max_length=1000, blank=True)
    site_name = models.CharField(_("site"), max_length=200, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    fetched_at = models.DateTimeField(_("fetched"), null=True, blank=True)

    class Meta:
        verbose_name = _("link preview")

    def __str__(self) -> str:
        return self.url


class PostSchedule(models.Model):
    """A recurring update: the same text published daily, weekly or monthly at a time of
    day in the author's time zone. Each occurrence becomes one ``Post`` whose
    (``schedule``, ``occurrence_at``) is unique, so an occurrence is published once."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week")
        MONTHLY = "monthly", _("Every month")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="post_schedules",
        verbose_name=_("author"),
    )
    space = models.ForeignKey(
        "spaces.Space",
        on_delete=models.CASCADE,
        related_name="post_schedules",
        verbose_name=_("space"),
    )
    body = models.TextField(_("text"), max_length=POST_MAX_LENGTH)
    frequency = models.CharField(_("repeats"), max_length=16, choices=Frequency.choices)
    time_of_day = models.TimeField(_("time of day"))
    time_zone = models.CharField(_("time zone"), max_length=64)
    # 0 = Monday, for weekly schedules.
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)
    # 1 to 31, for monthly schedules; a shorter month uses its last day.
    day_of_month = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    next_run_at = models.DateTimeField(_("next occurrence"), db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    last_published_at = models.DateTimeField(_("last published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["next_run_at", "id"]
        verbose_name = _("recurring update")

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} in {self.space_id}"


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")

    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="posts", verbose_name=_("space")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="posts",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"), max_length=POST_MAX_LENGTH, blank=True)
    body_html = models.TextField(_("rendered text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("deleted by"),
    )
    pinned_at = models.DateTimeField(_("pinned"), null=True, blank=True)
    # Only published posts are read by anyone but their author.
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PUBLISHED
    )
    # When a scheduled post goes out.
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    schedule = models.ForeignKey(
        PostSchedule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="occurrences",
        verbose_name=_("recurring update"),
    )
    occurrence_at = models.DateTimeField(_("occurrence"), null=True, blank=True)
    # Hidden by a moderator: the author and the space's moderators still see it, with why.
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("why it is hidden"), max_length=500, blank=True)
    link_preview = models.ForeignKey(
        LinkPreview,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
        verbose_name=_("link preview"),
    )

    # Set by the selectors on the posts of a page (``reactions_attach``).
    reaction_counts: list[Any]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("post")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="post_newest_first"),
            models.Index(fields=["space", "-created_at", "-id"], name="post_space_newest_first"),
            models.Index(
                fields=["status", "publish_at"],
                condition=Q(status="scheduled"),
                name="post_scheduled_due",
            ),
            models.Index(
                fields=["space", "-pinned_at"],
                condition=Q(pinned_at__isnull=False),
                name="post_space_pinned",
            ),
        ]
        constraints = [
            # A deleted post keeps no text, and is never pinned.
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body="", body_html="", pinned_at=None),
                name="post_deleted_has_no_content",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="post_scheduled_has_time",
            ),
            # One post per occurrence of a recurring update, whichever worker publishes it.
            models.UniqueConstraint(
                fields=["schedule", "occurrence_at"],
                condition=Q(schedule__isnull=False),
                name="post_one_per_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.space_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class PostRevision(models.Model):
    """The text a post had before one edit."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("post")
    )
    body = models.TextField(_("previous text"), max_length=POST_MAX_LENGTH)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("edited by"),
    )
    edited_at = models.DateTimeField(_("edited"), default=timezone.now)

    class Meta:
        ordering = ["-edited_at", "-id"]
        verbose_name = _("post revision")

    def __str__(self) -> str:
        return f"post {self.post_id} at {self.edited_at:%Y-%m-%d %H:%M}"


class Comment(models.Model):
    """A comment on a post, or a reply to one (``parent``): replies go one level deep."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="comments", verbose_name=_("post")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("reply to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("text"), max_length=COMMENT_MAX_LENGTH, blank=True)
    body_html = models.TextField(_("rendered text"), blank=True, editable=False)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("why it is hidden"), max_length=500, blank=True)

    # Set by the selectors: the replies of a top-level comment, and the reactions.
    reply_list: list[Comment]
    reaction_counts: list[Any]

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        indexes = [models.Index(fields=["post", "created_at", "id"], name="comment_by_post")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="comment_not_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(deleted_at__isnull=True) | Q(body="", body_html=""),
                name="comment_deleted_has_no_content",
            ),
        ]

    def __str__(self) -> str:
        return f"comment {self.pk} on post {self.post_id}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Reaction(models.Model):
    """One person's emoji on a post or on a comment (exactly one of the two)."""

    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reactions",
        verbose_name=_("post"),
    )
    comment = models.ForeignKey(
        Comment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reactions",
        verbose_name=_("comment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reactions",
        verbose_name=_("person"),
    )
    emoji = models.CharField(
        _("reaction"), max_length=16, choices=[(key, value) for key, value in REACTIONS.items()]
    )
    created_at = models.DateTimeField(_("reacted"), default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, comment__isnull=True)
                | Q(post__isnull=True, comment__isnull=False),
                name="reaction_one_target",
            ),
            models.CheckConstraint(
                condition=Q(emoji__in=list(REACTIONS)), name="reaction_emoji_known"
            ),
            models.UniqueConstraint(
                fields=["post", "user", "emoji"],
                condition=Q(post__isnull=False),
                name="reaction_unique_on_post",
            ),
            models.UniqueConstraint(
                fields=["comment", "user", "emoji"],
                condition=Q(comment__isnull=False),
                name="reaction_unique_on_comment",
            ),
        ]

    def __str__(self) -> str:
        target = f"post {self.post_id}" if self.post_id else f"comment {self.comment_id}"
        return f"{REACTIONS.get(self.emoji, self.emoji)} on {target}"


class PostRead(models.Model):
    """Someone had the post on screen, the first time. Only counted, never listed."""

    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="reads", verbose_name=_("post")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="post_reads",
        verbose_name=_("person"),
    )
    first_read_at = models.DateTimeField(_("first read"), default=timezone.now)

    class Meta:
        verbose_name = _("post read")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="post_read_once_per_person"),
        ]
        indexes = [models.Index(fields=["user", "post"], name="post_read_by_user")]

    def __str__(self) -> str:
        return f"post {self.post_id} read"


class Attachment(models.Model):
    """An image or file uploaded with a post. Stored in the private storage
    (``settings.PRIVATE_MEDIA_ROOT``) and downloaded only through the access check.
    ``post`` is empty between upload and publishing."""

    post = models.ForeignKey(
        Post,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("post"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(
        _("file"), upload_to=attachment_path, storage=private_storage, max_length=300
    )
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    is_image = models.BooleanField(_("image"), default=False)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.name
