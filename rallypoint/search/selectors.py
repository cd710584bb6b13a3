"""Search: what the viewer may see that matches a query, best first, with snippets.

Visibility is decided at the moment of the search, from the rows the documents point
at, through the same rules as every other page:

- posts and comments: the post's space is in ``space_ids_readable_by(viewer)``, the
  post is published, and neither the post nor the comment is deleted or hidden
  (hidden content is left out of search for everyone, its author and moderators too:
  they find it in the space itself);
- people: ``people_visible_to(viewer)`` (active people);
- spaces: ``spaces_visible_to(viewer)`` (secret groups only for members and invitees).

A deactivated viewer gets nothing. So a person removed from a space gets no hit from it
on the next search, and a deleted or hidden post disappears even before its document is
updated.

A page costs two queries whatever its size: the counts per kind, and the hits with
everything shown about them (``select_related``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Count, Field, FloatField, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from rallypoint.feed.models import Post
from rallypoint.people.models import User
from rallypoint.people.selectors import people_visible_to
from rallypoint.search import query as search_query
from rallypoint.search.indexing import GREATER_THAN, LESS_THAN, MARK_END, MARK_START
from rallypoint.search.models import SearchDocument
from rallypoint.spaces.models import Space
from rallypoint.spaces.selectors import space_ids_readable_by, spaces_visible_to

Kind = SearchDocument.Kind
KINDS = [kind.value for kind in Kind]
PAGE_SIZE = 20
MAX_PAGE = 50
SNIPPET_WORDS = 24
ELLIPSIS = "…"
# bm25 weights of the FTS5 columns (title, body, tags).
_FTS5_WEIGHTS = "4.0, 1.0, 2.0"
_TABLE = SearchDocument._meta.db_table


@dataclass
class Hit:
    document: SearchDocument
    title_html: SafeString
    snippet_html: SafeString
    url: str

    @property
    def kind(self) -> str:
        return self.document.kind


@dataclass
class SearchResults:
    query: str
    kind: str | None
    page: int
    per_page: int
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    has_next: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def searched(self) -> bool:
        return bool(self.query.strip())


def marked_html(text: str | None) -> SafeString:
    """``text`` with the database's match markers as ``<mark>``, everything else escaped."""
    escaped = str(escape(text or ""))
    if escaped.count(MARK_START) != escaped.count(MARK_END):
        escaped = escaped.replace(MARK_START, "").replace(MARK_END, "")
    html = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    html = html.replace(LESS_THAN, "&lt;").replace(GREATER_THAN, "&gt;")
    return mark_safe(html)  # noqa: S308 (escaped above; only <mark> added)


def _visible_documents(viewer: User) -> QuerySet[SearchDocument]:
    readable_posts = Q(
        post__space_id__in=space_ids_readable_by(viewer),
        post__status=Post.Status.PUBLISHED,
        post__deleted_at=None,
        post__hidden_at=None,
    )
    posts = Q(kind=Kind.POST) & readable_posts
    comments = (
        Q(kind=Kind.COMMENT, comment__isnull=False, comment__deleted_at=None)
        & Q(comment__hidden_at=None)
        & readable_posts
    )
    people = Q(kind=Kind.PERSON, person_id__in=people_visible_to(viewer).values("pk"))
    spaces = Q(kind=Kind.SPACE, space_id__in=spaces_visible_to(viewer).values("pk"))
    return SearchDocument.objects.filter(posts | comments | people | spaces)


def _raw(sql: str, params: list[str], output_field: Field[Any, Any]) -> RawSQL:
    # ``sql`` is built from constants of this module only; whatever the person typed
    # reaches the database as a parameter.
    return RawSQL(sql, params, output_field=output_field)  # noqa: S611


ANGLES = LESS_THAN + GREATER_THAN


def _angles(column: str) -> str:
    return f'translate("{_TABLE}"."{column}", \'<>\', %s)'


