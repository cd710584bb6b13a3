"""The search index: one ``SearchDocument`` per post, comment, person and space.

A document holds the text that is searched (``title``, ``body``, ``tags``) and the links
back to what it describes. Who may see a hit is never decided from the document: the
query joins the post, comment, person or space it points at and applies the selectors'
rules to *those* rows at the moment of the search (``search.selectors``). A document
that is out of date can therefore miss or mis-rank a hit, never show one to someone who
may not see it.

The full-text part lives beside the table and is created by the migration:
SQLite — the FTS5 table ``search_fts`` (external content, kept in step by triggers);
PostgreSQL — the generated ``search_vector`` column with a GIN index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("Posts")
        COMMENT = "comment", _("Comments")
        PERSON = "person", _("People")
        SPACE = "space", _("Spaces")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    # For posts and comments: the space, the author, the post (and the comment).
    # For a person: ``person``. For a space: ``space``.
    space = models.ForeignKey(
        "spaces.Space",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("space"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("author"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    post = models.ForeignKey(
        "feed.Post",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("post"),
    )
    comment = models.ForeignKey(
        "feed.Comment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("comment"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    title = models.TextField(_("title"), blank=True)
    body = models.TextField(_("text"), blank=True)
    # The hashtags of the text, without "#", separated by spaces: "#launch" in a query
    # matches this column only.
    tags = models.TextField(_("hashtags"), blank=True)

    class Meta:
        verbose_name = _("search document")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique"),
        ]
        indexes = [models.Index(fields=["created_at"], name="search_document_created")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class SearchFts(models.Model):
    """The SQLite FTS5 table ``search_fts`` (created by the migration, not by Django),
    declared so that queries can join it: its ``rowid`` is the document's id. Unused on
    PostgreSQL."""

    document = models.OneToOneField(
        SearchDocument,
        primary_key=True,
        db_column="rowid",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="fts",
    )

    class Meta:
        managed = False
        db_table = "search_fts"

    def __str__(self) -> str:
        return f"fts {self.pk}"
