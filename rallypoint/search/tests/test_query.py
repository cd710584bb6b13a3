"""Query parsing, ranking, snippets, filters and hostile input."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rallypoint.feed import services
from rallypoint.feed.models import Post
from rallypoint.people.models import User
from rallypoint.search.indexing import MARK_END, MARK_START
from rallypoint.search.query import Term, parse, to_fts5, to_tsquery
from rallypoint.search.selectors import marked_html
from rallypoint.search.tests.conftest import SearchWorld, hits, search
from rallypoint.spaces.models import Space

HOSTILE = [
    '"',
    '""',
    '"unterminated',
    "*",
    "a*",
    "NEAR(a b)",
    "a NEAR b",
    "(",
    ")))",
    "-",
    "-zebra",
    "zebra -",
    "AND OR NOT",
    "title: zebra",
    "tags : x",
    "{title}: x",
    "^zebra",
    "'; DROP TABLE search_fts; --",
    "\\",
    "' & ! | <-> :*",
    "a:*B",
    "#",
    "##",
    "#-",
    "İstanbul ǅ ß ﬁ",
    "🦓 zebra",
    "\u0301\u0301",
    "\ue000zebra\ue001",
    "x" * 1000,
    "zebra " * 200,
    "z" * 3000,
]


def test_parse_words_phrases_hashtags_and_the_last_prefix() -> None:
    assert parse('plan "big launch" #Q3 roa') == [
        Term(words=("plan",)),
        Term(words=("big", "launch")),
        Term(words=("q3",), hashtag=True),
        Term(words=("roa",), prefix=True),
    ]
    assert parse("done ") == [Term(words=("done",))]
    assert parse("*** () - ") == []
    assert to_fts5(parse('a "b c" #d e')) == '"a" AND "b c" AND tags : "d" AND "e" *'
    assert to_tsquery(parse('a "b c" #d e')) == "('a') & ('b' <-> 'c') & ('d':C) & ('e':*)"


@pytest.mark.parametrize("text", HOSTILE)
def test_parsed_queries_never_carry_syntax(text: str) -> None:
    for term in parse(text):
        for word in term.words:
            assert word.isalnum(), word


def test_hostile_queries_never_fail(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    for text in HOSTILE:
        results = search(alice, text)
        assert results.total >= 0
    assert hits(alice, "-zebra") == hits(alice, "zebra")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=120))
def test_any_text_is_a_valid_search(db, text: str) -> None:
    viewer = User.objects.filter(email="hypo@example.com").first() or User.objects.create_user(
        "hypo@example.com", "x", display_name="Hypo Thesis"
    )
    results = search(viewer, text)
    assert results.total == sum(results.counts.values())


def test_snippets_escape_everything_but_the_marks(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    payload = 'Wombat <script>alert("x")</script> <img src=x onerror=alert(1)> &amp; wombat'
    post = services.post_create(author=alice, space=sworld.spaces[Space.Kind.OPEN], body=payload)
    (hit,) = [h for h in search(alice, "wombat").hits if h.document.object_id == post.pk]
    html = str(hit.snippet_html)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html or "script" not in html
    assert html.count("<mark>") == 2 and html.count("</mark>") == 2
    assert "<mark>Wombat</mark>" in html


def test_marks_in_stored_text_cannot_fake_a_highlight(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    services.post_create(
        author=alice,
        space=sworld.spaces[Space.Kind.OPEN],
        body=f"Numbat {MARK_START}<b>fake</b>{MARK_END}",
    )
    (hit,) = search(alice, "numbat").hits
    assert str(hit.snippet_html).count("<mark>") == 1
    assert "&lt;b&gt;fake" in str(hit.snippet_html) and "<b>" not in str(hit.snippet_html)
    assert str(marked_html(f"{MARK_START}<i>")) == "&lt;i&gt;"


def test_ranking_prefers_more_and_title_matches_then_recent(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    space = sworld.spaces[Space.Kind.OPEN]
    once = services.post_create(author=alice, space=space, body="kestrel " + "filler " * 40)
    many = services.post_create(author=alice, space=space, body="kestrel kestrel kestrel nest")
    ranked = [h.document.object_id for h in search(alice, "kestrel", kind="post").hits]
    assert ranked == [many.pk, once.pk]
    older = services.post_create(author=alice, space=space, body="heron")
    newer = services.post_create(author=alice, space=space, body="heron")
    Post.objects.filter(pk=older.pk).update(
        created_at=newer.created_at - datetime.timedelta(days=3)
    )
    ranked = [h.document.object_id for h in search(alice, "heron", kind="post").hits]
    assert ranked[0] == newer.pk


def test_phrases_prefixes_and_diacritics(sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    space = sworld.spaces[Space.Kind.OPEN]
    post = services.post_create(author=alice, space=space, body="The blue whale surfaced")
    assert ("post", post.pk) in hits(alice, '"blue whale"')
    assert ("post", post.pk) not in hits(alice, '"whale blue"')
    assert ("post", post.pk) in hits(alice, "surf")
    assert ("post", post.pk) not in hits(alice, "surf ")
    cafe = services.post_create(author=alice, space=space, body="Meet at the Café")
    assert ("post", cafe.pk) in hits(alice, "CAFÉ")


def test_filters_by_author_dates_kind_and_pages(sworld: SearchWorld) -> None:
    alice, carol = sworld["alice"], sworld["carol"]
    assert {kind for kind, _ in hits(alice, "zebra", author=carol)} == {"comment"}
    assert {kind for kind, _ in hits(alice, "zebra", author=alice)} == {"post"}
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=2)
    assert hits(alice, "zebra", date_from=tomorrow) == set()
    assert hits(alice, "zebra", date_to=today + datetime.timedelta(days=1)) == hits(alice, "zebra")
    everything = search(alice, "zebra")
    assert everything.counts["post"] == 7 and everything.counts["comment"] == 7
    first = search(alice, "zebra", per_page=5)
    second = search(alice, "zebra", per_page=5, page=2)
    third = search(alice, "zebra", per_page=5, page=3)
    assert first.has_next and second.has_next and not third.has_next
    ids = [h.document.pk for r in (first, second, third) for h in r.hits]
    assert len(ids) == len(set(ids)) == 14
    only_people = search(alice, "zebra", kind="person")
    assert only_people.hits == [] and only_people.counts["post"] == 7


def test_people_are_found_by_what_the_directory_shows(sworld: SearchWorld) -> None:
    bob = sworld["bob"]
    alice = sworld["alice"]
    assert ("person", alice.pk) in hits(bob, "platform")
    assert ("person", alice.pk) in hits(bob, "ali")
    assert ("person", alice.pk) not in hits(bob, "alice@example.com")
    (hit,) = [h for h in search(bob, "alice").hits if h.kind == "person"]
    assert str(hit.title_html) == "<mark>Alice</mark> Member"
