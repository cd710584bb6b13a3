"""Every write to the feed: posts, edits, deletions, pins, comments, reactions, reads.

Each service checks who may act (through ``feed.selectors`` and ``spaces.selectors``),
validates, and writes inside a transaction. What a moderator does to someone else's
content is audited (``feed.*``). The callers looked the post or comment up through a
selector, so it is one the actor may see; the services check the rules again, because
the API and jobs call them too.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.core.markdown import render_markdown, render_plain
from rallypoint.feed import attachments, live, mentions, previews, selectors
from rallypoint.feed.models import (
    COMMENT_MAX_LENGTH,
    POST_MAX_LENGTH,
    REACTIONS,
    Comment,
    Post,
    PostRead,
    PostRevision,
    Reaction,
)
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User
from rallypoint.spaces.models import Space
from rallypoint.spaces.selectors import (
    can_moderate,
    space_content_visible_to,
)

READ_BATCH_MAX = 200
# How much of a post's text names it in a notification.
NOTIFY_EXCERPT = 60


def _excerpt(post: Post) -> str:
    text = render_plain(post.body)
    return text if len(text) <= NOTIFY_EXCERPT else text[: NOTIFY_EXCERPT - 1].rstrip() + "…"


def _post_url(post: Post, anchor: str = "") -> str:
    return reverse("feed_post", args=[post.pk]) + (f"#{anchor}" if anchor else "")


def _require_active(actor: User) -> None:
    if not actor.is_active:
        raise PermissionDenied(_("Your account is deactivated."))


def _require_open(space: Space) -> None:
    if space.is_archived:
        raise ValidationError(_("This space is archived: it takes no new posts or comments."))


def _require_readable(actor: User, post: Post, comment: Comment | None = None) -> None:
    """The actor may read ``post`` (and ``comment``): what a moderator hid is readable
    only by its author and the space's moderators."""
    if post.is_deleted or not space_content_visible_to(actor, post.space):
        raise PermissionDenied(_("You cannot see this post."))
    for item in (post, comment):
        if (
            item is not None
            and item.hidden_at is not None
            and item.author_id != actor.pk
            and not can_moderate(actor, post.space)
        ):
            raise PermissionDenied(_("A moderator hid this."))


