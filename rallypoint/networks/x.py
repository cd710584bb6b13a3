"""X (formerly Twitter): OAuth 2.0 with PKCE, posts through the v2 API.

- Sign-in: ``{X_AUTH_URL}/i/oauth2/authorize`` with a PKCE S256 challenge; the code is
  exchanged at ``POST {X_API_URL}/2/oauth2/token`` (HTTP Basic with the client id and
  secret for a confidential client, the client id in the form for a public one), then
  ``GET /2/users/me`` gives the account id and user name.
- Access tokens last two hours; ``offline.access`` gives a refresh token, which X
  replaces on every refresh (the new one must be stored).
- Posting: ``POST /2/tweets`` with ``{"text": …}``; X builds the card from the link. X has
  no idempotency key, but refuses a duplicate text; a retry that meets that refusal
  looks for the account's recent post carrying the share's tracked link and takes it.
- Engagement: ``GET /2/tweets/<id>?tweet.fields=public_metrics``.

Documentation: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code
and https://docs.x.com/x-api/posts/create-post
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from rallypoint.core.http import SafeResponse
from rallypoint.networks import _http, limits
from rallypoint.networks.base import (
    AuthExpired,
    Forbidden,
    Metrics,
    NetworkError,
    Published,
    Rejected,
    ShareContent,
    TokenSet,
)

if TYPE_CHECKING:
    from rallypoint.networks.models import ConnectedAccount

network = "x"
SCOPES = "tweet.read tweet.write users.read offline.access"
RECENT_POSTS = 10  # how far back a retry looks for the post it may already have made


def make_verifier() -> str:
    """A PKCE code verifier: 64 unreserved characters (RFC 7636 allows 43 to 128)."""
    return secrets.token_urlsafe(48)


def challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier``."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(*, state: str, redirect_uri: str, code_challenge: str) -> str:
    """Where to send the employee to allow Rallypoint to post for them."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.X_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        },
        quote_via=quote,
    )
    return f"{settings.X_AUTH_URL.rstrip('/')}/i/oauth2/authorize?{query}"


def exchange_code(*, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
    """Trade the authorization code for tokens, and find out whose account it is."""
    tokens = _token(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": code_verifier,
        }
    )
    me = _http.body(network, _get("/2/users/me", tokens["access_token"]))
    user = me.get("data") or {}
    if not user.get("id"):
        raise Rejected(_("X did not say which account was connected. Please try again."))
    return TokenSet(
        access_token=tokens["access_token"],
        refresh_token=tokens.get("refresh_token", ""),
        expires_at=_http.expires_in(tokens.get("expires_in")),
        scopes=tokens.get("scope", SCOPES),
        remote_id=str(user["id"]),
        handle=str(user.get("username", "")),
    )


def publish(account: ConnectedAccount, content: ShareContent) -> Published:
    """Post ``content`` as a tweet; X shows the link's card itself."""
    text = limits.compose(content.text, content.url)
    length = limits.text_length(network, text)
    if length > limits.LIMITS[network]:
        raise Rejected(
            _("The text is too long for X: %(length)d of %(limit)d characters.")
            % {"length": length, "limit": limits.LIMITS[network]}
        )
    if content.retry:
        # An interrupted attempt may have posted it: X has no idempotency key, but the
        # post carries this share's own tracked link.
        earlier = _earlier_post(account, content.url)
        if earlier is not None:
            return _published(account, earlier)
    try:
        response = _http.request(
            network,
            "POST",
            _url("/2/tweets"),
            headers=_bearer(account.access_token),
            json={"text": text},
        )
    except Forbidden as exc:
        # X refuses a text it already has: after a crash between posting and recording
        # it, the post carrying this share's own tracked link is the one already made.
        earlier = _earlier_post(account, content.url) if "duplicate" in str(exc) else None
        if earlier is None:
            raise
        return _published(account, earlier)
    post = _http.body(network, response).get("data") or {}
    if not post.get("id"):
        raise Rejected(_("X did not confirm the post. Please check your X account."))
    return _published(account, str(post["id"]))


