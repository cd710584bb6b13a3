"""The browser side of connecting an account by OAuth: state and PKCE, kept in the session.

Starting a connection (``oauth_begin``) makes a random ``state`` and, for PKCE, a random
verifier, and keeps them in the person's session together with the network, the time,
the Mastodon instance and the page to return to. The network sends the person back with
the same ``state``; ``oauth_complete`` accepts it once, for the same network, within
``STATE_MAX_AGE`` seconds, and removes it whatever the outcome, so a callback address that
leaked (browser history, a proxy log) cannot be replayed. Several connections may be under
way at once (two tabs); the oldest are dropped beyond ``MAX_PENDING``.

PKCE uses the S256 method (RFC 7636): the challenge sent with the authorization request is
the unpadded base64url SHA-256 of the verifier, which only this session knows and which the
token request must present.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

SESSION_KEY = "networks_oauth"
STATE_MAX_AGE = 600
MAX_PENDING = 5


class StateInvalid(Exception):
    """The callback's ``state`` is unknown, for another network, used, or too old."""


@dataclass(frozen=True)
class PendingConnection:
    """One connection under way, as kept in the session."""

    state: str
    network: str
    created: float
    code_verifier: str
    instance: str = ""
    next_url: str = ""

    @property
    def code_challenge(self) -> str:
        return pkce_challenge(self.code_verifier)


def pkce_challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier``: base64url(SHA-256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def safe_next(request: HttpRequest, next_url: str) -> str:
    """``next_url`` if it is a path on this site, else the empty string."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url if next_url.startswith("/") and not next_url.startswith("//") else ""
    return ""


def _pending(request: HttpRequest) -> dict[str, dict[str, object]]:
    stored = request.session.get(SESSION_KEY)
    return dict(stored) if isinstance(stored, dict) else {}


def oauth_begin(
    request: HttpRequest, *, network: str, instance: str = "", next_url: str = ""
) -> PendingConnection:
    """Start a connection: a fresh state and PKCE verifier, remembered in the session."""
    now = time.time()
    pending = {
        key: value
        for key, value in _pending(request).items()
        if now - float(value.get("created", 0)) <= STATE_MAX_AGE  # type: ignore[arg-type]
    }
    connection = PendingConnection(
        state=secrets.token_urlsafe(32),
        network=network,
        created=now,
        # 64 random bytes give an 86-character verifier (RFC 7636 allows 43 to 128).
        code_verifier=secrets.token_urlsafe(64),
        instance=instance,
        next_url=safe_next(request, next_url),
    )
    pending[connection.state] = {
        "network": connection.network,
        "created": connection.created,
        "code_verifier": connection.code_verifier,
        "instance": connection.instance,
        "next_url": connection.next_url,
    }
    newest = sorted(pending.items(), key=lambda item: float(item[1]["created"]))[-MAX_PENDING:]  # type: ignore[arg-type]
    request.session[SESSION_KEY] = dict(newest)
    return connection


def oauth_complete(request: HttpRequest, *, network: str, state: str) -> PendingConnection:
    """Accept the callback's ``state`` once; raise ``StateInvalid`` with a readable reason."""
    pending = _pending(request)
    stored = pending.pop(state, None) if state else None
    request.session[SESSION_KEY] = pending
    if stored is None:
        raise StateInvalid(
            _("This connection attempt is unknown or was already used. Please start again.")
        )
    if stored.get("network") != network:
        raise StateInvalid(_("This answer was meant for another network. Please start again."))
    created = float(stored.get("created", 0))  # type: ignore[arg-type]
    if time.time() - created > STATE_MAX_AGE:
        raise StateInvalid(_("This connection attempt took too long. Please start again."))
    return PendingConnection(
        state=state,
        network=network,
        created=created,
        code_verifier=str(stored.get("code_verifier", "")),
        instance=str(stored.get("instance", "")),
        next_url=str(stored.get("next_url", "")),
    )


def oauth_discard(request: HttpRequest, *, state: str) -> PendingConnection | None:
    """Forget ``state`` (the person refused at the network); its return page if known."""
    pending = _pending(request)
    stored = pending.pop(state, None) if state else None
    request.session[SESSION_KEY] = pending
    if stored is None:
        return None
    return PendingConnection(
        state=state,
        network=str(stored.get("network", "")),
        created=float(stored.get("created", 0)),  # type: ignore[arg-type]
        code_verifier="",
        instance=str(stored.get("instance", "")),
        next_url=str(stored.get("next_url", "")),
    )