def _clean_text(body: str, *, limit: int, what: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError(_("Write something first."))
    if "\x00" in text:
        raise ValidationError(_("The text contains a character that cannot be stored."))
    if len(text) > limit:
        raise ValidationError(
            _("A %(what)s can be at most %(limit)d characters long.")
            % {"what": what, "limit": limit}
        )
    return text


# ---------------------------------------------------------------- posts


@transaction.atomic
def post_create(
    *, author: User, space: Space, body: str, uploads: Iterable[UploadedFile] = ()
) -> Post:
    """Publish ``body`` (Markdown) in ``space``, with ``uploads`` attached (checked by
    ``feed.attachments``). Posting rights: ``selectors.can_post_in``."""
    _require_active(author)
    _require_open(space)
    if not selectors.can_post_in(author, space):
        if space.kind == Space.Kind.COMPANY:
            raise PermissionDenied(
                _("Only communications managers and administrators post in the company space.")
            )
        raise PermissionDenied(_("Only members of this space can post in it."))
    text = _clean_text(body, limit=POST_MAX_LENGTH, what=_("post"))
    post = Post(space=space, author=author, body=text, body_html=render_markdown(text))
    post.full_clean()
    post.save()
    attachments.attachments_add(post=post, uploader=author, uploads=list(uploads))
    post_published(post)
    return post


def post_published(post: Post) -> None:
    """Everything that follows a post becoming visible to its readers, whichever way it
    was published (composer, API, a scheduled or recurring post). Runs inside the
    publishing transaction; anything sent out waits for the commit."""
    previews.preview_for_post(post)
    mentions.mentions_notify(
        author=post.author,
        space=post.space,
        target=post,
        url=_post_url(post),
        excerpt=_excerpt(post),
        text=post.body,
    )
    live.post_created_on_commit(post)


def post_edited(post: Post, *, previous_body: str) -> None:
    """Everything that follows a published post's text changing (``previous_body``)."""
    previews.preview_for_post(post)
    mentions.mentions_notify(
        author=post.author,
        space=post.space,
        target=post,
        url=_post_url(post),
        excerpt=_excerpt(post),
        text=post.body,
        previous_text=previous_body,
    )


@transaction.atomic
def post_edit(*, actor: User, post: Post, body: str) -> Post:
    """Change the text of ``post``; the previous text is kept as a ``PostRevision``."""
    _require_active(actor)
    locked = Post.objects.select_for_update().select_related("space").get(pk=post.pk)
    _require_readable(actor, locked)
    if locked.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit a post."))
    text = _clean_text(body, limit=POST_MAX_LENGTH, what=_("post"))
    if text == locked.body:
        return locked
    now = timezone.now()
    revision = PostRevision(post=locked, body=locked.body, edited_by=actor, edited_at=now)
    revision.full_clean()
    revision.save()
    locked.body = text
    locked.body_html = render_markdown(text)
    locked.edited_at = now
    locked.full_clean()
    locked.save(update_fields=["body", "body_html", "edited_at"])
    if locked.status == Post.Status.PUBLISHED:
        post_edited(locked, previous_body=revision.body)
    return locked


@transaction.atomic
def post_delete(*, actor: User, post: Post, request: HttpRequest | None = None) -> Post:
    """Delete ``post`` for its readers: its text and history go, the row stays (reads,
    reactions and the audit log keep pointing at it). The author or a space moderator."""
    _require_active(actor)
    locked = Post.objects.select_for_update().select_related("space", "author").get(pk=post.pk)
    _require_readable(actor, locked)
    by_author = locked.author_id == actor.pk
    if not by_author and not can_moderate(actor, locked.space):
        raise PermissionDenied(_("Only the author or a moderator of the space can delete a post."))
    locked.revisions.all().delete()
    locked.body = ""
    locked.body_html = ""
    locked.pinned_at = None
    locked.deleted_at = timezone.now()
    locked.deleted_by = actor
    locked.full_clean()
    locked.save(update_fields=["body", "body_html", "pinned_at", "deleted_at", "deleted_by"])
    live.post_removed_on_commit(locked)
    attachments.attachments_delete_for_post(locked)
    if not by_author:
        audit_record(
            action="feed.post_deleted",
            actor=actor,
            target=locked,
            target_label=_("Post #%(id)d in %(space)s") % {"id": locked.pk, "space": locked.space},
            request=request,
            details={"space": locked.space.slug, "author": locked.author.email},
        )
    return locked


def _set_pin(*, actor: User, post: Post, pinned: bool, request: HttpRequest | None) -> Post:
    _require_active(actor)
    locked = Post.objects.select_for_update().select_related("space").get(pk=post.pk)
    _require_readable(actor, locked)
    if not can_moderate(actor, locked.space):
        raise PermissionDenied(_("Only the space's owners and moderators can pin posts."))
    if (locked.pinned_at is not None) == pinned:
        return locked
    locked.pinned_at = timezone.now() if pinned else None
    locked.save(update_fields=["pinned_at"])
    audit_record(
        action="feed.post_pinned" if pinned else "feed.post_unpinned",
        actor=actor,
        target=locked,
        target_label=_("Post #%(id)d in %(space)s") % {"id": locked.pk, "space": locked.space},
        request=request,
        details={"space": locked.space.slug},
    )
    return locked


@transaction.atomic
def post_pin(*, actor: User, post: Post, request: HttpRequest | None = None) -> Post:
    """Pin ``post`` to the top of its space's feed (moderators)."""
    return _set_pin(actor=actor, post=post, pinned=True, request=request)


@transaction.atomic
def post_unpin(*, actor: User, post: Post, request: HttpRequest | None = None) -> Post:
    return _set_pin(actor=actor, post=post, pinned=False, request=request)


# ---------------------------------------------------------------- comments


@transaction.atomic
def comment_create(
    *, author: User, post: Post, body: str, parent: Comment | None = None
) -> Comment:
    """Comment on ``post``, or reply to ``parent``. Replies go one level deep: a reply
    to a reply joins the thread of the top comment."""
    _require_active(author)
    _require_readable(author, post, parent)
    _require_open(post.space)
    if parent is not None:
        if parent.post_id != post.pk or parent.is_deleted:
            raise ValidationError(_("The comment you replied to is gone."))
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
    text = _clean_text(body, limit=COMMENT_MAX_LENGTH, what=_("comment"))
    comment = Comment(
        post=post, parent=parent, author=author, body=text, body_html=render_markdown(text)
    )
    comment.full_clean()
    comment.save()
    _notify_comment(comment)
    _comment_mentions_notify(comment)
    live.comment_created_on_commit(comment)
    return comment


def _comment_mentions_notify(comment: Comment, *, previous_body: str = "") -> None:
    mentions.mentions_notify(
        author=comment.author,
        space=comment.post.space,
        target=comment,
        url=_post_url(comment.post, f"comment-{comment.pk}"),
        excerpt=_excerpt(comment.post),
        text=comment.body,
        previous_text=previous_body,
    )


def _notify_comment(comment: Comment) -> None:
    """Tell the post's author of a comment, and a comment's author of a reply to it.

    Several comments on one post (or replies to one comment) join one unread
    notification: "Ana and 3 others commented on your post …".
    """
    post = comment.post
    url = _post_url(post, f"comment-{comment.pk}")
    excerpt = _excerpt(post)
    parent = comment.parent
    if parent is not None and not parent.is_deleted:
        notification_notify(
            recipients=[parent.author],
            kind=Notification.Kind.REPLY,
            actor=comment.author,
            space=post.space,
            target=parent,
            url=url,
            summary=_("replied to your comment on “%(post)s”") % {"post": excerpt},
            group_key=f"reply:comment:{parent.pk}",
        )
    if parent is None or parent.author_id != post.author_id:
        notification_notify(
            recipients=[post.author],
            kind=Notification.Kind.REPLY,
            actor=comment.author,
            space=post.space,
            target=post,
            url=url,
            summary=_("commented on your post “%(post)s”") % {"post": excerpt},
            group_key=f"comment:post:{post.pk}",
        )


@transaction.atomic
def comment_edit(*, actor: User, comment: Comment, body: str) -> Comment:
    _require_active(actor)
    locked = Comment.objects.select_for_update().select_related("post__space").get(pk=comment.pk)
    _require_readable(actor, locked.post)
    if locked.is_deleted:
        raise ValidationError(_("This comment was deleted."))
    if locked.author_id != actor.pk:
        raise PermissionDenied(_("Only the author can edit a comment."))
    text = _clean_text(body, limit=COMMENT_MAX_LENGTH, what=_("comment"))
    if text != locked.body:
        previous_body = locked.body
        locked.body = text
        locked.body_html = render_markdown(text)
        locked.edited_at = timezone.now()
        locked.full_clean()
        locked.save(update_fields=["body", "body_html", "edited_at"])
        _comment_mentions_notify(locked, previous_body=previous_body)
    return locked


@transaction.atomic
def comment_delete(*, actor: User, comment: Comment, request: HttpRequest | None = None) -> Comment:
    """Delete a comment (its author or a space moderator); replies to it stay."""
    _require_active(actor)
    locked = (
        Comment.objects.select_for_update()
        .select_related("post__space", "author")
        .get(pk=comment.pk)
    )
    _require_readable(actor, locked.post)
    if locked.is_deleted:
        return locked
    by_author = locked.author_id == actor.pk
    if not by_author and not can_moderate(actor, locked.post.space):
        raise PermissionDenied(
            _("Only the author or a moderator of the space can delete a comment.")
        )
    locked.body = ""
    locked.body_html = ""
    locked.deleted_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["body", "body_html", "deleted_at"])
    if not by_author:
        audit_record(
            action="feed.comment_deleted",
            actor=actor,
            target=locked,
            target_label=_("Comment #%(id)d on post #%(post)d")
            % {"id": locked.pk, "post": locked.post_id},
            request=request,
            details={"space": locked.post.space.slug, "author": locked.author.email},
        )
    return locked


