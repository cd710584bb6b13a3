"""Template filters for text people write: ``{% load rallypoint_markdown %}``.

``{{ post.body|markdown }}`` renders Markdown as safe HTML (block-level: put it in a
``<div>``, not a ``<p>``); ``{{ post.body|markdown_plain }}`` gives the text on one line,
without formatting, for titles and previews.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from rallypoint.core.markdown import render_markdown, render_plain

register = template.Library()


@register.filter(name="markdown", is_safe=True)
def markdown(value: object) -> SafeString:
    return render_markdown("" if value is None else str(value))


@register.filter(name="markdown_plain")
def markdown_plain(value: object) -> str:
    return render_plain("" if value is None else str(value))
