"""Markdown rendering: the formatting people expect, and nothing that can run.

``xss_payloads.txt`` holds one attack per line; ``\\n`` in a line stands for a line break
(reference definitions and fenced code need one).
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from rallypoint.core import markdown
from rallypoint.core.markdown import ALLOWED_TAGS, render_markdown, render_plain, sanitize

PAYLOADS = [
    line.replace("\\n", "\n")
    for line in (Path(__file__).parent / "xss_payloads.txt").read_text().splitlines()
    if line.strip()
]
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr"}
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "svg", "math", "style", "img", "form"}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href", "background"}


class Inspector(HTMLParser):
    """Collects what the browser would see: elements, attributes, nesting errors."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.open: list[str] = []
        self.unbalanced: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            self.unbalanced.append(tag)


def inspect(html: str) -> Inspector:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector


def assert_safe(html: str) -> None:
    found = inspect(html)
    assert not DANGEROUS_TAGS & set(found.tags), html
    assert set(found.tags) <= ALLOWED_TAGS, html
    for tag, name, value in found.attributes:
        assert not name.startswith("on"), html
        assert name not in {"style", "class", "id", "target", "srcdoc"}, html
        if name in URL_ATTRIBUTES:
            assert tag == "a" and name == "href", html
            scheme = urlsplit(value.strip()).scheme.lower()
            assert scheme in {"", "http", "https", "mailto"}, html
    assert not found.open and not found.unbalanced, html


def html_of(text: str) -> str:
    return str(render_markdown(text))


# ---------------------------------------------------------------- formatting


def test_paragraphs_and_line_breaks() -> None:
    assert html_of("one\ntwo\n\nthree") == "<p>one<br>\ntwo</p>\n<p>three</p>\n"


def test_emphasis_strong_and_strikethrough() -> None:
    assert html_of("*a* _b_ **c** ~~d~~") == (
        "<p><em>a</em> <em>b</em> <strong>c</strong> <s>d</s></p>\n"
    )