def refresh(account: ConnectedAccount) -> TokenSet:
    """New tokens from the refresh token; X rotates the refresh token each time."""
    if not account.refresh_token:
        raise AuthExpired(_("Your X connection has expired. Please reconnect your X account."))
    try:
        tokens = _token({"grant_type": "refresh_token", "refresh_token": account.refresh_token})
    except Rejected as exc:
        raise AuthExpired(
            _("X no longer accepts Rallypoint's access to your account. Please reconnect it.")
        ) from exc
    return TokenSet(
        access_token=tokens["access_token"],
        refresh_token=tokens.get("refresh_token") or account.refresh_token,
        expires_at=_http.expires_in(tokens.get("expires_in")),
        scopes=tokens.get("scope", account.scopes),
        remote_id=account.remote_id,
        handle=account.handle,
    )


def metrics(account: ConnectedAccount, remote_id: str) -> Metrics | None:
    """Public engagement of one post: likes, reposts, replies, quotes, impressions."""
    path = f"/2/tweets/{quote(remote_id, safe='')}"
    answer = _http.body(
        network, _get(path, account.access_token, query={"tweet.fields": "public_metrics"})
    )
    post = answer.get("data")
    if not isinstance(post, dict):
        raise Rejected(
            _("X could not find this post any more.")
            + (" " + _http.error_detail(answer) if answer.get("errors") else "")
        )
    counts: dict[str, Any] = post.get("public_metrics") or {}
    return Metrics(
        likes=_int(counts.get("like_count")),
        reposts=_int(counts.get("retweet_count")),
        replies=_int(counts.get("reply_count")),
        quotes=_int(counts.get("quote_count")),
        impressions=_int(counts.get("impression_count")),
        raw=dict(counts),
    )


def _earlier_post(account: ConnectedAccount, url: str) -> str | None:
    """The id of one of the account's recent posts that links to ``url``, or ``None``.

    X shortens links to t.co in the text; ``entities.urls[].expanded_url`` keeps the
    original, which for a share is its own tracked link.
    """
    if not url or not account.remote_id:
        return None
    try:
        answer = _http.body(
            network,
            _get(
                f"/2/users/{quote(account.remote_id, safe='')}/tweets",
                account.access_token,
                query={"max_results": str(RECENT_POSTS), "tweet.fields": "entities"},
            ),
        )
    except NetworkError:
        return None
    for post in answer.get("data") or []:
        links = ((post.get("entities") or {}).get("urls") or []) if isinstance(post, dict) else []
        if any(isinstance(link, dict) and link.get("expanded_url") == url for link in links):
            return str(post.get("id") or "") or None
    return None


def _published(account: ConnectedAccount, post_id: str) -> Published:
    owner = quote(account.handle.lstrip("@"), safe="") or "i/web"
    return Published(remote_id=post_id, remote_url=f"https://x.com/{owner}/status/{post_id}")


def _token(form: dict[str, str]) -> dict[str, Any]:
    headers: dict[str, str] = {}
    if settings.X_CLIENT_SECRET:
        pair = f"{settings.X_CLIENT_ID}:{settings.X_CLIENT_SECRET}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    else:
        form = {**form, "client_id": settings.X_CLIENT_ID}
    response = _http.request(network, "POST", _url("/2/oauth2/token"), headers=headers, data=form)
    tokens = _http.body(network, response)
    if not tokens.get("access_token"):
        raise Rejected(_("X did not give an access token. Please try connecting again."))
    return tokens


def _get(path: str, token: str, *, query: dict[str, str] | None = None) -> SafeResponse:
    url = _url(path) + (f"?{urlencode(query, quote_via=quote)}" if query else "")
    return _http.request(network, "GET", url, headers=_bearer(token))


def _url(path: str) -> str:
    return settings.X_API_URL.rstrip("/") + path


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
