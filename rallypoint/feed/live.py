"""Live feed events: what open pages hear when posts, comments and reactions change.

Every event goes to the post's space channel (``core.realtime.publish_to_space``), so only
people who may read the space hear it, and it carries ids and counts only — never text,
names or who reacted, and nothing at all about hidden posts and comments. Pages fetch
what they show through endpoints that check access (``feed.views``). Each function is
called inside the writing transaction and publishes after the commit: a rolled-back write
announces nothing.

Events (``data``):

- ``post_created`` — ``{"post": id, "space": id}``
- ``post_removed`` — ``{"post": id, "space": id}``
- ``comment_created`` — ``{"post": id, "space": id, "comment": id, "parent": id | null,
  "comments": number of comments on the post}``
- ``reactions_changed`` — ``{"post": id, "space": id, "target": "post" | "comment",
  "id": target id, "counts": {reaction key: count}}`` (every reaction key, zeros included)
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from rallypoint.core.realtime import publish_to_space
from rallypoint.feed.models import REACTIONS, Comment, Post, Reaction

LIVE_POSTS_MAX = 50

POST_CREATED = "post_created"
POST_REMOVED = "post_removed"
COMMENT_CREATED = "comment_created"
REACTIONS_CHANGED = "reactions_changed"


def post_created_on_commit(post: Post) -> None:
    post_id, space_id = post.pk, post.space_id
    transaction.on_commit(
        lambda: publish_to_space(space_id, POST_CREATED, {"post": post_id, "space": space_id})
    )


def post_removed_on_commit(post: Post) -> None:
    """For a deleted or hidden post: open pages drop it."""
    post_id, space_id = post.pk, post.space_id
    transaction.on_commit(
        lambda: publish_to_space(space_id, POST_REMOVED, {"post": post_id, "space": space_id})
    )


def _comment_count(post_id: int) -> int:
    """The comments every reader of the post sees: hidden ones are not counted."""
    return Comment.objects.filter(post_id=post_id, deleted_at=None, hidden_at=None).count()


def _hidden(post_id: int, comment_id: int | None = None) -> bool:
    """Whether the post, or the comment, is hidden, as committed. Only its author and the
    space's moderators still see it; the space's channel reaches every reader, so nothing
    about it goes there."""
    if (
        comment_id is not None
        and Comment.objects.filter(pk=comment_id, hidden_at__isnull=False).exists()
    ):
        return True
    return Post.objects.filter(pk=post_id, hidden_at__isnull=False).exists()


def comment_created_on_commit(comment: Comment) -> None:
    post_id, comment_id, parent_id = comment.post_id, comment.pk, comment.parent_id
    space_id = comment.post.space_id

    def publish() -> None:
        if _hidden(post_id):
            return
        publish_to_space(
            space_id,
            COMMENT_CREATED,
            {
                "post": post_id,
                "space": space_id,
                "comment": comment_id,
                "parent": parent_id,
                "comments": _comment_count(post_id),
            },
        )

    transaction.on_commit(publish)


def reaction_counts(*, post_id: int | None = None, comment_id: int | None = None) -> dict[str, int]:
    """How many of each reaction a post or a comment has (every key, zeros included)."""
    target = Q(comment_id=comment_id) if comment_id is not None else Q(post_id=post_id)
    rows = Reaction.objects.filter(target).order_by().values("emoji").annotate(n=Count("pk"))
    found = {row["emoji"]: row["n"] for row in rows}
    return {key: found.get(key, 0) for key in REACTIONS}


def reactions_changed_on_commit(*, post: Post, comment: Comment | None = None) -> None:
    """After a reaction to ``comment`` (on ``post``) or to ``post`` itself changed.
    Nothing is published about hidden posts and comments (``_hidden``)."""
    post_id, space_id = post.pk, post.space_id
    comment_id = comment.pk if comment is not None else None

    def publish() -> None:
        if _hidden(post_id, comment_id):
            return
        counts = (
            reaction_counts(comment_id=comment_id)
            if comment_id is not None
            else reaction_counts(post_id=post_id)
        )
        publish_to_space(
            space_id,
            REACTIONS_CHANGED,
            {
                "post": post_id,
                "space": space_id,
                "target": "comment" if comment_id is not None else "post",
                "id": comment_id if comment_id is not None else post_id,
                "counts": counts,
            },
        )

    transaction.on_commit(publish)


def ids_param(raw: str) -> list[int]:
    """Post ids from ``1,2,3`` (what feed.js sends); anything else is left out."""
    ids: list[int] = []
    for part in raw.split(",")[:LIVE_POSTS_MAX]:
        part = part.strip()
        if part.isascii() and part.isdigit() and 0 < int(part) < 2**63 and int(part) not in ids:
            ids.append(int(part))
    return ids
