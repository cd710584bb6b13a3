"""The search part of the API: ``GET /search``, the search page's query as JSON.

It reads through ``search.selectors.search_visible_to``, so the API finds exactly what
the page finds for the same person. Snippets come as HTML in which everything is
escaped except ``<mark>`` around the matched words.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError

from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user
from rallypoint.search.query import MAX_QUERY_LENGTH
from rallypoint.search.selectors import (
    KINDS,
    MAX_PAGE,
    PAGE_SIZE,
    Hit,
    search_visible_to,
    spaces_for_filter,
)

router = Router(tags=["search"])

NO_NUL = r"^[^\x00]*$"
SLUG = r"^[-a-zA-Z0-9_]+$"
MAX_ID = 2**63 - 1


class SpaceRef(Schema):
    id: int
    slug: str
    name: str


class AuthorRef(Schema):
    id: int
    display_name: str


class SearchHitOut(Schema):
    kind: Literal["post", "comment", "person", "space"]
    id: int = Field(description="The post, comment, person or space id.")
    title: str = Field(description="Plain text: the person's or space's name; empty for posts.")
    title_html: str = Field(description="The title, escaped, with matches in <mark>.")
    snippet_html: str = Field(description="Part of the text, escaped, with matches in <mark>.")
    url: str
    created_at: datetime.datetime
    post_id: int | None = Field(description="For a comment: its post.")
    space: SpaceRef | None
    author: AuthorRef | None


class SearchCounts(Schema):
    post: int
    comment: int
    person: int
    space: int


class SearchPage(Schema):
    items: list[SearchHitOut]
    counts: SearchCounts = Field(description="Hits of each kind, with the same filters.")
    page: int
    has_next: bool


class SearchFilters(Schema):
    q: str = Field(
        ...,
        max_length=MAX_QUERY_LENGTH,
        pattern=NO_NUL,
        description='Words; "a phrase"; #hashtag. The last word also matches as a prefix.',
    )
    kind: Literal["post", "comment", "person", "space"] | None = None
    space: str | None = Field(None, max_length=140, pattern=SLUG, description="Space slug.")
    author: int | None = Field(None, ge=1, le=MAX_ID, description="Author id (posts, comments).")
    date_from: datetime.date | None = Field(None, description="Written on or after this day.")
    date_to: datetime.date | None = Field(None, description="Written on or before this day.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    limit: int = Field(PAGE_SIZE, ge=1, le=50)


def _invalid(name: str, message: str) -> ValidationError:
    return ValidationError([{"loc": ["query", name], "msg": message, "type": "invalid"}])


def _hit(request: HttpRequest, hit: Hit) -> dict[str, Any]:
    document = hit.document
    space = document.space if hit.kind != "person" else None
    author = document.author if hit.kind in {"post", "comment"} else None
    return {
        "kind": hit.kind,
        "id": document.object_id,
        "title": document.title,
        "title_html": str(hit.title_html),
        "snippet_html": str(hit.snippet_html),
        "url": request.build_absolute_uri(hit.url),
        "created_at": document.created_at,
        "post_id": document.post_id if hit.kind == "comment" else None,
        "space": space,
        "author": author,
    }


@router.get("/search", response=SearchPage, summary="Search what you can see")
def search_query(request: HttpRequest, filters: Query[SearchFilters]) -> dict[str, Any]:
    viewer = signed_in_user(request)
    space = None
    if filters.space is not None:
        space = spaces_for_filter(viewer).filter(slug=filters.space).first()
        if space is None:
            raise _invalid("space", _("No such space."))
    author = None
    if filters.author is not None:
        author = User.objects.filter(pk=filters.author, is_active=True).first()
        if author is None:
            raise _invalid("author", _("No such author."))
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise _invalid("date_to", _("The start date is after the end date."))
    results = search_visible_to(
        viewer,
        query=filters.q,
        kind=filters.kind,
        space=space,
        author=author,
        date_from=filters.date_from,
        date_to=filters.date_to,
        page=filters.page,
        per_page=filters.limit,
    )
    return {
        "items": [_hit(request, hit) for hit in results.hits],
        "counts": {name: results.counts.get(name, 0) for name in KINDS},
        "page": results.page,
        "has_next": results.has_next,
    }
