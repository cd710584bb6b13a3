"""Markdown that people write (posts, comments, bios), turned into safe HTML.

Two layers, each enough on its own for the common attacks:

1. markdown-it-py, ``js-default`` preset with raw HTML off: any ``<tag>`` a person types
   is shown as text, and a link or reference whose scheme is not http, https or mailto
   stays as the text the person typed.
2. nh3 (ammonia) with an explicit allow-list of tags, attributes and URL schemes, so that
   a bug in a parser rule or a plugin still cannot put a script, a style or an event
   handler on the page.

Choices: single line breaks are kept (people write posts in a text box, as in a chat);
headings are demoted by two levels (h1 becomes h3) so that a post never outranks the page
around it; images by URL are not shown (``![alt](url)`` becomes a link to the image), since
loading them would let any author track readers; links open in the same tab and carry
``rel="nofollow noopener noreferrer"``; relative links are kept, for links to other pages
of Rallypoint. Bare URLs are not turned into links: markdown-it-py needs linkify-it-py for
that. ``<https://example.com>`` is a link.

Extension point: later features (mentions, hashtags) are markdown-it plugins, functions
``plugin(md: MarkdownIt) -> None`` appended to ``PLUGINS``. A plugin adds its rule with
``md.inline.ruler`` or ``md.core.ruler`` and its renderer with ``md.add_render_rule``.
Data a rule needs at render time (the people a post may mention, the hashtags found) is
passed and collected through ``env``: ``render_markdown(text, env={...})``. Whatever a
plugin renders still goes through the allow-list below: a plugin that needs a new tag,
attribute or class adds it to ``ALLOWED_TAGS``/``ALLOWED_ATTRIBUTES``/``ALLOWED_CLASSES``
in the same change.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, MutableMapping
from functools import cache
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

Plugin = Callable[[MarkdownIt], None]

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "s",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_ATTRIBUTE_VALUES: dict[str, dict[str, set[str]]] = {
    cell: {"align": {"left", "center", "right"}} for cell in ("th", "td")
}
ALLOWED_CLASSES: dict[str, set[str]] = {}
LINK_REL = "nofollow noopener noreferrer"
HEADING_SHIFT = 2

_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_ALIGN = re.compile(r"^text-align:(left|center|right)$")
_SPACE = re.compile(r"\s+")


class _Markdown(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        """Links and references keep only http, https, mailto and relative targets.

        ``url`` is already entity-decoded and percent-encoded by markdown-it, so
        ``javascript&colon;`` arrives here as ``javascript:``.
        """
        scheme = _SCHEME.match(url.strip())
        return scheme is None or scheme.group(1).lower() in ALLOWED_SCHEMES


def demote_headings(md: MarkdownIt) -> None:
    """``# Title`` renders as ``<h3>``: a post sits under the page's own headings."""

    def rule(state: StateCore) -> None:
        for token in state.tokens:
            if token.type in {"heading_open", "heading_close"}:
                level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
                token.tag = f"h{level}"

    md.core.ruler.push("rallypoint_headings", rule)


def table_alignment(md: MarkdownIt) -> None:
    """Column alignment as an ``align`` attribute: inline styles are never allowed."""

    def rule(state: StateCore) -> None:
        for token in state.tokens:
            if token.type in {"th_open", "td_open"}:
                style = token.attrs.pop("style", None)
                found = _ALIGN.match(str(style or ""))
                if found:
                    token.attrs["align"] = found.group(1)

    md.core.ruler.push("rallypoint_table_alignment", rule)


PLUGINS: list[Plugin] = [demote_headings, table_alignment]


@cache
def parser() -> MarkdownIt:
    """The configured parser, built once per process with every plugin in ``PLUGINS``."""
    md = _Markdown("js-default", {"html": False, "breaks": True, "linkify": False})
    md.enable(["table", "strikethrough"])
    md.disable(["image"])
    for plugin in PLUGINS:
        md.use(plugin)
    return md


def sanitize(fragment: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes of an HTML fragment."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
        url_relative="pass_through",
    )


def render_markdown(text: str, *, env: MutableMapping[str, Any] | None = None) -> SafeString:
    """Render what a person wrote as HTML that is safe to put in any page.

    ``env`` is handed to markdown-it's rules: plugins read their inputs from it and
    leave what they found in it.
    """
    rendered = parser().render(text or "", env if env is not None else {})
    return mark_safe(sanitize(rendered))  # noqa: S308 (sanitized by the allow-list)


def render_plain(text: str) -> str:
    """The same text without formatting, on one line: for titles, previews, notifications.

    Returns plain text (not HTML); templates escape it as usual.
    """
    rendered = parser().render(text or "", {})
    stripped = nh3.clean(rendered, tags=set(), clean_content_tags={"script", "style"})
    return _SPACE.sub(" ", html.unescape(stripped)).strip()
