"""Posts, their edit history, comments, reactions and reads.

Who may read a post is decided by its space (``spaces.selectors``); who may write is
decided in ``services.py``. ``body_html`` is the sanitised rendering of ``body``
(``core.markdown.render_markdown``), written by the services together with ``body``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


class Post(models.Model):
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

    # Set by the selectors on the posts of a page (``reactions_attach``).
    reaction_counts: list[Any]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("post")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="post_newest_first"),
            models.Index(fields=["space", "-created_at", "-id"], name="post_space_newest_first"),
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
