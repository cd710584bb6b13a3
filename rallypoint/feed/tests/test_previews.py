"""Link previews against a real web server on loopback: OpenGraph and plain pages, hostile
titles, errors, limits, a redirect to a private address, and reuse of a fresh preview."""

from __future__ import annotations

import datetime
import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.feed import previews, services
from rallypoint.feed.models import LinkPreview, Post

Route = Callable[[BaseHTTPRequestHandler], None]

OPENGRAPH = b"""<!doctype html><html><head>
<meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Quarterly &amp; yearly plan">
<meta property="og:description" content="What we   will build
 next, in short.">
<meta property="og:site_name" content="Northwind Intranet">
<meta property="og:image" content="http://127.0.0.1/tracker.png">
</head><body><h1>Body</h1></body></html>"""

PLAIN = b"""<html><head><title> Plain  page </title>
<meta name="description" content="Described by a meta tag"></head><body>
<meta property="og:title" content="Ignored: inside the body"></body></html>"""

XSS = b"""<html><head>
<meta property="og:title" content="<script>alert('t')</script><img src=x onerror=alert(1)>">
<meta property="og:description" content="&lt;b onmouseover=alert(2)&gt;bold&lt;/b&gt;">
<meta property="og:site_name" content='"><svg onload=alert(3)>'>
</head></html>"""


def reply(body: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        sent = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))}
        for name, value in {**sent, **(headers or {})}.items():
            h.send_header(name, value)
        h.end_headers()
        h.wfile.write(body)

    return route


def slow(delay: float) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        reply(OPENGRAPH)(h)

    return route


@dataclass
class Server:
    httpd: ThreadingHTTPServer
    paths: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """The client hangs up on purpose (time and size limits)."""


@pytest.fixture
def site(settings) -> Iterator[Callable[[dict[str, Route]], Server]]:
    """A web server on loopback that the outbound client is allowed to reach."""
    started: list[Server] = []

    def start(routes: dict[str, Route]) -> Server:
        server: Server

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                routes.get(self.path, reply(b"not here", status=404))(self)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        server = Server(QuietServer(("127.0.0.1", 0), Handler))
        threading.Thread(target=server.httpd.serve_forever, args=(0.05,), daemon=True).start()
        settings.OUTBOUND_ALLOW_NETWORKS = ["127.0.0.1/32"]
        settings.OUTBOUND_ALLOWED_PORTS = [80, 443, server.httpd.server_address[1]]
        started.append(server)
        return server

    yield start
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture
def publish(world, django_capture_on_commit_callbacks) -> Callable[..., Post]:
    """Post in the private group and run what waits for the commit (the fetch job)."""

    def post(body: str, author: str = "alice") -> Post:
        with django_capture_on_commit_callbacks(execute=True):
            created = services.post_create(
                author=world[author], space=world.groups["private"], body=body
            )
        created.refresh_from_db()
        return created

    return post


# ---------------------------------------------------------------- finding the link


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("See https://a.example/x.", "https://a.example/x"),
        ("Read (https://wiki.example/A_(b)) now", "https://wiki.example/A_(b)"),
        ("`https://code.example/` then http://real.example/p?q=1", "http://real.example/p?q=1"),
        (
            "```\nhttps://fenced.example/\n```\n\nand https://after.example/",
            "https://after.example/",
        ),
        ("    https://indented.example/ is code", None),
        ("[docs](https://docs.example/page) and https://b.example/", "https://docs.example/page"),
        ("[mail](mailto:a@example.com) ftp://files.example/ javascript:alert(1)", None),
        ("No link here.", None),
    ],
)
def test_first_link_skips_code(text, link):
    assert previews.first_link(text) == link


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://Example.COM:443/Path?a=1#top", "https://example.com/Path?a=1"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://bücher.example/", "https://xn--bcher-kva.example/"),
        ("http://user:secret@example.com/", None),
        ("http://exa mple.com/", None),
        ("https://", None),
    ],
)
def test_addresses_are_normalised(url, normal):
    assert previews.normalise_url(url) == normal


# ---------------------------------------------------------------- fetching


def test_opengraph_page_becomes_a_preview(client, world, site, publish):
    server = site({"/plan": reply(OPENGRAPH)})
    post = publish(f"Our plan: {server.url('/plan')}")
    preview = post.link_preview
    assert preview is not None and preview.status == LinkPreview.Status.READY
    assert preview.url_hash == hashlib.sha256(server.url("/plan").encode()).hexdigest()
    assert preview.title == "Quarterly & yearly plan"
    assert preview.description == "What we will build next, in short."
    assert preview.site_name == "Northwind Intranet"
    assert preview.fetched_at is not None and not preview.error
    client.force_login(world["alice"])
    for url in (reverse("feed_post", args=[post.pk]), reverse("feed")):
        html = client.get(url).content.decode()
        assert (
            f'<a href="{server.url("/plan")}" rel="noopener noreferrer nofollow" '
            'target="_blank">Quarterly &amp; yearly plan</a>'
        ) in html
        assert "Northwind Intranet" in html and "What we will build next" in html
        # Remote pictures are never loaded by the reader's browser.
        assert "tracker.png" not in html
    assert server.paths == ["/plan"]


def test_title_and_description_without_opengraph(site, publish):
    server = site({"/plain": reply(PLAIN)})
    preview = publish(f"Look {server.url('/plain')}").link_preview
    assert preview.status == LinkPreview.Status.READY
    assert (preview.title, preview.description) == ("Plain page", "Described by a meta tag")
    assert preview.site_name == "127.0.0.1"


