"""The XSS corpus, rendered, in a real Chromium: nothing runs, nothing is fetched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rallypoint.core.markdown import render_markdown, sanitize
from rallypoint.core.tests.test_markdown import PAYLOADS

pytestmark = pytest.mark.browser

ORIGIN = "https://rallypoint.test"
SENTINEL = "window.__xss = 1; alert(1)"


class Watched:
    """A page served from a fake https origin, with every dialog and request recorded."""

    def __init__(self, page, body: str) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        document = (
            f'<!doctype html><html lang="en"><meta charset="utf-8"><body>{body}</body></html>'
        )

        def serve(route) -> None:
            if route.request.url == f"{ORIGIN}/":
                route.fulfill(status=200, content_type="text/html", body=document)
            else:
                self.requests.append(route.request.url)
                route.abort()

        def dialog(d) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.route("**/*", serve)
        page.goto(f"{ORIGIN}/")
        page.wait_for_timeout(1500)

    def xss_flag(self) -> object:
        return self.page.evaluate("window.__xss")

    def unsafe_links(self) -> list[str]:
        """Links whose target the browser itself parses to a scheme we do not allow.

        A target the browser cannot parse (``a.protocol`` is ``":"``) goes nowhere.
        """
        return self.page.evaluate(
            """() => [...document.querySelectorAll('a[href]')]
                .filter(a => !['http:', 'https:', 'mailto:', ':'].includes(a.protocol))
                .map(a => a.getAttribute('href'))"""
        )

    def handler_attributes(self) -> list[str]:
        return self.page.evaluate(
            """() => [...document.querySelectorAll('*')].flatMap(el =>
                [...el.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))"""
        )


@pytest.fixture
def context(browser) -> Iterator[object]:
    ctx = browser.new_context()
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def test_harness_sees_a_script_that_runs(context) -> None:
    """Without the renderer the same page notices the attack: the checks below can fail."""
    watched = Watched(context.new_page(), f'<img src="x" onerror="{SENTINEL}">')
    assert watched.xss_flag() == 1
    assert watched.dialogs == ["1"]
    assert watched.handler_attributes() == ["onerror"]


def test_rendered_corpus_runs_nothing_in_chromium(context) -> None:
    assert any("alert(1)" in p for p in PAYLOADS) and any("__xss" in p for p in PAYLOADS)
    body = "".join(
        f"<section>{render_markdown(payload)}</section><section>{sanitize(payload)}</section>"
        for payload in PAYLOADS
    )
    watched = Watched(context.new_page(), body)
    assert watched.page.locator("section").count() == 2 * len(PAYLOADS)
    assert watched.xss_flag() is None
    assert watched.dialogs == []
    assert watched.handler_attributes() == []
    assert watched.unsafe_links() == []
    assert watched.requests == []
