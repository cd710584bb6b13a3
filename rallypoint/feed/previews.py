"""Link previews: the title, description and site of the first web link of a post.

When a post is published or edited, ``preview_for_post`` finds the first http(s) link of
its text (links inside code do not count), attaches the ``LinkPreview`` of that address
(one row per normalised address, shared by every post) and, after the commit, queues
``link_preview_fetch``. The job fetches the page through ``core.http.safe_get`` (no
private addresses, redirects re-checked, time and size limits), reads OpenGraph or the
page's <title> and meta description, and stores plain text only. A preview fetched less
than ``LINK_PREVIEW_REFRESH_HOURS`` ago is reused, so a link shared by a hundred posts is
fetched once. Pages show the text only; no remote image is ever loaded.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from rallypoint.core.http import OutboundError, safe_get
from rallypoint.core.markdown import parser
from rallypoint.feed.models import LinkPreview, Post

# A bare address in text: up to the first space or character that cannot end one.
_BARE_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")
# A pending preview whose job was lost is queued again after this long.
PENDING_RETRY = datetime.timedelta(minutes=10)
# Only the start of a page is read: the <head> is what matters.
PAGE_READ_CHARS = 512 * 1024


# ---------------------------------------------------------------- finding the link


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        # Keep a closing bracket that belongs to the address, as in Wikipedia links.
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def first_link(text: str) -> str | None:
    """The first http(s) address of a Markdown text, outside code spans and blocks."""
    for block in parser().parse(text or ""):
        for token in block.children or []:
            if token.type == "link_open":
                href = str(token.attrs.get("href") or "")
                if href.lower().startswith(("http://", "https://")):
                    return href
            elif token.type == "text":
                found = _BARE_URL.search(token.content)
                if found and _trim(found.group(0)):
                    return _trim(found.group(0))
    return None


def normalise_url(url: str) -> str | None:
    """The address in one canonical form (lower-case scheme and host, no default port,
    no fragment), or None when it is not a usable http(s) address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in {"http", "https"} or not host or parts.username or parts.password:
        return None
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    normal = urlunsplit((scheme, host, parts.path or "/", parts.query, ""))
    field = LinkPreview._meta.get_field("url")
    if len(normal) > (field.max_length or 2000):
        return None
    try:
        field.clean(normal, None)
    except ValidationError:
        return None
    return normal


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


# ---------------------------------------------------------------- attaching


def _stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=settings.LINK_PREVIEW_REFRESH_HOURS)


def _needs_fetch(preview: LinkPreview, *, created: bool) -> bool:
    if created:
        return True
    if preview.fetched_at is None:
        return preview.created_at < timezone.now() - PENDING_RETRY
    return preview.fetched_at < _stale_before()


def preview_for_post(post: Post) -> LinkPreview | None:
    """Point ``post`` at the preview of its first link (or at none). Call inside the
    transaction that published or edited it; the fetch is queued after the commit."""
    url = first_link(post.body)
    normal = normalise_url(url) if url else None
    if normal is None:
        if post.link_preview_id is not None:
            post.link_preview = None
            post.save(update_fields=["link_preview"])
        return None
    preview, created = LinkPreview.objects.get_or_create(
        url_hash=url_hash(normal), defaults={"url": normal}
    )
    if post.link_preview_id != preview.pk:
        post.link_preview = preview
        post.save(update_fields=["link_preview"])
    if _needs_fetch(preview, created=created):
        preview_id = preview.pk
        transaction.on_commit(lambda: link_preview_fetch(preview_id))
    return preview


# ---------------------------------------------------------------- fetching


class _HeadParser(HTMLParser):
    """Collects <title>, OpenGraph and description meta tags; stops at <body>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "body":
            self.done = True
        elif tag == "title" and not self.title:
            self._in_title = True
        elif tag == "meta":
            values = {k.lower(): (v or "") for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.meta:
                self.meta[key] = values["content"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.done:
            self.title += data


def _plain(value: str, limit: int) -> str:
    text = _SPACES.sub(" ", _CONTROL.sub(" ", value or "")).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _limit(field: str) -> int:
    return int(getattr(LinkPreview._meta.get_field(field), "max_length", None) or 200)


def page_summary(html: str) -> dict[str, str]:
    """title, description and site_name of an HTML page, as plain text cut to size."""
    reader = _HeadParser()
    try:
        reader.feed(html[:PAGE_READ_CHARS])
        reader.close()
    except AssertionError:
        pass
    meta = reader.meta
    return {
        "title": _plain(
            meta.get("og:title") or meta.get("twitter:title") or reader.title, _limit("title")
        ),
        "description": _plain(
            meta.get("og:description")
            or meta.get("description")
            or meta.get("twitter:description")
            or "",
            _limit("description"),
        ),
        "site_name": _plain(meta.get("og:site_name") or "", _limit("site_name")),
    }


def _claim(preview_id: int) -> LinkPreview | None:
    """Mark the preview as being fetched now, unless it is fresh or another job did."""
    now = timezone.now()
    due = Q(fetched_at=None) | Q(fetched_at__lt=_stale_before())
    if not LinkPreview.objects.filter(due, pk=preview_id).update(fetched_at=now):
        return None
    return LinkPreview.objects.filter(pk=preview_id).first()


def _fail(preview: LinkPreview, reason: str) -> LinkPreview:
    """Record why the page could not be read; a preview read before keeps its text."""
    if preview.status != LinkPreview.Status.READY:
        preview.status = LinkPreview.Status.FAILED
    preview.error = _plain(reason, _limit("error"))
    preview.fetched_at = timezone.now()
    preview.save(update_fields=["status", "error", "fetched_at"])
    return preview


def link_preview_refresh(*, preview_id: int) -> LinkPreview | None:
    """Fetch the page of a preview and store what it says (or why it could not be read).
    Does nothing for a preview fetched recently or being fetched by another job."""
    preview = _claim(preview_id)
    if preview is None:
        return None
    try:
        response = safe_get(preview.url, headers={"Accept": "text/html,application/xhtml+xml"})
    except OutboundError as error:
        return _fail(preview, str(error))
    if not response.ok:
        return _fail(
            preview, _("The page answered with status %(code)d.") % {"code": response.status_code}
        )
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in {"text/html", "application/xhtml+xml"}:
        return _fail(preview, _("The address is not a web page."))
    summary = page_summary(response.text)
    if not summary["title"]:
        return _fail(preview, _("The page has no title."))
    if not summary["site_name"]:
        summary["site_name"] = _plain(urlsplit(response.url).hostname or "", _limit("site_name"))
    preview.title = summary["title"]
    preview.description = summary["description"]
    preview.site_name = summary["site_name"]
    preview.status = LinkPreview.Status.READY
    preview.error = ""
    preview.fetched_at = timezone.now()
    preview.full_clean()
    preview.save()
    return preview


@db_task()
def link_preview_fetch(preview_id: int) -> None:
    link_preview_refresh(preview_id=preview_id)
