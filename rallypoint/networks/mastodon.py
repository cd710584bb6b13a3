"""Mastodon: one OAuth application per instance, posts through the REST API.

- Every instance is its own server: Rallypoint registers an application on an instance
  the first time an employee of it connects (``POST /api/v1/apps``; the caller stores it
  as a ``MastodonApp``), then uses the usual authorization-code flow
  (``/oauth/authorize``, ``POST /oauth/token``) and ``GET /api/v1/accounts/verify_credentials``.
- Scopes: ``write:statuses`` to post, ``read:statuses`` to read a post's counts back,
  ``read:accounts`` for ``verify_credentials``.
- Tokens do not expire; a refused token means the employee revoked it: reconnect.
- Posting: ``POST /api/v1/statuses`` with an ``Idempotency-Key`` header, so a retry of
  the same share within an hour gives back the same post instead of a second one.
- Engagement: ``GET /api/v1/statuses/<id>``: favourites, boosts, replies (and quotes on
  servers that count them). Mastodon has no impression counts.

Documentation: https://docs.joinmastodon.org/methods/apps/ https://docs.joinmastodon.org/methods/oauth/
https://docs.joinmastodon.org/methods/statuses/
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

import idna
from django.conf import settings
from django.utils.translation import gettext as _

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

network = "mastodon"
SCOPES = "read:accounts read:statuses write:statuses"
CLIENT_NAME = "Rallypoint"


def normalise_instance(text: str) -> str:
    """The host name of a Mastodon instance as typed by a person, in ASCII lower case.

    Accepts ``mastodon.social``, ``https://mastodon.social/``, ``@ana@mastodon.social``
    and international names (``mastodon.bayern``, ``bücher.social`` becomes
    ``xn--bcher-kva.social``); refuses anything with a path, a query, a user name, a
    port or an address. Raises ``ValueError`` with a message for the employee.
    """
    value = text.strip()
    if not value:
        raise ValueError(_("Enter the address of your Mastodon server, like mastodon.social."))
    if value.count("@") == 2 and value.startswith("@"):
        value = value.rsplit("@", 1)[1]
    if "://" in value:
        split = urlsplit(value)
        if split.scheme.lower() not in {"http", "https"}:
            raise ValueError(_("Enter only the server's name, like mastodon.social."))
        if split.path not in {"", "/"} or split.query or split.fragment:
            raise ValueError(
                _("Enter only the server's name, like mastodon.social, without a path.")
            )
        value = split.netloc
    value = value.rstrip("/").rstrip(".")
    if "@" in value or "/" in value or "?" in value or "#" in value or " " in value:
        raise ValueError(_("Enter only the server's name, like mastodon.social."))
    host, _sep, port = value.partition(":")
    if port:
        if settings.MASTODON_INSECURE_HTTP and port.isdigit() and _is_ip(host):
            return f"{host}:{port}"
        raise ValueError(_("Enter the server's name without a port number."))
    if _is_ip(host):
        if settings.MASTODON_INSECURE_HTTP:
            return host
        raise ValueError(_("Enter the server's name, not a network address."))
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError(
            _("“%(host)s” is not a valid server name.") % {"host": host[:100]}
        ) from exc
    if "." not in ascii_host:
        raise ValueError(
            _("“%(host)s” is not a full server name, like mastodon.social.") % {"host": host[:100]}
        )
    return ascii_host.lower()


def base_url(instance: str) -> str:
    """``https://<instance>`` (plain http only when ``MASTODON_INSECURE_HTTP``, in tests)."""
    scheme = "http" if settings.MASTODON_INSECURE_HTTP else "https"
    return f"{scheme}://{normalise_instance(instance)}"


def register_app(*, instance: str, redirect_uri: str) -> tuple[str, str]:
    """Register Rallypoint on ``instance``; return its client id and client secret."""
    response = _http.request(
        network,
        "POST",
        base_url(instance) + "/api/v1/apps",
        data={
            "client_name": CLIENT_NAME,
            "redirect_uris": redirect_uri,
            "scopes": SCOPES,
            "website": settings.BASE_URL,
        },
    )
    app = _http.body(network, response)
    client_id, client_secret = app.get("client_id"), app.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str) or not client_id:
        raise Rejected(
            _("%(instance)s did not register Rallypoint. Please try again later.")
            % {"instance": instance}
        )
    return client_id, client_secret


def authorize_url(*, instance: str, client_id: str, state: str, redirect_uri: str) -> str:
    """Where to send the employee to allow Rallypoint to post for them."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
        },
        quote_via=quote,
    )
    return f"{base_url(instance)}/oauth/authorize?{query}"


def exchange_code(
    *, instance: str, client_id: str, client_secret: str, code: str, redirect_uri: str
) -> TokenSet:
    """Trade the authorization code for a token, and find out whose account it is."""
    host = normalise_instance(instance)
    response = _http.request(
        network,
        "POST",
        base_url(host) + "/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
        },
    )
    tokens = _http.body(network, response)
    token = tokens.get("access_token")
    if not isinstance(token, str) or not token:
        raise Rejected(_("Mastodon did not give an access token. Please try connecting again."))
    me = _http.body(
        network,
        _http.request(
            network,
            "GET",
            base_url(host) + "/api/v1/accounts/verify_credentials",
            headers=_bearer(token),
        ),
    )
    if not me.get("id"):
        raise Rejected(_("Mastodon did not say which account was connected. Please try again."))
    acct = str(me.get("acct") or me.get("username") or "")
    handle = f"@{acct}" if "@" in acct else f"@{acct}@{host}"
    return TokenSet(
        access_token=token,
        scopes=str(tokens.get("scope") or SCOPES),
        remote_id=str(me["id"]),
        handle=handle,
    )


def publish(account: ConnectedAccount, content: ShareContent) -> Published:
    """Post ``content`` publicly; the instance builds the link's card itself."""
    headers = _bearer(account.access_token)
    if content.idempotency_key:
        headers["Idempotency-Key"] = content.idempotency_key
    response = _http.request(
        network,
        "POST",
        base_url(account.instance) + "/api/v1/statuses",
        headers=headers,
        json={"status": limits.compose(content.text, content.url), "visibility": "public"},
    )
    status = _http.body(network, response)
    if not status.get("id"):
        raise Rejected(_("Mastodon did not confirm the post. Please check your account."))
    return Published(remote_id=str(status["id"]), remote_url=str(status.get("url") or ""))


def refresh(account: ConnectedAccount) -> TokenSet:
    """Mastodon tokens do not expire: one that is refused was revoked."""
    raise AuthExpired(
        _("Your Mastodon server no longer accepts Rallypoint's access. Please reconnect it.")
    )


def metrics(account: ConnectedAccount, remote_id: str) -> Metrics | None:
    """Favourites, boosts and replies of one post (quotes where the server counts them)."""
    status = _http.body(
        network,
        _http.request(
            network,
            "GET",
            f"{base_url(account.instance)}/api/v1/statuses/{quote(remote_id, safe='')}",
            headers=_bearer(account.access_token),
        ),
    )
    return Metrics(
        likes=_int(status.get("favourites_count")),
        reposts=_int(status.get("reblogs_count")),
        replies=_int(status.get("replies_count")),
        quotes=_int(status.get("quotes_count")),
        raw={
            key: status.get(key)
            for key in ("favourites_count", "reblogs_count", "replies_count", "quotes_count")
            if key in status
        },
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
