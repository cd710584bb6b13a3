"""Query-count guards: a page's SQL does not grow with its posts, comments or reactions."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from rallypoint.feed import services
from rallypoint.feed.models import REACTIONS, LinkPreview, Post
from rallypoint.feed.tests.conftest import person
from rallypoint.spaces.models import SpaceMembership

# +2 on the home feed: the announcements of the page's window and the urgent ones; +1 for
# the member spaces whose new posts the live prompt counts.
# One query more on each page for the attachments of its posts (attachments_attach).
FEED_MAX = 15
HOME_MAX = 22
SPACE_MAX = 13
POST_MAX = 12


def _uploads(count: int) -> list[SimpleUploadedFile]:
    """``count`` attachments, images and PDF files in turn."""
    files = []
    for n in range(count):
        if n % 2:
            files.append(SimpleUploadedFile(f"f{n}.pdf", b"%PDF-1.4\n%%EOF\n"))
        else:
            buffer = io.BytesIO()
            Image.new("RGB", (4, 3), "red").save(buffer, "PNG")
            files.append(SimpleUploadedFile(f"i{n}.png", buffer.getvalue()))
    return files


def _grow(world, *, posts: int, comments: int, reactors: int, attachments: int = 1) -> Post:
    """Add posts to Engineering, each with ``attachments`` files and a link preview, and
    comments, replies and reactions to the newest."""
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
        newest = services.post_create(
            author=author,
            space=space,
            body=f"P{n} http://127.0.0.1/page-{n}",
            uploads=_uploads(attachments),
        )
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
    # Loopback addresses are refused by the outbound client: make the previews readable.
    LinkPreview.objects.update(status=LinkPreview.Status.READY, title="A page")
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
    big = _grow(world, posts=25, comments=8, reactors=4, attachments=4)
    after = [
        _count(client, url, limit, django_assert_max_num_queries)
        for url, limit in _pages(world, big)
    ]
    assert before == after
    html = client.get(reverse("feed_post", args=[big.pk])).content.decode()
    assert html.count('class="comment"') == 8 and html.count('class="comment reply"') == 8
    assert html.count("/attachments/") == 2 * 2 + 2  # an image: link and picture; a file: link
    assert 'class="link-preview"' in html and "A page" in html
    feed = client.get(reverse("feed")).content.decode()
    assert feed.count('class="post-attachments"') == 20 and feed.count('class="link-preview"') == 20


def test_load_more_query_count_is_fixed(client, world, django_assert_max_num_queries):
    _grow(world, posts=45, comments=0, reactors=0)
    client.force_login(world["alice"])
    first = client.get(reverse("feed")).content.decode()
    more = first[first.index('<div class="load-more">') :]
    marker = 'hx-get="'
    url = more[more.index(marker) + len(marker) :].split('"')[0].replace("&amp;", "&")
    # +1: the announcements of the page's window.
    with django_assert_max_num_queries(9):
        response = client.get(url, headers={"HX-Request": "true"})
    assert response.content.decode().count('class="card post"') == 20
