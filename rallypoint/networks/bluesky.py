"""Bluesky (AT Protocol): an app password session, posts written as repository records.

- Connecting: the employee creates an *app password* in Bluesky's settings and gives it
  with their handle; ``com.atproto.server.createSession`` on the PDS answers with the
  account's DID, handle and a short-lived access JWT plus a refresh JWT. The app
  password itself is never stored.
- Refresh: ``com.atproto.server.refreshSession`` with the refresh JWT as the bearer
  token gives new tokens; an expired access token answers 400 ``ExpiredToken``.
- Posting: ``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` with a link
  facet (UTF-8 byte offsets) and an ``app.bsky.embed.external`` card. The record key is
  derived from the share's idempotency key, so a retry after a crash cannot create a
  second post: when the key is taken, the post that holds it is the one already made.
- Engagement: ``app.bsky.feed.getPosts`` on the public AppView: likes, reposts,
  replies, quotes. Bluesky has no impression counts.

Documentation: https://docs.bsky.app/docs/api/com-atproto-server-create-session
https://docs.bsky.app/docs/advanced-guides/posts https://docs.bsky.app/docs/api/app-bsky-feed-get-posts
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import regex
from django.conf import settings
from django.utils.translation import gettext as _

from rallypoint.networks import _http, limits
from rallypoint.networks.base import (
    AuthExpired,
    Metrics,
    NetworkError,
    Published,
    Rejected,
    ShareContent,
    TokenSet,
    Unavailable,
)

if TYPE_CHECKING:
    from rallypoint.networks.models import ConnectedAccount

network = "bluesky"
COLLECTION = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Record keys from idempotency keys are TIDs dated within the year after this moment:
# always in the past, so they never sort ahead of posts made by the employee's apps.
_TID_EPOCH_US = int(dt.datetime(2023, 1, 1, tzinfo=dt.UTC).timestamp() * 1_000_000)
_TID_SPAN_BITS = 45  # about 1.1 years of microseconds
_HASHTAG = regex.compile(r"(?<![\w#])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)")
DESCRIPTION_MAX_CHARS = 1000


def pds_url(account: ConnectedAccount | None = None) -> str:
    """The PDS that holds the account: the address stored when it connected, or the
    configured default."""
    stored = account.instance if account is not None else ""
    base = stored if stored.startswith(("https://", "http://")) else settings.BLUESKY_PDS_URL
    return base.rstrip("/")


def create_session(*, identifier: str, app_password: str) -> TokenSet:
    """Sign in with a handle (or e-mail) and an app password; the password is not kept."""
    response = _http.request(
        network,
        "POST",
        _xrpc(pds_url(), "com.atproto.server.createSession"),
        json={"identifier": identifier.strip().lstrip("@"), "password": app_password.strip()},
    )
    return _session(_http.body(network, response))


def refresh(account: ConnectedAccount) -> TokenSet:
    """New access and refresh tokens from the refresh token."""
    if not account.refresh_token:
        raise AuthExpired(
            _("Your Bluesky connection has expired. Please reconnect your Bluesky account.")
        )
    try:
        response = _http.request(
            network,
            "POST",
            _xrpc(pds_url(account), "com.atproto.server.refreshSession"),
            headers=_bearer(account.refresh_token),
        )
    except Rejected as exc:
        raise AuthExpired(
            _("Bluesky no longer accepts Rallypoint's access to your account. Please reconnect it.")
        ) from exc
    return _session(_http.body(network, response))


def record_key(idempotency_key: str) -> str:
    """A valid TID record key that only depends on ``idempotency_key``."""
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    micros = _TID_EPOCH_US + (digest >> (64 - _TID_SPAN_BITS))
    clock_id = digest & 0x3FF
    value = (micros << 10) | clock_id  # the top bit stays 0, as TIDs require
    chars = []
    for _position in range(13):
        chars.append(TID_ALPHABET[value & 0x1F])
        value >>= 5
    return "".join(reversed(chars))


def post_record(content: ShareContent, *, created_at: dt.datetime | None = None) -> dict[str, Any]:
    """The ``app.bsky.feed.post`` record: text, link and hashtag facets, external card."""
    text = limits.compose(content.text, content.url)
    moment = created_at or dt.datetime.now(tz=dt.UTC)
    record: dict[str, Any] = {
        "$type": COLLECTION,
        "text": text,
        "createdAt": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "facets": facets(text, content.url),
    }
    if content.url:
        record["embed"] = {
            "$type": "app.bsky.embed.external",
            "external": {
                "uri": content.url,
                "title": content.title,
                "description": content.description[:DESCRIPTION_MAX_CHARS],
            },
        }
    return record


def facets(text: str, url: str) -> list[dict[str, Any]]:
    """Rich-text facets: the link and every hashtag, at UTF-8 byte offsets (Bluesky
    counts bytes, not characters)."""
    found: list[dict[str, Any]] = []
    link_start, link_end = -1, -1
    if url and url in text:
        link_start = text.index(url)
        link_end = link_start + len(url)
        link = {"$type": "app.bsky.richtext.facet#link", "uri": url}
        found.append(_facet(text, link_start, link_end, link))
    for match in _HASHTAG.finditer(text):
        if link_start <= match.start() < link_end:
            continue
        found.append(
            _facet(
                text,
                match.start(),
                match.end(),
                {"$type": "app.bsky.richtext.facet#tag", "tag": match.group(1)},
            )
        )
    return sorted(found, key=lambda facet: facet["index"]["byteStart"])


def publish(account: ConnectedAccount, content: ShareContent) -> Published:
    """Write the post record; a retry with the same idempotency key finds the first one."""
    record = post_record(content)
    length = limits.text_length(network, record["text"])
    if length > limits.LIMITS[network]:
        raise Rejected(
            _("The text is too long for Bluesky: %(length)d of %(limit)d characters.")
            % {"length": length, "limit": limits.LIMITS[network]}
        )
    body: dict[str, Any] = {"repo": account.remote_id, "collection": COLLECTION, "record": record}
    rkey = record_key(content.idempotency_key) if content.idempotency_key else ""
    if rkey:
        body["rkey"] = rkey
    try:
        response = _http.request(
            network,
            "POST",
            _xrpc(pds_url(account), "com.atproto.repo.createRecord"),
            headers=_bearer(account.access_token),
            json=body,
        )
    except (Rejected, Unavailable):
        # A taken record key is answered 500 by PDS versions before 2026 and with an
        # explicit error since; a timeout may hide a write that went through. Either way
        # the record at that key, if there is one, is this share's post.
        existing = _existing(account, rkey) if rkey else None
        if existing is None:
            raise
        return existing
    created = _http.body(network, response)
    uri = str(created.get("uri") or "")
    if not uri:
        raise Rejected(_("Bluesky did not confirm the post. Please check your account."))
    return _published(account, uri)


def metrics(account: ConnectedAccount, remote_id: str) -> Metrics | None:
    """Likes, reposts, replies and quotes of one post, from the public AppView."""
    query = urlencode({"uris": remote_id}, quote_via=quote)
    url = f"{settings.BLUESKY_APPVIEW_URL.rstrip('/')}/xrpc/app.bsky.feed.getPosts?{query}"
    answer = _http.body(network, _http.request(network, "GET", url))
    posts = answer.get("posts")
    if not isinstance(posts, list) or not posts or not isinstance(posts[0], dict):
        raise Rejected(_("Bluesky could not find this post any more."))
    post = posts[0]
    names = ("likeCount", "repostCount", "replyCount", "quoteCount")
    return Metrics(
        likes=_int(post.get("likeCount")),
        reposts=_int(post.get("repostCount")),
        replies=_int(post.get("replyCount")),
        quotes=_int(post.get("quoteCount")),
        raw={name: post.get(name) for name in names if name in post},
    )


def _existing(account: ConnectedAccount, rkey: str) -> Published | None:
    """The post already at ``rkey`` (written by an earlier try), or ``None``."""
    query = urlencode(
        {"repo": account.remote_id, "collection": COLLECTION, "rkey": rkey}, quote_via=quote
    )
    try:
        response = _http.request(
            network,
            "GET",
            _xrpc(pds_url(account), "com.atproto.repo.getRecord") + f"?{query}",
            headers=_bearer(account.access_token),
        )
    except NetworkError:
        return None
    uri = _http.body(network, response).get("uri")
    return _published(account, str(uri)) if uri else None


def _published(account: ConnectedAccount, uri: str) -> Published:
    rkey = uri.rsplit("/", 1)[-1]
    owner = quote(account.handle.lstrip("@") or account.remote_id, safe=":.")
    return Published(remote_id=uri, remote_url=f"https://bsky.app/profile/{owner}/post/{rkey}")


def _session(answer: dict[str, Any]) -> TokenSet:
    access, refresh_jwt, did = answer.get("accessJwt"), answer.get("refreshJwt"), answer.get("did")
    if not isinstance(access, str) or not access or not isinstance(did, str) or not did:
        raise Rejected(_("Bluesky did not open a session. Please try connecting again."))
    return TokenSet(
        access_token=access,
        refresh_token=refresh_jwt if isinstance(refresh_jwt, str) else "",
        expires_at=_http.jwt_expiry(access),
        remote_id=did,
        handle=str(answer.get("handle") or ""),
    )


def _facet(text: str, start: int, end: int, feature: dict[str, str]) -> dict[str, Any]:
    byte_start = len(text[:start].encode("utf-8"))
    byte_end = byte_start + len(text[start:end].encode("utf-8"))
    return {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}


def _xrpc(base: str, method: str) -> str:
    return f"{base}/xrpc/{method}"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