def test_long_texts_are_cut_to_the_fields(site, publish):
    page = (
        b'<head><meta property="og:title" content="' + b"T" * 900 + b'">'
        b'<meta property="og:description" content="' + b"D" * 5000 + b'"></head>'
    )
    server = site({"/long": reply(page)})
    preview = publish(server.url("/long")).link_preview
    assert len(preview.title) == 300 and preview.title.endswith("…")
    assert len(preview.description) == 1000


def test_hostile_markup_is_stored_as_text_and_shown_escaped(client, world, site, publish):
    server = site({"/xss": reply(XSS)})
    post = publish(f"Careful {server.url('/xss')}")
    preview = post.link_preview
    assert preview.title == "<script>alert('t')</script><img src=x onerror=alert(1)>"
    assert preview.description == "<b onmouseover=alert(2)>bold</b>"
    client.force_login(world["carol"])
    html = client.get(reverse("feed_post", args=[post.pk])).content.decode()
    assert (
        "&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        in html
    )
    assert "&lt;b onmouseover=alert(2)&gt;bold&lt;/b&gt;" in html
    assert "&quot;&gt;&lt;svg onload=alert(3)&gt;" in html
    for raw in ("<script>alert", "<img src=x", "<b onmouseover", "<svg onload"):
        assert raw not in html


@pytest.mark.parametrize(
    ("routes", "path", "reason"),
    [
        ({}, "/missing", "status 404"),
        (
            {"/data": reply(b"{}", headers={"Content-Type": "application/json"})},
            "/data",
            "not a web page",
        ),
        ({"/untitled": reply(b"<html><body>no head</body></html>")}, "/untitled", "no title"),
    ],
)
def test_pages_that_cannot_be_previewed_fail_with_a_reason(
    client, world, site, publish, routes, path, reason
):
    server = site(routes)
    post = publish(f"Link {server.url(path)}")
    preview = post.link_preview
    assert preview.status == LinkPreview.Status.FAILED and reason in preview.error
    client.force_login(world["alice"])
    assert (
        'class="link-preview"'
        not in client.get(reverse("feed_post", args=[post.pk])).content.decode()
    )


def test_slow_and_oversized_pages_fail(site, publish, settings):
    settings.OUTBOUND_TIMEOUT_SECONDS = 1
    settings.OUTBOUND_MAX_BYTES = 10_000
    big = b"<html><head><title>Big</title></head><body>" + b"x" * 50_000 + b"</body></html>"
    server = site({"/slow": slow(3), "/big": reply(big)})
    started = time.monotonic()
    slow_preview = publish(server.url("/slow")).link_preview
    assert time.monotonic() - started < 2.5
    assert slow_preview.status == LinkPreview.Status.FAILED and slow_preview.error
    big_preview = publish(server.url("/big")).link_preview
    assert big_preview.status == LinkPreview.Status.FAILED and big_preview.error


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://[::1]/"]
)
def test_redirect_to_a_private_address_is_refused(site, publish, target):
    server = site({"/go": reply(b"", status=302, headers={"Location": target})})
    preview = publish(f"Go {server.url('/go')}").link_preview
    assert preview.status == LinkPreview.Status.FAILED
    assert preview.error and not preview.title
    assert server.paths == ["/go"]


# ---------------------------------------------------------------- reuse


def test_a_link_shared_by_many_posts_is_fetched_once(site, publish, world):
    server = site({"/shared": reply(OPENGRAPH)})
    posts = [publish(f"Post {n} {server.url('/shared')}") for n in range(30)]
    assert server.paths == ["/shared"]
    assert LinkPreview.objects.count() == 1
    assert {p.link_preview_id for p in posts} == {posts[0].link_preview_id}
    # Once stale, the next post refreshes it; a failure keeps the text read before.
    LinkPreview.objects.update(fetched_at=timezone.now() - datetime.timedelta(hours=25))
    publish(f"Again {server.url('/shared')}")
    assert server.paths == ["/shared", "/shared"]


def test_a_stale_preview_that_fails_keeps_its_text(site, publish):
    server = site({"/page": reply(OPENGRAPH)})
    preview = publish(server.url("/page")).link_preview
    LinkPreview.objects.update(fetched_at=timezone.now() - datetime.timedelta(hours=25))
    server.httpd.shutdown()
    server.httpd.server_close()
    previews.link_preview_refresh(preview_id=preview.pk)
    preview.refresh_from_db()
    assert preview.status == LinkPreview.Status.READY and preview.title == "Quarterly & yearly plan"
    assert preview.error


def test_editing_a_post_follows_its_new_first_link(
    world, site, publish, django_capture_on_commit_callbacks
):
    server = site({"/a": reply(OPENGRAPH), "/b": reply(PLAIN)})
    post = publish(f"First {server.url('/a')}")
    first = post.link_preview
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(
            actor=world["alice"], post=post, body=f"Now `{server.url('/a')}` {server.url('/b')}"
        )
    post.refresh_from_db()
    assert post.link_preview != first and post.link_preview.title == "Plain page"
    with django_capture_on_commit_callbacks(execute=True):
        services.post_edit(actor=world["alice"], post=post, body="No link any more")
    post.refresh_from_db()
    assert post.link_preview is None
    assert server.paths == ["/a", "/b"]


def test_previews_of_private_posts_stay_private(client, world, site, publish):
    server = site({"/plan": reply(OPENGRAPH)})
    post = publish(f"Secret plan {server.url('/plan')}")
    for key in ("bob", "ada"):
        client.force_login(world[key])
        for url in (reverse("feed"), "/", reverse("feed_post", args=[post.pk])):
            assert "Quarterly" not in client.get(url).content.decode()
