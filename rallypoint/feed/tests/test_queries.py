"""Query-count guards: a page's SQL does not grow with its posts, comments or reactions."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rallypoint.feed import services
from rallypoint.feed.models import REACTIONS, Post
from rallypoint.feed.tests.conftest import person
from rallypoint.spaces.models import SpaceMembership

FEED_MAX = 12
HOME_MAX = 18
SPACE_MAX = 12
POST_MAX = 11


def _grow(world, *, posts: int, comments: int, reactors: int) -> Post:
    """Add posts to Engineering, and comments, replies and reactions to the newest."""
    space = world.engineering
    people = [world["alice"], world["carol"]]
    for n in range(reactors):
        extra = person(f"r{Post.objects.count()}-{n}@example.com", f"Reactor {n}")
        SpaceMembership.objects.create(space=space, user=extra)
        people.append(extra)
    newest = None
    for n in range(posts):
        # The newest post is always Alice's, so that she sees its read rates each time.
        author = world["alice"] if n == posts - 1 else people[n % len(people)]
        newest = services.post_create(author=author, space=space, body=f"P{n}")
        for who in people:
            for emoji in list(REACTIONS)[:3]:
                services.reaction_toggle(user=who, post=newest, emoji=emoji)
    assert newest is not None
    for n in range(comments):
        top = services.comment_create(author=people[n % len(people)], post=newest, body=f"C{n}")
        reply = services.comment_create(
            author=people[(n + 1) % len(people)], post=newest, body=f"R{n}", parent=top
        )
        for who in people:
            services.reaction_toggle(user=who, comment=top, emoji="heart")
            services.reaction_toggle(user=who, comment=reply, emoji="tada")
    services.post_pin(actor=world["ada"], post=newest)
    services.posts_mark_read(viewer=world["alice"], post_ids=[newest.pk])
    return newest


def _count(client, url: str, limit: int, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _pages(world, post: Post) -> list[tuple[str, int]]:
    return [
        (reverse("feed"), FEED_MAX),
        ("/", HOME_MAX),
        (reverse("feed_space_posts", args=[world.engineering.slug]), SPACE_MAX),
        (reverse("feed_post", args=[post.pk]), POST_MAX),
    ]


def test_query_counts_do_not_grow_with_content(client, world, django_assert_max_num_queries):
    client.force_login(world["alice"])
    small = _grow(world, posts=2, comments=1, reactors=0)
    before = [
        _count(client, url, limit, django_assert_max_num_queries)
        for url, limit in _pages(world, small)
    ]
    big = _grow(world, posts=25, comments=8, reactors=4)
    after = [
        _count(client, url, limit, django_assert_max_num_queries)
        for url, limit in _pages(world, big)
    ]
    assert before == after
    html = client.get(reverse("feed_post", args=[big.pk])).content.decode()
    assert html.count('class="comment"') == 8 and html.count('class="comment reply"') == 8


def test_load_more_query_count_is_fixed(client, world, django_assert_max_num_queries):
    _grow(world, posts=45, comments=0, reactors=0)
    client.force_login(world["alice"])
    first = client.get(reverse("feed")).content.decode()
    marker = 'hx-get="'
    url = first[first.index(marker) + len(marker) :].split('"')[0].replace("&amp;", "&")
    with django_assert_max_num_queries(8):
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.content.decode().count('class="card post"') == 20
