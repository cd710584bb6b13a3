"""OpenGraph data of a web page, to fill in a library item's title, description and image.

``og_fetch`` reads the page through ``core.http.safe_get`` (no private addresses,
redirects re-checked, time and size limits), accepts HTML only, and reads the page's
head with the parser of the feed's link previews (``feed.previews``): og:*, then
twitter:*, then <title> and the meta description. Everything comes back as plain text,
whitespace collapsed and cut to the item's field lengths; a relative image address is
resolved against the page's final address. The curator's form shows what was found and
every field stays editable; a page that cannot be read never blocks saving the item.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from rallypoint.advocacy.models import ContentItem
from rallypoint.core.http import OutboundError, safe_get
from rallypoint.feed.previews import PAGE_READ_CHARS, _HeadParser, page_summary

# The head of a page is what matters; a larger page is cut off, not refused.
OG_MAX_BYTES = 1024 * 1024
OG_TIMEOUT_SECONDS = 8.0
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
IMAGE_KEYS = (
    "og:image:secure_url",
    "og:image:url",
    "og:image",
    "twitter:image",
    "twitter:image:src",
)
URL_MAX = ContentItem._meta.get_field("url").max_length or 2048


class OpenGraphError(Exception):
    """The page could not be read; ``str(error)`` is a reason a person can read."""


@dataclass(frozen=True)
class OpenGraph:
    title: str
    description: str
    image_url: str
    site_name: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_http_url = URLValidator(schemes=["http", "https"])


def is_web_address(url: str) -> bool:
    """Whether ``url`` is an http(s) address a page can link to."""
    try:
        _http_url(url)
    except ValidationError:
        return False
    return len(url) <= URL_MAX


def _image(html: str, base: str) -> str:
    reader = _HeadParser()
    try:
        reader.feed(html[:PAGE_READ_CHARS])
        reader.close()
    except AssertionError:
        pass
    for key in IMAGE_KEYS:
        raw = " ".join((reader.meta.get(key) or "").split())
        if not raw:
            continue
        resolved = urljoin(base, raw)
        if is_web_address(resolved):
            return resolved
    return ""


def og_fetch(url: str) -> OpenGraph:
    """The OpenGraph summary of the page at ``url``; ``OpenGraphError`` with the reason
    when the address is not a web address or the page cannot be read."""
    url = (url or "").strip()
    if not is_web_address(url):
        raise OpenGraphError(_("Enter a web address starting with http:// or https://."))
    try:
        response = safe_get(
            url,
            headers={"Accept": "text/html,application/xhtml+xml"},
            max_bytes=OG_MAX_BYTES,
            timeout=OG_TIMEOUT_SECONDS,
        )
    except OutboundError as error:
        raise OpenGraphError(str(error)) from error
    if not response.ok:
        raise OpenGraphError(
            _("The page answered with status %(code)d.") % {"code": response.status_code}
        )
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in HTML_TYPES:
        raise OpenGraphError(_("The address is not a web page."))
    html = response.text
    summary = page_summary(html)
    site_name = summary["site_name"] or (urlsplit(response.url).hostname or "")[:200]
    return OpenGraph(
        title=summary["title"],
        description=summary["description"],
        image_url=_image(html, response.url),
        site_name=site_name,
    )