def _matching(
    documents: QuerySet[SearchDocument], terms: list[search_query.Term]
) -> tuple[QuerySet[SearchDocument], QuerySet[SearchDocument]]:
    """The documents matching ``terms``, and the same annotated with ``score``,
    ``title_marked`` and ``snippet_marked`` and ordered best first."""
    if connection.vendor == "postgresql":
        tsquery = search_query.to_tsquery(terms)
        vector = f'"{_TABLE}"."search_vector"'
        query_sql = "to_tsquery('simple'::regconfig, %s)"
        matched = documents.filter(_raw(f"{vector} @@ {query_sql}", [tsquery], BooleanField()))
        title_options = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"
        snippet_options = (
            f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS},"
            f' MinWords=8, MaxFragments=2, FragmentDelimiter=" {ELLIPSIS} "'
        )
        ranked = matched.annotate(
            score=_raw(f"ts_rank_cd({vector}, {query_sql})", [tsquery], FloatField()),
            title_marked=_raw(
                f"ts_headline('simple'::regconfig, {_angles('title')}, {query_sql}, %s)",
                [ANGLES, tsquery, title_options],
                TextField(),
            ),
            snippet_marked=_raw(
                f"ts_headline('simple'::regconfig, {_angles('body')}, {query_sql}, %s)",
                [ANGLES, tsquery, snippet_options],
                TextField(),
            ),
        ).order_by("-score", "-created_at", "-id")
        return matched, ranked
    expression = search_query.to_fts5(terms)
    matched = documents.filter(fts__isnull=False).filter(
        _raw('"search_fts" MATCH %s', [expression], BooleanField())
    )
    ranked = matched.annotate(
        score=_raw(f'bm25("search_fts", {_FTS5_WEIGHTS})', [], FloatField()),
        title_marked=_raw(
            'highlight("search_fts", 0, %s, %s)', [MARK_START, MARK_END], TextField()
        ),
        snippet_marked=_raw(
            f'snippet("search_fts", 1, %s, %s, %s, {SNIPPET_WORDS})',
            [MARK_START, MARK_END, ELLIPSIS],
            TextField(),
        ),
    ).order_by("score", "-created_at", "-id")
    return matched, ranked


def hit_url(document: SearchDocument) -> str:
    if document.kind == Kind.POST:
        return reverse("feed_post", args=[document.object_id])
    if document.kind == Kind.COMMENT:
        return reverse("feed_post", args=[document.post_id]) + f"#comment-{document.object_id}"
    if document.kind == Kind.PERSON:
        return reverse("people_profile", args=[document.object_id])
    assert document.space is not None
    return reverse("spaces_detail", args=[document.space.slug])


def search_visible_to(
    viewer: User,
    *,
    query: str,
    kind: str | None = None,
    space: Space | None = None,
    author: User | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> SearchResults:
    """One page of what ``viewer`` may see matching ``query``, best first (recent first
    among equals), and how many hits each kind has with the same filters.

    ``space`` and ``author`` keep posts and comments of that space or author (and the
    space itself); dates compare the day something was written, in the current time zone.
    """
    page = max(1, min(page, MAX_PAGE))
    results = SearchResults(query=query, kind=kind, page=page, per_page=per_page)
    terms = search_query.parse(query)
    if not terms or not viewer.is_active:
        return results
    documents = _visible_documents(viewer)
    if space is not None:
        documents = documents.filter(space=space)
    if author is not None:
        documents = documents.filter(author=author)
    if date_from is not None:
        documents = documents.filter(created_at__date__gte=date_from)
    if date_to is not None:
        documents = documents.filter(created_at__date__lte=date_to)
    matched, ranked = _matching(documents, terms)
    counts = dict(matched.values_list("kind").annotate(n=Count("id")).order_by())
    results.counts = {name: counts.get(name, 0) for name in KINDS}
    if kind is not None:
        ranked = ranked.filter(kind=kind)
    start = (page - 1) * per_page
    rows = list(
        ranked.select_related("space", "author", "person__department", "person__location", "post")[
            start : start + per_page + 1
        ]
    )
    results.has_next = len(rows) > per_page and page < MAX_PAGE
    for document in rows[:per_page]:
        results.hits.append(
            Hit(
                document=document,
                title_html=marked_html(getattr(document, "title_marked", document.title)),
                snippet_html=marked_html(getattr(document, "snippet_marked", document.body)),
                url=hit_url(document),
            )
        )
    return results


def spaces_for_filter(viewer: User) -> QuerySet[Space]:
    """The spaces whose posts ``viewer`` may read, for the search page's space filter."""
    return Space.objects.filter(pk__in=space_ids_readable_by(viewer)).order_by("name", "pk")
