"""The search page, the box in the top bar and the API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from rallypoint.api.services import token_create
from rallypoint.feed import services
from rallypoint.search.tests.conftest import SearchWorld
from rallypoint.spaces.models import Space


def test_the_top_bar_has_a_search_box(client, sworld: SearchWorld) -> None:
    client.force_login(sworld["alice"])
    html = client.get(reverse("feed")).content.decode()
    assert 'role="search"' in html and f'action="{reverse("search")}"' in html


def test_the_page_shows_tabs_counts_snippets_and_links(client, sworld: SearchWorld) -> None:
    client.force_login(sworld["alice"])
    response = client.get(reverse("search"), {"q": "zebra"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="card search-hit') == 14
    assert "<mark>Zebra</mark>" in html
    post = sworld.posts[Space.Kind.SECRET]
    comment = sworld.comments[Space.Kind.SECRET]
    assert f'href="/posts/{post.pk}/"' in html
    assert f'href="/posts/{post.pk}/#comment-{comment.pk}"' in html
    assert re.search(r"Posts <span class=\"search-count\">7</span>", html)
    people = client.get(reverse("search"), {"q": "alice", "kind": "person"}).content.decode()
    assert f'href="/people/{sworld["alice"].pk}/"' in people
    spaces = client.get(reverse("search"), {"q": "zeta", "kind": "space"}).content.decode()
    assert 'href="/spaces/' in spaces and "<mark>Zeta</mark>" in spaces


def test_the_space_filter_offers_only_readable_spaces(client, sworld: SearchWorld) -> None:
    secret = sworld.spaces[Space.Kind.SECRET]
    client.force_login(sworld["bob"])
    html = client.get(reverse("search"), {"q": "zebra"}).content.decode()
    assert secret.name not in html
    response = client.get(reverse("search"), {"q": "zebra", "space": secret.slug})
    assert response.status_code == 200
    assert "This search cannot be run." in response.content.decode()
    assert 'class="card search-hit' not in response.content.decode()
    client.force_login(sworld["alice"])
    html = client.get(reverse("search"), {"q": "zebra", "space": secret.slug}).content.decode()
    assert html.count('class="card search-hit') == 2


def test_empty_and_error_states(client, sworld: SearchWorld) -> None:
    client.force_login(sworld["alice"])
    assert "Type a few words" in client.get(reverse("search")).content.decode()
    assert (
        "Nothing matches"
        in client.get(reverse("search"), {"q": "nonexistentword"}).content.decode()
    )
    bad = client.get(
        reverse("search"), {"q": "zebra", "date_from": "2030-01-02", "date_to": "2030-01-01"}
    )
    assert "The start date is after the end date." in bad.content.decode()
    assert client.get(reverse("search"), {"q": "x", "author": "abc"}).status_code == 200
    assert client.get(reverse("search"), {"q": "x", "page": "999999"}).status_code == 200
    assert client.get(reverse("search"), {"q": "a\x00b"}).status_code == 200


def test_a_script_in_a_post_shows_as_text(client, sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    services.post_create(
        author=alice, space=sworld.spaces[Space.Kind.OPEN], body="Wombat <script>alert(1)</script>"
    )
    client.force_login(alice)
    html = client.get(reverse("search"), {"q": "wombat"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)" in html


def test_anonymous_visitors_are_sent_to_sign_in(client, db) -> None:
    response = client.get(reverse("search"), {"q": "x"})
    assert response.status_code == 302


@pytest.mark.parametrize("extra", [0, 12])
def test_the_page_makes_a_fixed_number_of_queries(
    client, sworld: SearchWorld, extra: int, django_assert_max_num_queries
) -> None:
    alice = sworld["alice"]
    for n in range(extra):
        post = services.post_create(
            author=alice, space=sworld.spaces[Space.Kind.OPEN], body=f"Zebra number {n}"
        )
        services.comment_create(author=sworld["carol"], post=post, body="zebra again")
    client.force_login(alice)
    space = sworld.spaces[Space.Kind.OPEN].slug
    with django_assert_max_num_queries(8):
        response = client.get(reverse("search"), {"q": "zebra", "space": space})
    assert response.status_code == 200


# ---------------------------------------------------------------- API


def _get(client, user, **params):
    _token, secret = token_create(user=user, name="search")
    return client.get("/api/v1/search", params, headers={"Authorization": f"Bearer {secret}"})


def test_api_search_answers_what_the_page_shows(client, sworld: SearchWorld) -> None:
    response = _get(client, sworld["bob"], q="zebra", limit=50)
    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"post": 5, "comment": 5, "person": 0, "space": 0}
    secret_post = sworld.posts[Space.Kind.SECRET].pk
    assert secret_post not in {item["id"] for item in body["items"] if item["kind"] == "post"}
    comment = next(item for item in body["items"] if item["kind"] == "comment")
    assert comment["url"].endswith(f"/posts/{comment['post_id']}/#comment-{comment['id']}")
    assert "<mark>" in comment["snippet_html"]
    assert comment["author"]["display_name"] == "Carol Moderator"


def test_api_filters_and_errors(client, sworld: SearchWorld) -> None:
    alice = sworld["alice"]
    secret = sworld.spaces[Space.Kind.SECRET]
    body = _get(client, alice, q="zebra", space=secret.slug, kind="comment").json()
    assert [item["id"] for item in body["items"]] == [sworld.comments[Space.Kind.SECRET].pk]
    assert _get(client, sworld["bob"], q="zebra", space=secret.slug).status_code == 422
    assert _get(client, alice, q="zebra", author=2**62).status_code == 422
    assert (
        _get(client, alice, q="zebra", date_from="2030-01-02", date_to="2030-01-01").status_code
        == 422
    )
    assert _get(client, alice, q='NEAR("(*').status_code == 200
    assert client.get("/api/v1/search", {"q": "zebra"}).status_code == 401
