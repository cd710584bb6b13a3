"""The feed pages: composer, paging, pins, the read divider, reactions, edit and history."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.feed import selectors, services
from rallypoint.feed.models import Post, PostRead, Reaction
from rallypoint.feed.selectors import Cursor


def _many_posts(world, count, *, same_time=False):
    """``count`` posts in the Engineering space; with ``same_time`` they share timestamps
    in runs of five, which the cursor must page through without gaps or repeats."""
    base = timezone.now() - datetime.timedelta(days=1)
    posts = []
    for n in range(count):
        post = services.post_create(
            author=world["alice"], space=world.engineering, body=f"Numbered post {n}."
        )
        offset = (n // 5) if same_time else n
        Post.objects.filter(pk=post.pk).update(created_at=base + datetime.timedelta(minutes=offset))
        posts.append(post)
    return posts


# ---------------------------------------------------------------- paging


def test_cursor_pages_have_no_duplicates_or_gaps_with_equal_timestamps(world):
    posts = _many_posts(world, 47, same_time=True)
    seen: list[int] = []
    cursor: Cursor | None = None
    for _round in range(10):
        page = selectors.feed_page(world["alice"], space=world.engineering, cursor=cursor, size=7)
        seen.extend(p.pk for p in page.posts)
        if page.next_cursor is None:
            break
        cursor = Cursor.decode(page.next_cursor)
    assert len(seen) == len(set(seen)) == 47
    expected = sorted(posts, key=lambda p: (Post.objects.get(pk=p.pk).created_at, p.pk))
    assert seen == [p.pk for p in reversed(expected)]


def test_older_posts_link_and_htmx_load_more(client, world):
    _many_posts(world, 25)
    client.force_login(world["alice"])
    html = client.get(reverse("feed")).content.decode()
    assert html.count('class="card post"') == 20
    link = re.search(r'href="(/feed/\?cursor=[^"]+)"', html)
    assert link and "Older posts" in html
    more = client.get(link.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    partial = more.content.decode()
    assert "<html" not in partial
    assert partial.count('class="card post"') == 7  # 25 + the two group posts - 20
    assert "Older posts" not in partial


def test_a_broken_cursor_shows_the_newest_posts_with_a_message(client, world):
    client.force_login(world["alice"])
    for token in ("garbage", "eyJ0IjoxfQ", "!!!"):
        response = client.get(reverse("feed"), {"cursor": token})
        assert response.status_code == 200
        assert "That link to older posts is broken" in response.content.decode()


def test_filter_by_space(client, world):
    services.post_create(author=world["alice"], space=world.engineering, body="Eng only")
    client.force_login(world["alice"])
    html = client.get(reverse("feed"), {"space": world.engineering.slug}).content.decode()
    assert "Eng only" in html and "Falcon" not in html
    html = client.get(reverse("feed"), {"space": "no-such-space"}).content.decode()
    assert "Eng only" in html and "You are not in that space" in html


# ---------------------------------------------------------------- pins and the divider


def test_pinned_posts_come_first_on_the_space_feed(client, world):
    old = services.post_create(author=world["alice"], space=world.engineering, body="Old rules")
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=9))
    services.post_create(author=world["alice"], space=world.engineering, body="Fresh news")
    services.post_pin(actor=world["ada"], post=old)
    client.force_login(world["alice"])
    html = client.get(reverse("feed_space_posts", args=[world.engineering.slug])).content.decode()
    assert html.index("Old rules") < html.index("Fresh news")
    assert html.count("Old rules") == 1
    assert "Pinned" in html


def test_read_divider_sits_where_read_posts_begin(client, world):
    posts = _many_posts(world, 4)
    services.posts_mark_read(viewer=world["alice"], post_ids=[posts[0].pk, posts[1].pk])
    client.force_login(world["alice"])
    html = client.get(reverse("feed"), {"space": world.engineering.slug}).content.decode()
    divider = html.index("You have seen the posts below")
    where = [html.index(f"Numbered post {n}.") for n in (3, 2, 1, 0)]
    assert where[0] < where[1] < divider < where[2] < where[3]
    page = selectors.feed_page(world["alice"], space=world.engineering)
    assert page.marker_index == 2


def test_no_divider_when_nothing_was_read(client, world):
    _many_posts(world, 3)
    client.force_login(world["alice"])
    html = client.get(reverse("feed")).content.decode()
    assert "read-divider" not in html


# ---------------------------------------------------------------- writing through pages


def test_compose_a_post_from_the_feed(client, world):
    client.force_login(world["alice"])
    response = client.post(
        reverse("feed_post_create"),
        {"space": world.engineering.slug, "body": "Hello **team**", "next": "/feed/"},
    )
    assert response.status_code == 302 and response["Location"] == "/feed/"
    html = client.get("/feed/").content.decode()
    assert "Hello <strong>team</strong>" in html


def test_composer_keeps_the_text_when_refused(client, world):
    client.force_login(world["alice"])
    response = client.post(
        reverse("feed_post_create"), {"space": world.company.slug, "body": "Company news"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "You cannot post in that space." in html and "Company news" in html
    assert not Post.objects.filter(body="Company news").exists()


def test_composer_refuses_an_off_site_next(client, world):
    client.force_login(world["alice"])
    response = client.post(
        reverse("feed_post_create"),
        {"space": world.engineering.slug, "body": "x", "next": "https://evil.example/"},
    )
    assert response["Location"].startswith("/posts/")


def test_reaction_button_swaps_the_partial(client, world):
    post = world.posts["private"]
    client.force_login(world["alice"])
    url = reverse("feed_post_react", args=[post.pk])
    response = client.post(url, {"emoji": "tada"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'value="tada" class="reaction mine" aria-pressed="true"' in html
    bad = client.post(url, {"emoji": "nope"}, headers={"HX-Request": "true"})
    assert bad.status_code == 400 and "not available" in bad.content.decode()
    plain = client.post(url, {"emoji": "tada", "next": "/feed/"})
    assert plain.status_code == 302 and plain["Location"] == "/feed/"
    assert not Reaction.objects.filter(post=post, user=world["alice"], emoji="tada").exists()


def test_post_page_controls_follow_the_rules(client, world):
    post = world.posts["private"]
    edit, pin = reverse("feed_post_edit", args=[post.pk]), reverse("feed_post_pin", args=[post.pk])
    client.force_login(world["alice"])
    html = client.get(reverse("feed_post", args=[post.pk])).content.decode()
    assert edit in html and pin not in html and "Read by department" in html
    client.force_login(world["carol"])
    html = client.get(reverse("feed_post", args=[post.pk])).content.decode()
    assert edit not in html and pin in html and "Read by department" not in html
    assert client.get(edit).status_code == 404


def test_edit_page_and_history(client, world):
    post = world.posts["private"]
    client.force_login(world["alice"])
    response = client.post(reverse("feed_post_edit", args=[post.pk]), {"body": "Changed plans"})
    assert response.status_code == 302
    history = client.get(reverse("feed_post_history", args=[post.pk])).content.decode()
    assert "Changed plans" in history and "<strong>Falcon</strong>" in history
    client.force_login(world["carol"])
    assert client.get(reverse("feed_post_history", args=[post.pk])).status_code == 200
    client.force_login(world["olga"])
    assert client.get(reverse("feed_post_history", args=[post.pk])).status_code == 200


def test_comment_and_reply_through_the_page(client, world):
    post = world.posts["private"]
    client.force_login(world["alice"])
    url = reverse("feed_comment_create", args=[post.pk])
    client.post(url, {"body": "Top level"})
    top = post.comments.get(body="Top level")
    response = client.post(url, {"body": "A reply", "parent": top.pk})
    assert response.status_code == 302
    assert post.comments.get(body="A reply").parent == top
    empty = client.post(url, {"body": ""}, follow=True)
    assert "Write something first." in empty.content.decode()
    gone = client.post(url, {"body": "x", "parent": 999999}, follow=True)
    assert "The comment you replied to is gone." in gone.content.decode()


def test_delete_from_the_page(client, world):
    post = world.posts["private"]
    client.force_login(world["carol"])
    response = client.post(reverse("feed_post_delete", args=[post.pk]))
    assert response.status_code == 302
    client.force_login(world["alice"])
    assert client.get(reverse("feed_post", args=[post.pk])).status_code == 404


# ---------------------------------------------------------------- reads endpoint


def test_read_endpoint_records_and_rejects_bad_input(client, world):
    post = world.posts["private"]
    client.force_login(world["alice"])
    url = reverse("feed_read")
    ok = client.post(url, {"posts": [post.pk]}, content_type="application/json")
    assert ok.json() == {"recorded": 1}
    again = client.post(url, {"posts": [post.pk]}, content_type="application/json")
    assert again.status_code == 200
    assert PostRead.objects.filter(post=post).count() == 1
    for body in ('{"posts": "1"}', "not json", '{"posts": [true]}', "[1]", '{"posts": [-5]}'):
        bad = client.post(url, body, content_type="application/json")
        assert bad.status_code in {200, 400}
        if bad.status_code == 200:
            assert bad.json() == {"recorded": 0}
        else:
            assert "detail" in bad.json()
    too_many = client.post(url, {"posts": list(range(1, 300))}, content_type="application/json")
    assert too_many.status_code == 400
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("path", ["/", "/feed/"])
def test_pages_carry_the_read_script_and_unread_markers(client, world, path):
    client.force_login(world["alice"])
    html = client.get(path).content.decode()
    assert "js/feed.js" in html
    assert f'data-post-id="{world.posts["private"].pk}" data-unread' in html
    assert 'data-read-url="/feed/read/"' in html


def test_space_page_loads_the_space_feed_partial(client, world):
    client.force_login(world["alice"])
    group = world.groups["secret"]
    response = client.get(
        reverse("feed_space_posts", args=[group.slug]), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "<strong>Falcon</strong>" in html
    assert f'name="next" value="{reverse("spaces_detail", args=[group.slug])}"' in html
    assert response["Vary"].count("HX-Request") == 1


def test_out_of_range_ids_are_not_found(client, world):
    client.force_login(world["alice"])
    huge = 10**30
    assert client.get(f"/posts/{huge}/").status_code == 404
    assert client.post(f"/comments/{huge}/react/", {"emoji": "tada"}).status_code == 404
    assert client.post(f"/posts/{huge}/comments/", {"body": "x"}).status_code == 404