def test_lists() -> None:
    assert html_of("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    assert html_of("3. three\n4. four") == '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'


def test_links_carry_rel_and_title() -> None:
    assert html_of('[Rallypoint](https://example.com/a?b=1&c=2 "Home")') == (
        '<p><a href="https://example.com/a?b=1&amp;c=2" title="Home" '
        'rel="nofollow noopener noreferrer">Rallypoint</a></p>\n'
    )


def test_autolinks_mailto_and_relative_links() -> None:
    rendered = html_of("<https://example.com> [mail](mailto:hr@example.com) [space](/spaces/7/)")
    assert '<a href="https://example.com" rel="nofollow noopener noreferrer">' in rendered
    assert '<a href="mailto:hr@example.com" rel="nofollow noopener noreferrer">mail</a>' in rendered
    assert '<a href="/spaces/7/" rel="nofollow noopener noreferrer">space</a>' in rendered


def test_bare_urls_stay_text() -> None:
    assert html_of("see https://example.com") == "<p>see https://example.com</p>\n"


def test_links_with_other_schemes_stay_as_typed() -> None:
    assert html_of("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>\n"
    assert html_of("[x](ftp://example.com)") == "<p>[x](ftp://example.com)</p>\n"


def test_code_is_escaped() -> None:
    assert html_of("`<b>` and\n\n```python\nif a < b:\n    pass\n```") == (
        "<p><code>&lt;b&gt;</code> and</p>\n<pre><code>if a &lt; b:\n    pass\n</code></pre>\n"
    )


def test_tables_with_alignment() -> None:
    assert html_of("| Name | Points |\n|:--|--:|\n| Ana | 12 |") == (
        '<table>\n<thead>\n<tr>\n<th align="left">Name</th>\n<th align="right">Points</th>\n'
        '</tr>\n</thead>\n<tbody>\n<tr>\n<td align="left">Ana</td>\n'
        '<td align="right">12</td>\n</tr>\n</tbody>\n</table>\n'
    )


def test_headings_are_demoted_below_the_page() -> None:
    assert html_of("# Big\n## Less\n#### Small") == "<h3>Big</h3>\n<h4>Less</h4>\n<h6>Small</h6>\n"


def test_quotes_and_rules() -> None:
    assert html_of("> said\n\n---") == "<blockquote>\n<p>said</p>\n</blockquote>\n<hr>\n"


def test_images_by_url_become_links() -> None:
    assert html_of("![chart](https://example.com/c.png)") == (
        '<p>!<a href="https://example.com/c.png" rel="nofollow noopener noreferrer">chart</a></p>\n'
    )


def test_raw_html_is_shown_as_text() -> None:
    assert html_of("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_empty_text() -> None:
    assert html_of("") == ""


def test_plain_rendering_for_one_line() -> None:
    assert render_plain("# Launch *day*\n\n- cake & [coffee](https://example.com)\n- <b>") == (
        "Launch day cake & coffee <b>"
    )


def test_template_filters() -> None:
    template = Template(
        "{% load rallypoint_markdown %}<div>{{ bio|markdown }}</div><i>{{ bio|markdown_plain }}</i>"
    )
    rendered = template.render(Context({"bio": "**Ops** & <b>on call</b>"}))
    assert rendered == (
        "<div><p><strong>Ops</strong> &amp; &lt;b&gt;on call&lt;/b&gt;</p>\n</div>"
        "<i>Ops &amp; &lt;b&gt;on call&lt;/b&gt;</i>"
    )


def test_plugins_extend_the_parser_and_stay_inside_the_allow_list(monkeypatch) -> None:
    """The extension point later features use: a plugin rule that reads and fills ``env``."""

    def shout(md: MarkdownIt) -> None:
        def rule(state: StateInline, silent: bool) -> bool:
            if state.src[state.pos] != "!" or not state.src.startswith("!!", state.pos):
                return False
            if not silent:
                token = state.push("html_inline", "", 0)
                token.content = f'<strong onclick="x()">{state.env["word"]}</strong>'
                state.env.setdefault("shouted", 0)
                state.env["shouted"] += 1
            state.pos += 2
            return True

        md.inline.ruler.before("emphasis", "shout", rule)

    monkeypatch.setattr(markdown, "PLUGINS", [*markdown.PLUGINS, shout])
    markdown.parser.cache_clear()
    try:
        env: dict[str, object] = {"word": "hey"}
        rendered = str(render_markdown("say !! now", env=env))
        assert rendered == "<p>say <strong>hey</strong> now</p>\n"
        assert env["shouted"] == 1
    finally:
        markdown.parser.cache_clear()


# ---------------------------------------------------------------- attacks


def test_corpus_is_large() -> None:
    assert len(PAYLOADS) >= 100


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_renders_harmless(payload: str) -> None:
    assert_safe(html_of(payload))


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_payload_is_harmless_even_as_raw_html_for_the_sanitizer(payload: str) -> None:
    """The second layer alone: what a parser bug or a careless plugin could let through."""
    assert_safe(sanitize(payload))


def test_sanitizer_sets_rel_and_drops_target_style_and_classes() -> None:
    assert (
        sanitize(
            '<a href="https://example.com" target="_blank" rel="opener" class="x" style="y">a</a>'
        )
        == '<a href="https://example.com" rel="nofollow noopener noreferrer">a</a>'
    )


def test_whole_corpus_in_one_document_renders_harmless() -> None:
    assert_safe(html_of("\n\n".join(PAYLOADS)))


@given(st.text())
def test_any_text_renders_to_well_formed_safe_html(text: str) -> None:
    html = html_of(text)
    assert "<script" not in html.lower()
    assert_safe(html)


MARKDOWN_PIECES = st.sampled_from(
    [
        "<", ">", "[", "]", "(", ")", "!", "*", "_", "`", "~", "#", "-", "|", ":", "/",
        "\\", '"', "'", "&", ";", "=", " ", "\n", "\t", "javascript:", "JaVaScRiPt:",
        "data:", "vbscript:", "script", "onerror", "onload", "https://", "mailto:", "&#",
        "&colon;", "x", "alert(1)", "img", "svg", "style", "```", "    ", "> ", "1. ",
    ]
)  # fmt: skip


@given(st.lists(MARKDOWN_PIECES, max_size=60).map("".join))
def test_markdown_like_soup_renders_to_well_formed_safe_html(text: str) -> None:
    html = html_of(text)
    assert "<script" not in html.lower()
    assert_safe(html)
