"""OpenGraph for library items, against a real web server on loopback."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rallypoint.advocacy.opengraph import OpenGraphError, og_fetch
from rallypoint.advocacy.tests.library_fixtures import Library, build_library
from rallypoint.feed.tests import test_previews
from rallypoint.feed.tests.test_previews import reply

# The feed tests' web server on loopback, which the outbound client may reach.
site = test_previews.site


@pytest.fixture
def library(db) -> Library:
    return build_library()


ARTICLE = b"""<!doctype html><html><head><meta charset="utf-8">
<title>Fallback</title>
<meta property="og:title" content="Our  new
  plant &amp; its roof">
<meta property="og:description" content="Solar panels on   every roof.">
<meta property="og:site_name" content="Northwind News">
<meta property="og:image" content="/images/plant.jpg?size=large">
</head><body><meta property="og:title" content="ignored"></body></html>"""

TWITTER = b"""<html><head><title>  Plain   title </title>
<meta name="description" content="From the meta description">
<meta name="twitter:image" content="https://cdn.example/card.png">
</head></html>"""

HOSTILE = b"""<html><head>
<meta property="og:title" content="<script>alert(1)</script>Title">
<meta property="og:image" content="javascript:alert(2)">
</head></html>"""


def test_opengraph_tags_are_read_as_plain_text(site):
    server = site({"/story": reply(ARTICLE)})
    found = og_fetch(server.url("/story"))
    assert found.title == "Our new plant & its roof"
    assert found.description == "Solar panels on every roof."
    assert found.site_name == "Northwind News"
    assert found.image_url == server.url("/images/plant.jpg?size=large")


def test_title_and_description_fall_back_and_site_is_the_host(site):
    server = site({"/plain": reply(TWITTER)})
    found = og_fetch(server.url("/plain"))
    assert found.title == "Plain title"
    assert found.description == "From the meta description"
    assert found.image_url == "https://cdn.example/card.png"
    assert found.site_name == "127.0.0.1"


def test_script_stays_text_and_a_javascript_image_is_dropped(site):
    server = site({"/x": reply(HOSTILE)})
    found = og_fetch(server.url("/x"))
    assert found.title == "<script>alert(1)</script>Title"
    assert found.image_url == ""


def test_long_values_are_cut(site):
    page = b"<html><head><meta property='og:title' content='" + b"w" * 900 + b"'></head></html>"
    server = site({"/long": reply(page)})
    assert len(og_fetch(server.url("/long")).title) == 300


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (reply(b"{}", headers={"Content-Type": "application/json"}), "not a web page"),
        (reply(b"gone", status=410), "status 410"),
    ],
)
def test_pages_that_cannot_be_used(site, route, message):
    server = site({"/p": route})
    with pytest.raises(OpenGraphError, match=message):
        og_fetch(server.url("/p"))


def test_private_addresses_and_other_schemes_are_refused(settings):
    settings.OUTBOUND_ALLOW_NETWORKS = []
    with pytest.raises(OpenGraphError):
        og_fetch("http://127.0.0.1:9/")
    with pytest.raises(OpenGraphError, match="http"):
        og_fetch("file:///etc/passwd")


def test_preview_endpoint_for_curators_only(client, site, library: Library):
    server = site({"/story": reply(ARTICLE)})
    url = reverse("advocacy_og_preview")
    client.force_login(library["eli"])
    assert client.get(url, {"url": server.url("/story")}).status_code == 404
    client.force_login(library["nico"])
    answer = client.get(url, {"url": server.url("/story")})
    assert answer.status_code == 200
    assert answer.json()["title"] == "Our new plant & its roof"
    failed = client.get(url, {"url": server.url("/missing")})
    assert failed.status_code == 422
    assert "status 404" in failed.json()["detail"]
    assert client.get(url, {"url": "nonsense"}).status_code == 422


def test_a_link_suggestion_without_title_takes_the_page_title(site, library: Library):
    from rallypoint.advocacy import services

    server = site({"/story": reply(ARTICLE)})
    item = services.item_submit(user=library["eli"], kind="link", url=server.url("/story"))
    assert item.title == "Our new plant & its roof"
    assert item.site_name == "Northwind News"
    assert item.image_url.endswith("/images/plant.jpg?size=large")
