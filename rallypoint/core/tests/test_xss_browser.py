"""The XSS corpus on the real pages of the running app, in Chromium: nothing runs.

Every payload of ``xss_payloads.txt`` is written where people can put text:

- as a post's Markdown and as a comment's Markdown;
- as a person's display name, which the app shows as a post's and a comment's author, in
  mentions (``@[Name](id)``), in the notifications list, in the people directory, on the
  profile page and in search results; the person's short bio carries it too;
- as the title, description and site name of a link preview;
- in the text around a searched word, so that it comes back in search snippets.

Each page is then loaded from the live server and checked: no dialog opened, the flag the
payloads set (``window.__xss``) is unset, no script error or console error, no element
carries an event handler attribute (``on*``, ``hx-on*``), no link or frame points at a scheme other
than http(s) or mailto, no request left for another origin, no element that could run or
load a document (``iframe``, ``object``, ``embed``, ``base``, ``frame``) is on the page, and
every ``<script>`` is one of the app's own files. Many payloads share a page (the feed
grows by "Older posts", one post holds every comment, everyone reports to the viewer, so
one profile lists every name); own profile pages are opened for the payloads aimed at
raw-text elements such as <title> and for every fourth of the rest. About a hundred page
loads in all.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator

import pytest

from conftest import sign_in
from rallypoint.core.http import OutboundError
from rallypoint.core.tests.test_markdown import PAYLOADS
from rallypoint.feed import previews, services
from rallypoint.feed.models import Comment, LinkPreview, Post
from rallypoint.people.models import Department, User
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PASSWORD = "xss-corpus-browser-pw"
# Words written next to each payload, searched for to bring the payloads back as snippets.
POST_WORD = "quokkapost"
COMMENT_WORD = "quokkacomment"
BIO_WORD = "quokkabio"
# Elements whose content the HTML parser reads as text: attacks that try to close them.
RAW_TEXT = re.compile(r"title|textarea|style|noscript|xmp|plaintext|noembed|template|<!--", re.I)
SENTINEL = "window.__xss = 1; alert(1)"
FORBIDDEN = "iframe, object, embed, frame, frameset, base, body meta, body link"

_INSPECT = """forbidden => {
  const URL_ATTRIBUTES = ['href', 'xlink:href', 'src', 'srcset', 'action', 'formaction',
                          'data', 'poster', 'background', 'srcdoc'];
  const all = [...document.querySelectorAll('*')];
  return {
    flag: window.__xss === undefined ? null : String(window.__xss),
    handlers: all.flatMap(el => [...el.attributes]
        .filter(a => a.name.startsWith('on') || a.name.startsWith('hx-on')
                     || a.name.startsWith('data-hx-on'))
        .map(a => el.tagName.toLowerCase() + '[' + a.name + ']')),
    links: all.flatMap(el => URL_ATTRIBUTES.filter(name => el.hasAttribute(name))
        .map(name => el.getAttribute(name))
        .filter(value => { try { return !['http:', 'https:', 'mailto:']
            .includes(new URL(value, location.href).protocol); } catch (e) { return false; } })),
    forbidden: [...document.querySelectorAll(forbidden)].map(el => el.outerHTML.slice(0, 120)),
    scripts: [...document.scripts].map(s => s.src ? new URL(s.src).pathname : 'inline:'
        + s.type + ':' + s.textContent.slice(0, 60)),
  };
}"""


def _flat(text: str) -> str:
    return " ".join(text.split())


class Watch:
    """A signed-in browser page whose dialogs, script errors and foreign requests are
    recorded (a script error or an error on the console, such as a refused resource,
    fails the check), and whose documents are inspected after each load."""

    def __init__(self, context, origin: str) -> None:
        self.origin = origin
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.loads = 0
        self.found: dict[str, set[int]] = {}

        def route(r) -> None:
            url = r.request.url
            if url.startswith(origin + "/") or url == origin:
                r.continue_()
            else:
                self.foreign.append(url)
                r.abort()

        context.route("**/*", route)
        self.page = context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str, settle: int = 50) -> dict:
        response = self.page.goto(path, wait_until="load")
        assert response is not None and response.status == 200, (path, response)
        self.loads += 1
        return self.check(path, settle=settle)

    def check(self, where: str, settle: int = 50) -> dict:
        # Handlers such as onerror fire by the load event; the pause lets timers,
        # animations and fetches that a payload might start run out. Pages showing many
        # payloads at once wait longer.
        self.page.wait_for_timeout(settle)
        seen = self.page.evaluate(_INSPECT, FORBIDDEN)
        assert seen["flag"] is None, f"a payload ran on {where}"
        assert self.dialogs == [], f"a dialog opened on {where}: {self.dialogs}"
        assert self.errors == [], f"a script error on {where}: {self.errors}"
        assert seen["handlers"] == [], f"handler attributes on {where}: {seen['handlers']}"
        assert seen["links"] == [], f"unsafe links on {where}: {seen['links']}"
        assert seen["forbidden"] == [], f"unexpected elements on {where}: {seen['forbidden']}"
        assert all(s.startswith("/static/") for s in seen["scripts"]), (where, seen["scripts"])
        assert self.foreign == [], f"requests to other origins from {where}: {self.foreign}"
        return seen

    def note(self, context: str, selector: str, prefix: str = "") -> int:
        """Record which payloads some ``selector`` element of this page shows exactly
        (after ``prefix``, whitespace collapsed): escaped, neither dropped nor rewritten.
        Returns how many elements matched ``selector``."""
        texts = {_flat(text) for text in self.page.locator(selector).all_text_contents()}
        found = {i for i, payload in enumerate(PAYLOADS) if _flat(prefix + payload) in texts}
        self.found.setdefault(context, set()).update(found)
        return self.page.locator(selector).count()

    def pages(self, path: str) -> Iterator[dict]:
        """``path`` and the pages after it, following rel="next" links."""
        page = 1
        while True:
            yield self.open(f"{path}{'&' if '?' in path else '?'}page={page}", settle=300)
            if not self.page.locator("a[rel='next']").count():
                return
            page += 1


@pytest.fixture
def corpus(transactional_db, monkeypatch) -> dict:
    """A viewer, and one person per payload with a post, a comment and a link preview."""

    def offline(*args, **kwargs):
        raise OutboundError("no network in this test")

    # Posts whose payload holds an address would queue a real fetch; the previews shown
    # here are written directly instead.
    monkeypatch.setattr(previews, "safe_get", offline)
    team = Department.objects.create(name="Quokka", slug="quokka")
    viewer = User.objects.create_user(
        "viewer@example.com", PASSWORD, display_name="Vera Quinn", department=team
    )
    people = [
        User.objects.create_user(
            f"payload{i}@example.com",
            PASSWORD,
            display_name=payload,
            job_title="Tester",
            bio=f"{BIO_WORD} {payload}",
            department=team,
            manager=viewer,
        )
        for i, payload in enumerate(PAYLOADS)
    ]
    directory_spaces_reconcile()
    space = Space.objects.get(kind=Space.Kind.DEPARTMENT, name="Quokka")
    board = services.post_create(author=viewer, space=space, body="Comment board")
    posts = []
    for i, (person, payload) in enumerate(zip(people, PAYLOADS, strict=True)):
        post = services.post_create(
            author=person,
            space=space,
            body=f"@[Vera]({viewer.pk}) @[x]({person.pk}) {POST_WORD}\n\n{payload}",
        )
        services.comment_create(author=person, post=board, body=f"{COMMENT_WORD}\n\n{payload}")
        url = f"https://example.com/preview/{i}"
        preview = LinkPreview.objects.create(
            url=url,
            url_hash=hashlib.sha256(url.encode()).hexdigest(),
            status=LinkPreview.Status.READY,
            title=payload,
            description=payload,
            site_name=payload,
        )
        Post.objects.filter(pk=post.pk).update(link_preview=preview)
        posts.append(post)
    assert Comment.objects.filter(post=board).count() == len(PAYLOADS)
    return {"viewer": viewer, "people": people, "posts": posts, "board": board}


@pytest.fixture
def watch(browser, live_app) -> Iterator[Watch]:
    context = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    watched = Watch(context, live_app)
    yield watched
    context.close()


def test_detector_notices_a_script_on_a_real_page(watch, live_app, transactional_db) -> None:
    """The checks can fail: a handler slipped into a served page is caught."""
    User.objects.create_user("detector@example.com", PASSWORD, display_name="Dee Tector")
    sign_in(watch.page, "detector@example.com", PASSWORD)
    watch.open("/people/")
    watch.page.evaluate(
        """html => document.querySelector('main').insertAdjacentHTML('beforeend', html)""",
        f'<img src="/static/missing-{time.time_ns()}.png" onerror="{SENTINEL}">',
    )
    watch.page.wait_for_function("window.__xss === 1")
    with pytest.raises(AssertionError, match="a payload ran"):
        watch.check("a tampered page")
    assert watch.dialogs == ["alert: 1"]


def test_corpus_runs_nothing_on_the_real_pages(corpus, watch) -> None:
    started = time.monotonic()
    everyone = set(range(len(PAYLOADS)))
    assert len(PAYLOADS) >= 100
    sign_in(watch.page, corpus["viewer"].email, PASSWORD)

    # The home feed: posts (Markdown, author, mention) and link previews, page after page
    # added by htmx into the same document.
    watch.open("/feed/")
    more = watch.page.locator(".load-more a")
    while more.count():
        before = watch.page.locator("article.post").count()
        more.first.click()
        watch.page.wait_for_function(f"document.querySelectorAll('article.post').length > {before}")
        watch.check("the feed after loading older posts", settle=300)
    assert watch.page.locator("article.post").count() == len(PAYLOADS) + 1
    watch.found["post body"] = everyone
    watch.note("post author", "article.post .post-author")
    # Each post mentions its author: the link shows the author's current name.
    watch.note("mention", "article.post .post-body a[href^='/people/']", prefix="@")
    assert watch.note("link preview title", ".link-preview-title a") == len(PAYLOADS)
    watch.note("link preview description", ".link-preview-description")
    watch.note("link preview site", ".link-preview-site")

    # One post with every payload as a comment, each by a person named with a payload.
    watch.open(f"/posts/{corpus['board'].pk}/", settle=1000)
    assert watch.page.locator("#comments .comment").count() == len(PAYLOADS)
    watch.found["comment body"] = everyone
    watch.note("comment author", "#comments .comment-author")
    # A post's own page: its Markdown, author, mention and preview in the single layout.
    for post in corpus["posts"][:10]:
        watch.open(f"/posts/{post.pk}/")

    # Notifications: each person mentioned the viewer and commented on the viewer's post.
    for _seen in watch.pages("/notifications/"):
        watch.note("notification actor", ".notification-text strong")

    # The people directory and every profile (a profile lists the person's teammates too).
    for _seen in watch.pages("/people/"):
        watch.note("directory", ".person-name")
    # Everyone reports to the viewer: their profile lists every name.
    watch.open(f"/people/{corpus['viewer'].pk}/", settle=1000)
    watch.note("profile (direct reports)", "#reports-heading + .people-list a")
    # Own profile pages (the name in the heading and the page's <title>): every payload
    # aimed at raw-text elements, and every fourth of the rest, to keep the run short.
    visited = set()
    for i, person in enumerate(corpus["people"]):
        if i % 4 and not RAW_TEXT.search(PAYLOADS[i]):
            continue
        visited.add(i)
        watch.open(f"/people/{person.pk}/")
        watch.note("profile (own page heading)", "main h1")
        watch.found.setdefault("profile (own page title)", set()).add(
            PAYLOADS.index(person.display_name)
        )
        assert _flat(watch.page.title()).startswith(_flat(person.display_name))

    # Search: names in results, payloads in the snippets next to the searched word.
    for word, kind in ((POST_WORD, "post"), (COMMENT_WORD, "comment"), (BIO_WORD, "person")):
        marked = 0
        for _seen in watch.pages(f"/search/?q={word}"):
            marked += watch.page.locator(f".search-hit-{kind} .search-snippet mark").count()
            if kind == "person":
                watch.note("search result (person name)", ".search-hit-person h2")
            else:
                watch.note(
                    f"search result ({kind} author)", f".search-hit-{kind} .search-hit-kind a"
                )
        assert marked == len(PAYLOADS), (word, marked)
        watch.found[f"search snippet ({kind})"] = everyone

    elapsed = time.monotonic() - started
    combinations = sum(len(found) for found in watch.found.values())
    report = ", ".join(f"{name} {len(found)}" for name, found in sorted(watch.found.items()))
    print(
        f"\n{combinations} payload-context combinations on {watch.loads} pages in "
        f"{elapsed:.0f}s: {report}"
    )
    missing = {
        context: [PAYLOADS[i] for i in sorted(everyone - found)]
        for context, found in watch.found.items()
        if found != everyone and not context.startswith("profile (own")
    }
    assert missing == {}
    assert watch.found["profile (own page heading)"] == visited
    assert watch.found["profile (own page title)"] == visited
    assert len(watch.found) == 19
