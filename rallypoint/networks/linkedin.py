"""LinkedIn: "Sign In with LinkedIn using OpenID Connect" plus "Share on LinkedIn".

- Sign-in: ``{LINKEDIN_AUTH_URL}/oauth/v2/authorization`` with the scopes ``openid profile
  email w_member_social``; the code is exchanged at ``POST /oauth/v2/accessToken`` (form,
  client id and secret in the body), then ``GET {LINKEDIN_API_URL}/v2/userinfo`` gives
  ``sub`` (the member id: the author URN is ``urn:li:person:<sub>``) and the name.
- Access tokens last 60 days. Refresh tokens are only issued to apps LinkedIn approved
  for them; without one, an expired token means reconnecting.
- Posting: ``POST /rest/posts`` (versioned API: ``LinkedIn-Version`` header) with an
  article card for the link; LinkedIn answers 201 with the post URN in ``x-restli-id``.
  A retry of a post that went through is refused as "Content is a duplicate of <urn>";
  that URN is taken as the share's post.
- Engagement: member post analytics (``/rest/memberCreatorPostAnalytics``) only when the
  account granted ``r_member_postAnalytics``; otherwise LinkedIn gives nothing.

Documentation: https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import regex
from django.conf import settings
from django.utils.translation import gettext as _

from rallypoint.core.http import SafeResponse
from rallypoint.networks import _http, limits
from rallypoint.networks.base import (
    AuthExpired,
    Metrics,
    Published,
    Rejected,
    ShareContent,
    TokenSet,
)

if TYPE_CHECKING:
    from rallypoint.networks.models import ConnectedAccount

network = "linkedin"
SCOPES = "openid profile email w_member_social"
ANALYTICS_SCOPE = "r_member_postAnalytics"
# The versioned ("rest") API wants a YYYYMM version; LinkedIn supports each for a year.
API_VERSION = "202605"
RESTLI_PROTOCOL = "2.0.0"
# Member post analytics: one request per figure.
ANALYTICS_FIGURES = {
    "IMPRESSION": "impressions",
    "REACTION": "likes",
    "COMMENT": "replies",
    "RESHARE": "reposts",
}
# "little" text format: these are markup in post commentary and must be escaped, or
# LinkedIn silently cuts the post at the first one. Links and #hashtags stay as they are.
_LITTLE_RESERVED = regex.compile(r"[\\|{}@\[\]()<>#*_~]")
_DUPLICATE_OF = regex.compile(r"duplicate of (urn:li:(?:share|ugcPost):\d+)")
_LITTLE_KEEP = regex.compile(r"https?://\S+|(?<![\w#])#[\p{L}\p{N}_]+")


def authorize_url(*, state: str, redirect_uri: str, code_challenge: str | None = None) -> str:
    """Where to send the employee to allow Rallypoint to post for them."""
    params = {
        "response_type": "code",
        "client_id": settings.LINKEDIN_CLIENT_ID,
        "redirect_uri": redirect_uri,
        "state": state,
        "scope": SCOPES,
    }
    if code_challenge:
        params |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    query = urlencode(params, quote_via=quote)
    return f"{settings.LINKEDIN_AUTH_URL.rstrip('/')}/oauth/v2/authorization?{query}"


def exchange_code(*, code: str, redirect_uri: str, code_verifier: str | None = None) -> TokenSet:
    """Trade the authorization code for a token, and find out whose account it is."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    tokens = _token(form)
    response = _http.request(
        network,
        "GET",
        _api("/v2/userinfo"),
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    person = _http.body(network, response)
    if not person.get("sub"):
        raise Rejected(_("LinkedIn did not say which account was connected. Please try again."))
    return TokenSet(
        access_token=tokens["access_token"],
        refresh_token=tokens.get("refresh_token", ""),
        expires_at=_http.expires_in(tokens.get("expires_in")),
        scopes=_scopes(tokens.get("scope"), SCOPES),
        remote_id=f"urn:li:person:{person['sub']}",
        handle=str(person.get("name") or person.get("email") or ""),
    )


def commentary(text: str) -> str:
    """``text`` in LinkedIn's "little" format: reserved characters escaped, except in
    links and hashtags, which LinkedIn should keep recognising."""
    out: list[str] = []
    position = 0
    for kept in _LITTLE_KEEP.finditer(text):
        out.append(_LITTLE_RESERVED.sub(r"\\\g<0>", text[position : kept.start()]))
        out.append(kept.group())
        position = kept.end()
    out.append(_LITTLE_RESERVED.sub(r"\\\g<0>", text[position:]))
    return "".join(out)


def post_body(account: ConnectedAccount, content: ShareContent) -> dict[str, Any]:
    """The ``/rest/posts`` body: the employee's text and an article card for the link."""
    # LinkedIn requires a title for an article card; the address stands in for a missing one.
    article: dict[str, str] = {"source": content.url, "title": content.title or content.url}
    if content.description:
        article["description"] = content.description
    return {
        "author": account.remote_id,
        "commentary": commentary(content.text.strip()),
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "content": {"article": article},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def publish(account: ConnectedAccount, content: ShareContent) -> Published:
    """Post ``content`` on the member's feed with the link as an article card."""
    if len(content.text) > limits.LIMITS[network]:
        raise Rejected(
            _("The text is too long for LinkedIn: %(length)d of %(limit)d characters.")
            % {"length": len(content.text), "limit": limits.LIMITS[network]}
        )
    try:
        response = _http.request(
            network,
            "POST",
            _api("/rest/posts"),
            headers=_headers(account),
            json=post_body(account, content),
        )
    except Rejected as exc:
        # A retry of a share that went through is refused as "Content is a duplicate of
        # <urn>": that post is this share's.
        duplicate = _DUPLICATE_OF.search(str(exc))
        if duplicate is None:
            raise
        return _published(duplicate.group(1))
    urn = response.headers.get("x-restli-id", "").strip()
    if not urn:
        raise Rejected(_("LinkedIn did not confirm the post. Please check your LinkedIn feed."))
    return _published(urn)


def refresh(account: ConnectedAccount) -> TokenSet:
    """A new token from the refresh token, for apps LinkedIn gave refresh tokens to."""
    if not account.refresh_token:
        raise AuthExpired(
            _("Your LinkedIn connection has expired. Please reconnect your LinkedIn account.")
        )
    try:
        tokens = _token({"grant_type": "refresh_token", "refresh_token": account.refresh_token})
    except Rejected as exc:
        raise AuthExpired(
            _("LinkedIn no longer accepts Rallypoint's access to your account. Please reconnect.")
        ) from exc
    return TokenSet(
        access_token=tokens["access_token"],
        refresh_token=tokens.get("refresh_token") or account.refresh_token,
        expires_at=_http.expires_in(tokens.get("expires_in")),
        scopes=_scopes(tokens.get("scope"), account.scopes),
        remote_id=account.remote_id,
        handle=account.handle,
    )


def metrics(account: ConnectedAccount, remote_id: str) -> Metrics | None:
    """Impressions, reactions, comments and reshares of one post, when the member granted
    post analytics; ``None`` otherwise (LinkedIn gives Rallypoint nothing then)."""
    if ANALYTICS_SCOPE not in account.scopes.split():
        return None
    kind = "ugc" if remote_id.startswith("urn:li:ugcPost:") else "share"
    entity = f"({kind}:{quote(remote_id, safe='')})"
    figures: dict[str, int | None] = {}
    raw: dict[str, object] = {}
    for query_type, name in ANALYTICS_FIGURES.items():
        # Rest.li 2.0 wants the entity's parentheses and colon as they are, the URN encoded.
        url = _api(
            "/rest/memberCreatorPostAnalytics"
            f"?q=entity&entity={entity}&queryType={query_type}&aggregation=TOTAL"
        )
        answer = _http.body(network, _http.request(network, "GET", url, headers=_headers(account)))
        elements = answer.get("elements") or []
        count = elements[0].get("count") if elements and isinstance(elements[0], dict) else None
        figures[name] = count if isinstance(count, int) and not isinstance(count, bool) else None
        raw[query_type] = count
    return Metrics(
        likes=figures["likes"],
        reposts=figures["reposts"],
        replies=figures["replies"],
        impressions=figures["impressions"],
        raw=raw,
    )


def _token(form: dict[str, str]) -> dict[str, Any]:
    form = {
        **form,
        "client_id": settings.LINKEDIN_CLIENT_ID,
        "client_secret": settings.LINKEDIN_CLIENT_SECRET,
    }
    url = f"{settings.LINKEDIN_AUTH_URL.rstrip('/')}/oauth/v2/accessToken"
    response: SafeResponse = _http.request(network, "POST", url, data=form)
    tokens = _http.body(network, response)
    if not tokens.get("access_token"):
        raise Rejected(_("LinkedIn did not give an access token. Please try connecting again."))
    return tokens


def _published(urn: str) -> Published:
    return Published(
        remote_id=urn, remote_url=f"https://www.linkedin.com/feed/update/{quote(urn, safe=':')}/"
    )


def _scopes(given: Any, default: str) -> str:
    """LinkedIn lists granted scopes separated by commas; Rallypoint stores spaces."""
    if not isinstance(given, str) or not given.strip():
        return default
    return " ".join(part for part in given.replace(",", " ").split())


def _headers(account: ConnectedAccount) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {account.access_token}",
        "LinkedIn-Version": API_VERSION,
        "X-Restli-Protocol-Version": RESTLI_PROTOCOL,
    }


def _api(path: str) -> str:
    return settings.LINKEDIN_API_URL.rstrip("/") + path
