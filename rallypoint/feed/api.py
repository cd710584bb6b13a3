"""The feed part of the API: posts, their history and reads, comments and reactions.

Every read goes through ``rallypoint.feed.selectors`` and every write through
``rallypoint.feed.services``, as the pages do. A post or comment the caller may not
read answers 404 like one that does not exist; where the caller reads it but may not
act on it, the service's refusal answers 403 with its reason. Lists stay at a fixed
number of queries whatever they hold (counts are annotations, reactions one query).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import ConfigDict

from rallypoint.api.errors import ErrorOut
from rallypoint.feed import selectors, services
from rallypoint.feed.models import COMMENT_MAX_LENGTH, POST_MAX_LENGTH, REACTIONS, Comment, Post
from rallypoint.feed.services import READ_BATCH_MAX
from rallypoint.people.api import MAX_ID, SLUG, PersonRef
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user
from rallypoint.spaces.api import SLUG_PATH, SpaceRef
from rallypoint.spaces.selectors import space_get_visible

router = Router(tags=["feed"])

ReactionKey = Literal["thumbsup", "heart", "tada", "laugh", "wow", "thanks"]
assert set(ReactionKey.__args__) == set(REACTIONS)  # type: ignore[attr-defined]

POST_PATH = Path(..., ge=1, le=MAX_ID)
COMMENT_PATH = Path(..., ge=1, le=MAX_ID)
CURSOR_MAX = 200
PAGE_SIZE_MAX = 50


# ---------------------------------------------------------------- schemas


class ReactionCountOut(Schema):
    key: ReactionKey
    emoji: str
    label: str
    count: int
    mine: bool = Field(description="You gave this reaction.")


class ReactionsOut(Schema):
    reactions: list[ReactionCountOut] = Field(description="Every reaction, with its count.")
    my_reactions: list[ReactionKey]


def _reactions(obj: Any) -> list[Any]:
    return list(getattr(obj, "reaction_counts", []))


def _mine(obj: Any) -> list[str]:
    return [count.key for count in _reactions(obj) if count.mine]


def _absolute(context: dict[str, Any], path: str) -> str:
    return str(context["request"].build_absolute_uri(path))


class PostLinks(Schema):
    self: str = Field(description="This post in the API.")
    web: str = Field(description="The post's page.")
    comments: str


class PostOut(Schema):
    id: int
    space: SpaceRef
    author: PersonRef
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The Markdown rendered to safe HTML.")
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    pinned_at: datetime.datetime | None
    comment_count: int
    is_read: bool = Field(description="You have had this post on screen.")
    reactions: list[ReactionCountOut]
    my_reactions: list[ReactionKey]
    links: PostLinks

    @staticmethod
    def resolve_comment_count(obj: Post) -> int:
        return int(getattr(obj, "comment_count", 0))

    @staticmethod
    def resolve_is_read(obj: Post) -> bool:
        return bool(getattr(obj, "is_read", False))

    @staticmethod
    def resolve_reactions(obj: Post) -> list[Any]:
        return _reactions(obj)

    @staticmethod
    def resolve_my_reactions(obj: Post) -> list[str]:
        return _mine(obj)

    @staticmethod
    def resolve_links(obj: Post, context: dict[str, Any]) -> dict[str, str]:
        return {
            "self": _absolute(context, reverse("api:post_get", kwargs={"post_id": obj.pk})),
            "web": _absolute(context, reverse("feed_post", args=[obj.pk])),
            "comments": _absolute(context, reverse("api:comment_list", kwargs={"post_id": obj.pk})),
        }


class PostPage(Schema):
    items: list[PostOut]
    next_cursor: str | None = Field(description="Send as `cursor` for the next page.")


class SpacePostPage(PostPage):
    pinned: list[PostOut] = Field(description="Pinned posts, on the first page only.")


class FeedParams(Schema):
    cursor: str | None = Field(None, max_length=CURSOR_MAX, pattern=r"^[-A-Za-z0-9_=]*$")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=PAGE_SIZE_MAX)


class HomeFeedParams(FeedParams):
    space: str | None = Field(
        None,
        max_length=140,
        pattern=SLUG,
        description="Only the posts of this space (its slug).",
    )


class PostCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    space: str = Field(
        ..., max_length=140, pattern=SLUG, description="The slug of the space to post in."
    )
    body: str = Field(..., min_length=1, max_length=POST_MAX_LENGTH, description="Markdown.")


class PostEdit(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(..., min_length=1, max_length=POST_MAX_LENGTH, description="Markdown.")


class RevisionOut(Schema):
    id: int
    body: str = Field(description="The text before this edit.")
    edited_by: PersonRef | None
    edited_at: datetime.datetime


class ReadMarks(Schema):
    model_config = ConfigDict(extra="forbid")

    post_ids: list[int] = Field(..., max_length=READ_BATCH_MAX)


class ReadMarksOut(Schema):
    recorded: int = Field(description="How many of the posts you may read were marked.")


class ReadRateOut(Schema):
    department: str
    members: int
    readers: int | None = Field(description="null where the group is too small to show.")
    percent: int | None


class CommentLinks(Schema):
    web: str


class ReplyOut(Schema):
    id: int
    post_id: int
    parent_id: int | None
    author: PersonRef
    body: str = Field(description="Markdown, as written; empty once deleted.")
    body_html: str
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    deleted: bool = Field(description="Deleted, kept as a placeholder for its replies.")
    reactions: list[ReactionCountOut]
    my_reactions: list[ReactionKey]
    links: CommentLinks

    @staticmethod
    def resolve_deleted(obj: Comment) -> bool:
        return obj.is_deleted

    @staticmethod
    def resolve_reactions(obj: Comment) -> list[Any]:
        return _reactions(obj)

    @staticmethod
    def resolve_my_reactions(obj: Comment) -> list[str]:
        return _mine(obj)

    @staticmethod
    def resolve_links(obj: Comment, context: dict[str, Any]) -> dict[str, str]:
        web = reverse("feed_post", args=[obj.post_id]) + f"#comment-{obj.pk}"
        return {"web": _absolute(context, web)}


class CommentOut(ReplyOut):
    replies: list[ReplyOut]

    @staticmethod
    def resolve_replies(obj: Comment) -> list[Comment]:
        return list(getattr(obj, "reply_list", []))


class CommentCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(..., min_length=1, max_length=COMMENT_MAX_LENGTH, description="Markdown.")
    parent_id: int | None = Field(None, ge=1, le=MAX_ID, description="The comment this replies to.")


class CommentEdit(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(..., min_length=1, max_length=COMMENT_MAX_LENGTH, description="Markdown.")


# ---------------------------------------------------------------- helpers


def _invalid(location: list[str | int], message: str) -> ValidationError:
    return ValidationError([{"loc": location, "msg": message, "type": "invalid"}])


def _cursor(params: FeedParams) -> selectors.Cursor | None:
    if not params.cursor:
        return None
    try:
        return selectors.Cursor.decode(params.cursor)
    except ValueError:
        raise _invalid(
            ["query", "cursor"], _("This is not a cursor: send the next_cursor of a page.")
        ) from None


def _post(viewer: User, post_id: int) -> Post:
    """The post with its counts and reactions, as ``PostOut`` shows it; 404 if unreadable."""
    post = selectors.post_get_visible(viewer, post_id)
    selectors.reactions_attach(viewer, posts=[post])
    return post


def _page(viewer: User, page: selectors.FeedPage, pinned: list[Post] | None = None) -> Any:
    selectors.reactions_attach(viewer, posts=[*(pinned or []), *page.posts])
    result: dict[str, Any] = {"items": page.posts, "next_cursor": page.next_cursor}
    if pinned is not None:
        result["pinned"] = pinned
    return result


# ---------------------------------------------------------------- posts


@router.get("/posts", response=PostPage, summary="Your home feed")
def post_list(request: HttpRequest, params: Query[HomeFeedParams]) -> Any:
    """Posts of the spaces you are a member of, newest first; with ``space``, the posts
    of that one space (any space you may read)."""
    viewer = signed_in_user(request)
    space = None
    if params.space is not None:
        try:
            space = selectors.space_for_feed(viewer, params.space)
        except Http404:
            raise _invalid(["query", "space"], _("No such space.")) from None
    page = selectors.feed_page(viewer, space=space, cursor=_cursor(params), size=params.limit)
    return _page(viewer, page)


@router.get("/spaces/{slug}/posts", response=SpacePostPage, summary="A space's feed")
def space_post_list(request: HttpRequest, params: Query[FeedParams], slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = selectors.space_for_feed(viewer, slug)
    cursor = _cursor(params)
    page = selectors.feed_page(
        viewer, space=space, cursor=cursor, exclude_pinned=True, size=params.limit
    )
    return _page(viewer, page, [] if cursor else selectors.pinned_posts(viewer, space))


# Before /posts/{post_id}, so that its path is matched first.
@router.post("/posts/reads", response=ReadMarksOut, summary="Mark posts as read")
def post_read_mark(request: HttpRequest, payload: ReadMarks) -> dict[str, int]:
    """Record that you had these posts on screen. Idempotent; posts you may not read
    are ignored."""
    viewer = signed_in_user(request)
    return {"recorded": services.posts_mark_read(viewer=viewer, post_ids=payload.post_ids)}


@router.get("/posts/{post_id}", response=PostOut, summary="One post")
def post_get(request: HttpRequest, post_id: int = POST_PATH) -> Post:
    return _post(signed_in_user(request), post_id)


@router.post("/posts", response={201: PostOut}, summary="Publish a post")
def post_create(request: HttpRequest, payload: PostCreate) -> Any:
    viewer = signed_in_user(request)
    try:
        space = space_get_visible(viewer, payload.space)
    except Http404:
        raise _invalid(["body", "space"], _("No such space.")) from None
    post = services.post_create(author=viewer, space=space, body=payload.body)
    return _post(viewer, post.pk)


@router.patch("/posts/{post_id}", response=PostOut, summary="Edit your post")
def post_edit(request: HttpRequest, payload: PostEdit, post_id: int = POST_PATH) -> Post:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    services.post_edit(actor=viewer, post=post, body=payload.body)
    return _post(viewer, post_id)


@router.delete("/posts/{post_id}", response={204: None}, summary="Delete a post")
def post_delete(request: HttpRequest, post_id: int = POST_PATH) -> Any:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    services.post_delete(actor=viewer, post=post, request=request)
    return None


@router.put("/posts/{post_id}/pin", response=PostOut, summary="Pin a post (moderators)")
def post_pin(request: HttpRequest, post_id: int = POST_PATH) -> Post:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    services.post_pin(actor=viewer, post=post, request=request)
    return _post(viewer, post_id)


@router.delete("/posts/{post_id}/pin", response=PostOut, summary="Unpin a post (moderators)")
def post_unpin(request: HttpRequest, post_id: int = POST_PATH) -> Post:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    services.post_unpin(actor=viewer, post=post, request=request)
    return _post(viewer, post_id)


@router.get(
    "/posts/{post_id}/revisions",
    response={200: list[RevisionOut], 403: ErrorOut},
    summary="Earlier texts of a post (its author and the space's moderators)",
)
def post_revision_list(request: HttpRequest, post_id: int = POST_PATH) -> Any:
    viewer = signed_in_user(request)
    return selectors.post_revisions(viewer, selectors.post_get_visible(viewer, post_id))


@router.get(
    "/posts/{post_id}/read-rates",
    response={200: list[ReadRateOut], 403: ErrorOut},
    summary="How many people in each department read a post (its author, communications)",
)
def post_read_rates(request: HttpRequest, post_id: int = POST_PATH) -> Any:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    return selectors.read_rates_by_department(viewer, post)


# ---------------------------------------------------------------- comments


@router.get("/posts/{post_id}/comments", response=list[CommentOut], summary="A post's comments")
def comment_list(request: HttpRequest, post_id: int = POST_PATH) -> Any:
    """Top-level comments in order, each with its replies (one level deep)."""
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    comments = selectors.comments_for(viewer, post)
    every = [*comments, *(reply for comment in comments for reply in comment.reply_list)]
    selectors.reactions_attach(viewer, comments=every)
    return comments


def _comment(viewer: User, comment_id: int) -> Comment:
    comment = selectors.comment_get_visible(viewer, comment_id)
    selectors.reactions_attach(viewer, comments=[comment])
    return comment


@router.post(
    "/posts/{post_id}/comments",
    response={201: ReplyOut},
    summary="Comment on a post, or reply to a comment",
)
def comment_create(request: HttpRequest, payload: CommentCreate, post_id: int = POST_PATH) -> Any:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    parent = None
    if payload.parent_id is not None:
        try:
            parent = selectors.comment_get_visible(viewer, payload.parent_id)
        except Http404:
            raise _invalid(
                ["body", "parent_id"], _("The comment you replied to is gone.")
            ) from None
    comment = services.comment_create(author=viewer, post=post, body=payload.body, parent=parent)
    return _comment(viewer, comment.pk)


@router.get("/comments/{comment_id}", response=ReplyOut, summary="One comment")
def comment_get(request: HttpRequest, comment_id: int = COMMENT_PATH) -> Comment:
    return _comment(signed_in_user(request), comment_id)


@router.patch("/comments/{comment_id}", response=ReplyOut, summary="Edit your comment")
def comment_edit(
    request: HttpRequest, payload: CommentEdit, comment_id: int = COMMENT_PATH
) -> Comment:
    viewer = signed_in_user(request)
    comment = selectors.comment_get_visible(viewer, comment_id)
    services.comment_edit(actor=viewer, comment=comment, body=payload.body)
    return _comment(viewer, comment_id)


@router.delete("/comments/{comment_id}", response={204: None}, summary="Delete a comment")
def comment_delete(request: HttpRequest, comment_id: int = COMMENT_PATH) -> Any:
    viewer = signed_in_user(request)
    comment = selectors.comment_get_visible(viewer, comment_id)
    services.comment_delete(actor=viewer, comment=comment, request=request)
    return None


# ---------------------------------------------------------------- reactions


def _post_reactions(viewer: User, post: Post) -> dict[str, Any]:
    selectors.reactions_attach(viewer, posts=[post])
    return {"reactions": _reactions(post), "my_reactions": _mine(post)}


def _comment_reactions(viewer: User, comment: Comment) -> dict[str, Any]:
    selectors.reactions_attach(viewer, comments=[comment])
    return {"reactions": _reactions(comment), "my_reactions": _mine(comment)}


@router.put(
    "/posts/{post_id}/reactions/{reaction}",
    response=ReactionsOut,
    summary="React to a post (idempotent)",
)
def reaction_put(
    request: HttpRequest, reaction: ReactionKey, post_id: int = POST_PATH
) -> dict[str, Any]:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    services.reaction_add(user=viewer, emoji=reaction, post=post)
    return _post_reactions(viewer, post)


@router.delete(
    "/posts/{post_id}/reactions/{reaction}",
    response=ReactionsOut,
    summary="Take back a reaction to a post (idempotent)",
)
def reaction_delete(
    request: HttpRequest, reaction: ReactionKey, post_id: int = POST_PATH
) -> dict[str, Any]:
    viewer = signed_in_user(request)
    post = selectors.post_get_visible(viewer, post_id)
    services.reaction_remove(user=viewer, emoji=reaction, post=post)
    return _post_reactions(viewer, post)


@router.put(
    "/comments/{comment_id}/reactions/{reaction}",
    response=ReactionsOut,
    summary="React to a comment (idempotent)",
)
def comment_reaction_put(
    request: HttpRequest, reaction: ReactionKey, comment_id: int = COMMENT_PATH
) -> dict[str, Any]:
    viewer = signed_in_user(request)
    comment = selectors.comment_get_visible(viewer, comment_id)
    services.reaction_add(user=viewer, emoji=reaction, comment=comment)
    return _comment_reactions(viewer, comment)


@router.delete(
    "/comments/{comment_id}/reactions/{reaction}",
    response=ReactionsOut,
    summary="Take back a reaction to a comment (idempotent)",
)
def comment_reaction_delete(
    request: HttpRequest, reaction: ReactionKey, comment_id: int = COMMENT_PATH
) -> dict[str, Any]:
    viewer = signed_in_user(request)
    comment = selectors.comment_get_visible(viewer, comment_id)
    services.reaction_remove(user=viewer, emoji=reaction, comment=comment)
    return _comment_reactions(viewer, comment)