# ---------------------------------------------------------------- reactions


def _reaction_checked(
    *, user: User, emoji: str, post: Post | None, comment: Comment | None
) -> tuple[Post, QuerySet[Reaction]]:
    """The post reacted to and ``user``'s existing ``emoji`` on the target, once every rule
    for reacting holds (active, readable, open space, known reaction, live comment)."""
    _require_active(user)
    if (post is None) == (comment is None):
        raise ValidationError(_("React to a post or to a comment."))
    if emoji not in REACTIONS:
        raise ValidationError(_("That reaction is not available."))
    if comment is not None:
        if comment.is_deleted:
            raise ValidationError(_("This comment was deleted."))
        target_post = comment.post
        existing = Reaction.objects.filter(comment=comment, user=user, emoji=emoji)
    else:
        assert post is not None
        target_post = post
        existing = Reaction.objects.filter(post=post, user=user, emoji=emoji)
    _require_readable(user, target_post, comment)
    _require_open(target_post.space)
    return target_post, existing


@transaction.atomic
def reaction_toggle(
    *, user: User, emoji: str, post: Post | None = None, comment: Comment | None = None
) -> bool:
    """Give ``emoji`` to a post or a comment, or take it back. Returns whether it is on."""
    target_post, existing = _reaction_checked(user=user, emoji=emoji, post=post, comment=comment)
    if existing.delete()[0]:
        live.reactions_changed_on_commit(post=target_post, comment=comment)
        return False
    # A concurrent click that wrote it first leaves it on just the same.
    _reaction_create(user=user, emoji=emoji, post=post, comment=comment, target_post=target_post)
    return True


