"""The index follows every write, and the rebuild restores it from nothing."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from rallypoint import cli
from rallypoint.feed import services
from rallypoint.feed.models import Comment, Post
from rallypoint.people.models import Department, User
from rallypoint.people.services import profile_update
from rallypoint.search.indexing import hashtags
from rallypoint.search.models import SearchDocument
from rallypoint.search.tests.conftest import SearchWorld, hits, search
from rallypoint.spaces.models import Space


def _document(kind: str, pk: int) -> SearchDocument:
    return SearchDocument.objects.get(kind=kind, object_id=pk)


def test_a_new_post_is_found_by_its_words_as_plain_text(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    post = services.post_create(
        author=alice, space=sworld.spaces[Space.Kind.OPEN], body="**Quarterly** _roadmap_ review"
    )
    assert _document("post", post.pk).body == "Quarterly roadmap review"
    assert ("post", post.pk) in hits(sworld["bob"], "roadmap")


def test_an_edit_replaces_the_old_words(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    post = sworld.posts[Space.Kind.OPEN]
    services.post_edit(actor=alice, post=post, body="Giraffe sighting")
    assert ("post", post.pk) in hits(alice, "giraffe")
    assert ("post", post.pk) not in hits(alice, "crossing")


def test_deleting_a_post_or_comment_empties_its_document(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    post = sworld.posts[Space.Kind.TEAM]
    comment = sworld.comments[Space.Kind.DEPARTMENT]
    services.post_delete(actor=alice, post=post)
    services.comment_delete(actor=sworld["carol"], comment=comment)
    assert _document("post", post.pk).body == ""
    assert _document("comment", comment.pk).body == ""
    found = hits(alice, "zebra")
    assert ("post", post.pk) not in found
    assert ("comment", comment.pk) not in found


def test_a_hidden_comment_is_found_by_nobody(sworld: SearchWorld) -> None:
    comment = sworld.comments[Space.Kind.COMPANY]
    comment.hidden_at = timezone.now()
    comment.save()
    assert ("comment", comment.pk) not in hits(sworld["carol"], "stripes")
    assert ("comment", comment.pk) not in hits(sworld["ada"], "stripes")


def test_removing_rows_removes_their_documents(sworld: SearchWorld) -> None:
    post = sworld.posts[Space.Kind.OPEN]
    comment_ids = list(Comment.objects.filter(post=post).values_list("pk", flat=True))
    post.delete()
    assert not SearchDocument.objects.filter(kind="post", object_id=post.pk).exists()
    assert not SearchDocument.objects.filter(kind="comment", object_id__in=comment_ids).exists()


def test_people_follow_profile_and_department_changes(sworld: SearchWorld) -> None:
    alice, bob = sworld["alice"], sworld["bob"]
    profile_update(actor=alice, user=alice, data={"bio": "Loves orienteering"})
    assert ("person", alice.pk) in hits(bob, "orienteering")
    Department.objects.filter(name="Engineering").update(name="x")  # no signal: stale
    department = Department.objects.get(slug="engineering")
    department.name = "Research"
    department.save()
    assert ("person", alice.pk) in hits(bob, "research")
    assert ("person", alice.pk) not in hits(bob, "engineering")


def test_signing_in_does_not_reindex(sworld: SearchWorld, django_assert_num_queries) -> None:
    alice = sworld["alice"]
    alice.last_login = timezone.now()
    with django_assert_num_queries(1):
        alice.save(update_fields=["last_login"])


def test_hashtags_are_extracted_once_in_lower_case() -> None:
    assert hashtags("Go #Launch now #launch and #Q3_review, not a#b or &#39; or x/#frag") == (
        "launch q3_review"
    )


def test_a_hashtag_query_matches_the_tag_not_the_bare_word(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    space = sworld.spaces[Space.Kind.OPEN]
    tagged = services.post_create(author=alice, space=space, body="Big day #launch tomorrow")
    bare = services.post_create(author=alice, space=space, body="We launch tomorrow")
    comment = services.comment_create(author=alice, post=bare, body="see #Launch")
    found = hits(alice, "#launch")
    assert ("post", tagged.pk) in found
    assert ("comment", comment.pk) in found
    assert ("post", bare.pk) not in found
    assert {("post", tagged.pk), ("post", bare.pk)} <= hits(alice, "launch")
    # What the hashtag link sends: /search/?q=%23launch
    assert search(alice, "#LAUNCH").counts["post"] == 1


def test_reindex_rebuilds_from_nothing_and_catches_bulk_writes(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    space = sworld.spaces[Space.Kind.OPEN]
    (bulk,) = Post.objects.bulk_create([Post(space=space, author=alice, body="Okapi census")])
    assert not hits(alice, "okapi")
    SearchDocument.objects.all().delete()
    out = io.StringIO()
    call_command("search_reindex", stdout=out)
    assert "Search index rebuilt" in out.getvalue()
    assert SearchDocument.objects.count() == (
        Post.objects.count()
        + Comment.objects.count()
        + User.objects.count()
        + Space.objects.count()
    )
    assert hits(alice, "okapi") == {("post", bulk.pk)}
    assert ("person", alice.pk) in hits(alice, "alice")
    assert ("space", space.pk) in hits(alice, "zeta open")


def test_the_cli_subcommand_rebuilds_the_index(sworld: SearchWorld, capsys) -> None:
    SearchDocument.objects.all().delete()
    assert cli.main(["search-reindex"]) == 0
    assert "Search index rebuilt" in capsys.readouterr().out
    counts = dict(SearchDocument.objects.values_list("kind").annotate(n=Count("id")))
    assert counts["post"] == Post.objects.count()
    assert counts["person"] == User.objects.count()
    assert counts["space"] == Space.objects.count()


def test_people_created_in_bulk_are_indexed_when_announced(
    sworld: SearchWorld, django_assert_max_num_queries
) -> None:
    from rallypoint.people.signals_api import people_changed

    created = User.objects.bulk_create(
        [User(email=f"p{n}@example.com", display_name=f"Pangolin {n}") for n in range(30)]
    )
    ids = list(
        User.objects.filter(email__startswith="p", display_name__startswith="Pangolin").values_list(
            "pk", flat=True
        )
    )
    assert len(ids) == len(created)
    assert not hits(sworld["alice"], "pangolin")
    with django_assert_max_num_queries(40):
        people_changed.send(sender=people_changed, user_ids=ids)
    assert {pk for kind, pk in hits(sworld["alice"], "pangolin")} == set(ids)
    assert search(sworld["alice"], "pangolin").counts["person"] == 30
