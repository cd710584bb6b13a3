"""Writing to the feed: posting rights, edits, deletions, pins, comments, reactions, reads."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from rallypoint.core.models import AuditEntry
from rallypoint.feed import selectors, services
from rallypoint.feed.models import Comment, Post, PostRead, PostRevision, Reaction
from rallypoint.feed.tests.conftest import person
from rallypoint.people.models import User
from rallypoint.spaces.models import Space, SpaceMembership

# ---------------------------------------------------------------- posting rights


def test_post_create_renders_markdown_safely(world):
    post = services.post_create(
        author=world["alice"],
        space=world.engineering,
        body="# Hello\n**bold** <script>alert(1)</script> [x](javascript:alert(1))",
    )
    assert "<h3>Hello</h3>" in post.body_html
    assert "<strong>bold</strong>" in post.body_html
    assert "<script>" not in post.body_html
    assert "&lt;script&gt;" in post.body_html
    assert 'href="javascript' not in post.body_html


def test_members_post_in_their_directory_spaces_and_groups(world):
    assert services.post_create(author=world["alice"], space=world.engineering, body="Hi eng")
    assert services.post_create(
        author=world["alice"], space=world.groups["private"], body="Hi group"
    )


def test_non_members_cannot_post(world):
    with pytest.raises(PermissionDenied):
        services.post_create(author=world["bob"], space=world.engineering, body="Hello")
    with pytest.raises(PermissionDenied):
        services.post_create(author=world["bob"], space=world.groups["private"], body="Hello")
    with pytest.raises(PermissionDenied):
        services.post_create(author=world["dave"], space=world.groups["secret"], body="Hi")
    with pytest.raises(PermissionDenied):
        services.post_create(author=world["eve"], space=world.engineering, body="Hello")


def test_only_communications_and_administrators_post_in_the_company_space(world):
    with pytest.raises(PermissionDenied, match="communications managers"):
        services.post_create(author=world["alice"], space=world.company, body="Hello all")
    assert services.post_create(author=world["olga"], space=world.company, body="News")
    assert services.post_create(author=world["ada"], space=world.company, body="More news")


def test_empty_and_archived_are_refused(world):
    with pytest.raises(ValidationError, match="Write something"):
        services.post_create(author=world["alice"], space=world.engineering, body="   \n ")
    Space.objects.filter(pk=world.groups["private"].pk).update(archived_at=timezone.now())
    world.groups["private"].refresh_from_db()
    with pytest.raises(ValidationError, match="archived"):
        services.post_create(author=world["alice"], space=world.groups["private"], body="x")


# ---------------------------------------------------------------- edits and history


def test_post_edit_keeps_history_for_author_and_moderators(world):
    post = world.posts["private"]
    old_body = post.body
    services.post_edit(actor=world["alice"], post=post, body="New *text*")
    post.refresh_from_db()
    assert post.body == "New *text*"
    assert "<em>text</em>" in post.body_html
    assert post.edited_at is not None
    revision = PostRevision.objects.get(post=post)
    assert (revision.body, revision.edited_by) == (old_body, world["alice"])
    assert [r.body for r in selectors.post_revisions(world["carol"], post)] == [old_body]
    assert selectors.post_revisions(world["alice"], post)
    with pytest.raises(PermissionDenied):
        selectors.post_revisions(world["bob"], post)


def test_only_the_author_edits(world):
    with pytest.raises(PermissionDenied):
        services.post_edit(actor=world["carol"], post=world.posts["private"], body="Mine now")
    with pytest.raises(PermissionDenied):
        services.post_edit(actor=world["dave"], post=world.posts["private"], body="Still mine")


def test_an_unchanged_edit_keeps_no_revision(world):
    post = world.posts["private"]
    services.post_edit(actor=world["alice"], post=post, body=post.body)
    assert not PostRevision.objects.filter(post=post).exists()


# ---------------------------------------------------------------- deletion and pins


def test_author_deletes_without_audit(world):
    post = world.posts["private"]
    services.post_edit(actor=world["alice"], post=post, body="second version")
    services.post_delete(actor=world["alice"], post=post)
    post.refresh_from_db()
    assert post.deleted_at is not None and post.body == "" and post.body_html == ""
    assert not PostRevision.objects.filter(post=post).exists()
    assert not AuditEntry.objects.filter(action="feed.post_deleted").exists()
    assert not selectors.posts_visible_to(world["alice"]).filter(pk=post.pk).exists()


def test_moderator_deletes_with_audit_and_others_cannot(world):
    post = world.posts["secret"]
    with pytest.raises(PermissionDenied):
        services.post_delete(actor=world["bob"], post=post)
    services.post_delete(actor=world["carol"], post=post)
    entry = AuditEntry.objects.get(action="feed.post_deleted")
    assert entry.actor == world["carol"]
    assert entry.details["author"] == "alice@example.com"


def test_pin_is_for_moderators_and_audited(world):
    post = world.posts["private"]
    with pytest.raises(PermissionDenied):
        services.post_pin(actor=world["alice"], post=post)
    services.post_pin(actor=world["carol"], post=post)
    post.refresh_from_db()
    assert post.pinned_at is not None
    services.post_unpin(actor=world["olga"], post=post)
    post.refresh_from_db()
    assert post.pinned_at is None
    assert list(
        AuditEntry.objects.filter(action__startswith="feed.post_").values_list("action", flat=True)
    ) == ["feed.post_unpinned", "feed.post_pinned"]


def test_deleted_post_row_cannot_keep_text(world):
    post = world.posts["private"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())


# ---------------------------------------------------------------- comments


def test_replies_are_one_level_deep(world):
    post = world.posts["private"]
    top = services.comment_create(author=world["alice"], post=post, body="Top")
    reply = services.comment_create(author=world["carol"], post=post, body="Reply", parent=top)
    deeper = services.comment_create(
        author=world["alice"], post=post, body="Reply to reply", parent=reply
    )
    assert reply.parent == top
    assert deeper.parent == top
    threads = selectors.comments_for(world["alice"], post)
    thread = next(c for c in threads if c.pk == top.pk)
    assert [c.body for c in thread.reply_list] == ["Reply", "Reply to reply"]


def test_a_reply_must_belong_to_the_same_post(world):
    other = services.comment_create(author=world["alice"], post=world.posts["secret"], body="x")
    with pytest.raises(ValidationError):
        services.comment_create(
            author=world["alice"], post=world.posts["private"], body="y", parent=other
        )


def test_comments_need_read_access(world):
    for key in ("bob", "dave", "eve", "ada"):
        with pytest.raises(PermissionDenied):
            services.comment_create(author=world[key], post=world.posts["secret"], body="Hi")


def test_comment_edit_and_delete_rules(world):
    post = world.posts["private"]
    comment = services.comment_create(author=world["alice"], post=post, body="first")
    with pytest.raises(PermissionDenied):
        services.comment_edit(actor=world["carol"], comment=comment, body="changed")
    services.comment_edit(actor=world["alice"], comment=comment, body="changed")
    comment.refresh_from_db()
    assert comment.body == "changed" and comment.edited_at is not None
    reply = services.comment_create(author=world["carol"], post=post, body="r", parent=comment)
    services.comment_delete(actor=world["carol"], comment=comment)
    assert AuditEntry.objects.filter(action="feed.comment_deleted").count() == 1
    threads = selectors.comments_for(world["alice"], post)
    placeholder = next(c for c in threads if c.pk == comment.pk)
    assert placeholder.is_deleted and [r.pk for r in placeholder.reply_list] == [reply.pk]
    services.comment_delete(actor=world["carol"], comment=reply)
    assert comment.pk not in [c.pk for c in selectors.comments_for(world["alice"], post)]


# ---------------------------------------------------------------- reactions


def test_reaction_toggle_is_one_of_each_per_person(world):
    post = world.posts["private"]
    assert services.reaction_toggle(user=world["alice"], post=post, emoji="tada") is True
    assert services.reaction_toggle(user=world["alice"], post=post, emoji="heart") is True
    assert Reaction.objects.filter(post=post, user=world["alice"]).count() == 2
    assert services.reaction_toggle(user=world["alice"], post=post, emoji="tada") is False
    assert list(
        Reaction.objects.filter(post=post, user=world["alice"]).values_list("emoji", flat=True)
    ) == ["heart"]


def test_reaction_uniqueness_is_enforced_by_the_database(world):
    post = world.posts["private"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(post=post, user=world["carol"], emoji="heart")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(user=world["carol"], emoji="heart")


def test_reactions_refuse_unknown_emoji_and_unreadable_posts(world):
    post = world.posts["secret"]
    with pytest.raises(ValidationError):
        services.reaction_toggle(user=world["alice"], post=post, emoji="poop")
    for key in ("bob", "dave", "ada"):
        with pytest.raises(PermissionDenied):
            services.reaction_toggle(user=world[key], post=post, emoji="heart")


def test_reactions_on_comments(world):
    comment = Comment.objects.get(post=world.posts["private"])
    services.reaction_toggle(user=world["alice"], comment=comment, emoji="thanks")
    selectors.reactions_attach(world["alice"], comments=[comment])
    counts = {r.key: (r.count, r.mine) for r in comment.reaction_counts}
    assert counts["thanks"] == (1, True)
    assert counts["heart"] == (0, False)


# ---------------------------------------------------------------- reads


def test_mark_read_is_idempotent_and_refuses_unreadable_posts(world):
    private, secret = world.posts["private"], world.posts["secret"]
    assert services.posts_mark_read(viewer=world["alice"], post_ids=[private.pk, secret.pk]) == 2
    assert services.posts_mark_read(viewer=world["alice"], post_ids=[private.pk]) == 1
    assert PostRead.objects.filter(user=world["alice"]).count() == 2
    for key in ("bob", "dave", "eve", "ada"):
        assert services.posts_mark_read(viewer=world[key], post_ids=[private.pk, 10**12]) == 0
    assert PostRead.objects.count() == 2


def test_read_rates_by_department_count_right(world, monkeypatch):
    monkeypatch.setattr(selectors, "READ_RATES_MIN_GROUP", 1)
    group = world.groups["private"]
    post = world.posts["private"]
    # Members: olga (Sales), alice and carol (Engineering); eve is deactivated, dave removed.
    ivan = person("ivan@example.com", "Ivan", department=world["bob"].department)
    SpaceMembership.objects.create(space=group, user=ivan)
    services.posts_mark_read(viewer=world["alice"], post_ids=[post.pk])
    services.posts_mark_read(viewer=world["olga"], post_ids=[post.pk])
    services.posts_mark_read(viewer=world["eve"], post_ids=[post.pk])
    rates = {
        r.department: (r.readers, r.members)
        for r in selectors.read_rates_by_department(world["alice"], post)
    }
    assert rates == {"Engineering": (1, 2), "Sales": (1, 2)}
    assert selectors.read_rates_by_department(world["olga"], post)


def test_read_rates_pool_small_departments(world):
    post = world.posts["private"]
    group = world.groups["private"]
    engineering = world["alice"].department
    for n in range(4):
        SpaceMembership.objects.create(
            space=group, user=person(f"e{n}@example.com", f"Eng {n}", department=engineering)
        )
    services.posts_mark_read(viewer=world["alice"], post_ids=[post.pk])
    services.posts_mark_read(viewer=world["olga"], post_ids=[post.pk])
    rates = [
        (r.department, r.readers, r.members, r.percent)
        for r in selectors.read_rates_by_department(world["alice"], post)
    ]
    assert rates == [("Engineering", 1, 6, 17), ("Smaller departments together", None, 1, None)]


def test_read_rates_are_refused_to_ordinary_readers(world):
    post = world.posts["private"]
    with pytest.raises(PermissionDenied):
        selectors.read_rates_by_department(world["carol"], post)
    # An administrator who cannot read the group does not learn its numbers either.
    with pytest.raises(PermissionDenied):
        selectors.read_rates_by_department(world["ada"], post)
    assert not selectors.post_permissions(world["carol"], post).read_rates


def test_deactivated_people_write_nothing(world):
    eve = User.objects.get(pk=world["eve"].pk)
    with pytest.raises(PermissionDenied):
        services.reaction_toggle(user=eve, post=world.posts["private"], emoji="heart")