@transaction.atomic
def reaction_add(
    *, user: User, emoji: str, post: Post | None = None, comment: Comment | None = None
) -> bool:
    """Give ``emoji`` to a post or a comment. Idempotent: returns whether it was new."""
    target_post, existing = _reaction_checked(user=user, emoji=emoji, post=post, comment=comment)
    if existing.exists():
        return False
    return _reaction_create(
        user=user, emoji=emoji, post=post, comment=comment, target_post=target_post
    )


@transaction.atomic
def reaction_remove(
    *, user: User, emoji: str, post: Post | None = None, comment: Comment | None = None
) -> bool:
    """Take ``emoji`` back from a post or a comment. Idempotent: returns whether it was on."""
    target_post, existing = _reaction_checked(user=user, emoji=emoji, post=post, comment=comment)
    removed = bool(existing.delete()[0])
    if removed:
        live.reactions_changed_on_commit(post=target_post, comment=comment)
    return removed


def _reaction_create(
    *, user: User, emoji: str, post: Post | None, comment: Comment | None, target_post: Post
) -> bool:
    """Write a reaction already checked by ``_reaction_checked``; False if a concurrent
    request wrote the same one first."""
    reaction = Reaction(post=post, comment=comment, user=user, emoji=emoji)
    reaction.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            reaction.save()
    except IntegrityError:
        # The same person's second click arrived at the same time: it is on either way.
        return False
    _notify_reaction(reaction, target_post)
    live.reactions_changed_on_commit(post=target_post, comment=comment)
    return True


def _notify_reaction(reaction: Reaction, post: Post) -> None:
    """Tell the author of the post or comment; reactions to one thing join one notification."""
    comment = reaction.comment
    target: Post | Comment = comment if comment is not None else post
    what = _("your comment on") if comment is not None else _("your post")
    notification_notify(
        recipients=[target.author],
        kind=Notification.Kind.REACTION,
        actor=reaction.user,
        space=post.space,
        target=target,
        url=_post_url(post, f"comment-{comment.pk}" if comment is not None else ""),
        summary=_("reacted %(emoji)s to %(what)s “%(post)s”")
        % {"emoji": REACTIONS[reaction.emoji], "what": what, "post": _excerpt(post)},
        group_key=f"reaction:{target._meta.model_name}:{target.pk}",
    )


# ---------------------------------------------------------------- reads


@transaction.atomic
def posts_mark_read(*, viewer: User, post_ids: Iterable[int]) -> int:
    """Record that ``viewer`` had these posts on screen. Idempotent: a post counts once
    per person. Posts the viewer cannot read are ignored. Returns how many were readable."""
    wanted = {int(pk) for pk in post_ids if 0 < int(pk) < 2**63}
    if not viewer.is_active or not wanted:
        return 0
    if len(wanted) > READ_BATCH_MAX:
        raise ValidationError(
            _("Send at most %(limit)d posts at a time.") % {"limit": READ_BATCH_MAX}
        )
    readable = list(
        selectors.posts_readable_by(viewer).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    PostRead.objects.bulk_create(
        [PostRead(post_id=pk, user=viewer) for pk in readable], ignore_conflicts=True
    )
    return len(readable)
