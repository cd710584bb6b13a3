"""Keeping the search index in step with posts, comments, people and spaces.

``receivers.py`` calls ``*_index`` after every save, so every write path (services, the
admin, a shell) updates the index in the same transaction. Writes that skip signals
(``bulk_create``, ``QuerySet.update``) are caught by ``search_reindex``, the bulk rebuild
behind ``rallypoint search-reindex``; visibility never depends on the index (see
``models``), so a stale document can only miss a hit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction

from rallypoint.core.markdown import render_plain
from rallypoint.feed.models import Comment, Post
from rallypoint.people.models import User
from rallypoint.search.models import SearchDocument
from rallypoint.spaces.models import Space

Kind = SearchDocument.Kind

# The characters that mark a highlighted match in snippets; removed from indexed text so
# that stored text can never fake a highlight.
MARK_START = "\ue000"
MARK_END = "\ue001"
# PostgreSQL's ts_headline drops what looks like an HTML tag; "<" and ">" are handed to
# it as these characters and turned back (escaped) after.
LESS_THAN = "\ue002"
GREATER_THAN = "\ue003"
_MARKS = str.maketrans("", "", MARK_START + MARK_END + LESS_THAN + GREATER_THAN + "\x00")
# "#launch", "#Q3_review": a hashtag starts after a space or punctuation (not in a word,
# a URL fragment or an HTML entity such as "&#39;").
HASHTAG = re.compile(r"(?<![\w&#/])#(\w+)")
_BATCH = 500
# People's fields that the index reads: a save touching none of them changes nothing.
PERSON_FIELDS = frozenset(
    {
        "display_name",
        "job_title",
        "pronouns",
        "department",
        "team",
        "location",
        "bio",
        "is_active",
        "date_joined",
    }
)


def _clean(text: str) -> str:
    return (text or "").translate(_MARKS)


def hashtags(text: str) -> str:
    """The hashtags of ``text``, lower case, without "#", each once, space separated."""
    seen: dict[str, None] = {}
    for tag in HASHTAG.findall(text or ""):
        seen.setdefault(tag.lower(), None)
    return " ".join(seen)


def post_document(post: Post) -> SearchDocument:
    return SearchDocument(
        kind=Kind.POST,
        object_id=post.pk,
        space_id=post.space_id,
        author_id=post.author_id,
        post_id=post.pk,
        created_at=post.created_at,
        body=_clean(render_plain(post.body)),
        tags=hashtags(post.body),
    )


def comment_document(comment: Comment, *, space_id: int) -> SearchDocument:
    return SearchDocument(
        kind=Kind.COMMENT,
        object_id=comment.pk,
        space_id=space_id,
        author_id=comment.author_id,
        post_id=comment.post_id,
        comment_id=comment.pk,
        created_at=comment.created_at,
        body=_clean(render_plain(comment.body)),
        tags=hashtags(comment.body),
    )


def person_document(person: User) -> SearchDocument:
    """What the directory shows of a person: name, pronouns, job title, department,
    team, location and short bio (never the email address or private fields)."""
    parts = [
        person.pronouns,
        person.job_title,
        person.department.name if person.department_id and person.department else "",
        person.team.name if person.team_id and person.team else "",
        person.location.name if person.location_id and person.location else "",
        person.bio,
    ]
    return SearchDocument(
        kind=Kind.PERSON,
        object_id=person.pk,
        person_id=person.pk,
        created_at=person.date_joined,
        title=_clean(person.display_name),
        body=_clean(" · ".join(part for part in parts if part)),
    )


def space_document(space: Space) -> SearchDocument:
    return SearchDocument(
        kind=Kind.SPACE,
        object_id=space.pk,
        space_id=space.pk,
        created_at=space.created_at,
        title=_clean(space.name),
        body=_clean(space.description),
    )


_FIELDS = ["space_id", "author_id", "person_id", "post_id", "comment_id", "created_at"]
_TEXT = ["title", "body", "tags"]


def _upsert(document: SearchDocument) -> None:
    values = {name: getattr(document, name) for name in _FIELDS + _TEXT}
    SearchDocument.objects.update_or_create(
        kind=document.kind, object_id=document.object_id, defaults=values
    )


def post_index(post: Post) -> None:
    _upsert(post_document(post))


def comment_index(comment: Comment) -> None:
    space_id = Post.objects.filter(pk=comment.post_id).values_list("space_id", flat=True).first()
    if space_id is not None:
        _upsert(comment_document(comment, space_id=space_id))


def person_index(person: User) -> None:
    _upsert(person_document(person))


def _bulk_upsert(documents: list[SearchDocument]) -> None:
    """Write many documents of one kind in a few statements."""
    if not documents:
        return
    existing = dict(
        SearchDocument.objects.filter(
            kind=documents[0].kind, object_id__in=[d.object_id for d in documents]
        ).values_list("object_id", "pk")
    )
    updates, creates = [], []
    for document in documents:
        if document.object_id in existing:
            document.pk = existing[document.object_id]
            updates.append(document)
        else:
            creates.append(document)
    SearchDocument.objects.bulk_update(updates, _FIELDS + _TEXT, batch_size=_BATCH)
    SearchDocument.objects.bulk_create(creates, batch_size=_BATCH, ignore_conflicts=True)


def people_index(user_ids: Iterable[int]) -> None:
    """Re-index people in bulk (created by an import, or their department, team or
    location renamed): a few statements per 500 people."""
    ids = list(user_ids)
    for start in range(0, len(ids), _BATCH):
        people = User.objects.filter(pk__in=ids[start : start + _BATCH]).select_related(
            "department", "team", "location"
        )
        _bulk_upsert([person_document(person) for person in people])


def space_index(space: Space) -> None:
    _upsert(space_document(space))


def spaces_index_missing() -> int:
    """Index the spaces that have no document yet (created with ``bulk_create``)."""
    indexed = SearchDocument.objects.filter(kind=Kind.SPACE).values("object_id")
    documents = [space_document(space) for space in Space.objects.exclude(pk__in=indexed)]
    SearchDocument.objects.bulk_create(documents, ignore_conflicts=True)
    return len(documents)


def _documents() -> Iterator[SearchDocument]:
    for post in Post.objects.order_by("pk").iterator(chunk_size=_BATCH):
        yield post_document(post)
    comments = Comment.objects.order_by("pk").values_list("pk", "post__space_id")
    space_of = dict(comments.iterator(chunk_size=5000))
    for comment in Comment.objects.order_by("pk").iterator(chunk_size=_BATCH):
        yield comment_document(comment, space_id=space_of[comment.pk])
    people = User.objects.select_related("department", "team", "location").order_by("pk")
    for person in people.iterator(chunk_size=_BATCH):
        yield person_document(person)
    for space in Space.objects.order_by("pk").iterator(chunk_size=_BATCH):
        yield space_document(space)


def search_reindex() -> dict[str, Any]:
    """Rebuild the whole index in one transaction (searches keep reading the old one
    until it commits). Returns how many documents of each kind were written."""
    counts = {kind.value: 0 for kind in Kind}
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        batch: list[SearchDocument] = []
        for document in _documents():
            counts[document.kind] += 1
            batch.append(document)
            if len(batch) >= _BATCH:
                SearchDocument.objects.bulk_create(batch)
                batch = []
        SearchDocument.objects.bulk_create(batch)
    return counts
