"""What every network connector offers, and the errors they raise.

One module per network (``linkedin``, ``x``, ``mastodon``, ``bluesky``) implements
``Connector``; ``registry.connector(network)`` returns it. Every request goes through
``core.http.safe_request``. Connectors turn HTTP outcomes into these errors so that callers
(the share queue, the engagement job) decide what to do without knowing the network:

- ``AuthExpired``: 401, or a refresh that failed: the account needs reconnecting;
- ``Forbidden``: 403 and other refusals that will not change on retry (final failure);
- ``RateLimited``: 429, with ``retry_after`` seconds from ``Retry-After`` (or a reset header);
- ``Unavailable``: 5xx, timeouts, unreachable: retry later with backoff;
- ``Rejected``: 4xx about the content itself (too long, duplicate): final failure.

Every error's ``str()`` is a sentence the employee can read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rallypoint.networks.models import ConnectedAccount


class NetworkError(Exception):
    """A network refused or failed a request; ``str(error)`` is a readable reason."""

    retryable = False


class AuthExpired(NetworkError):
    """The token is expired or revoked and could not be refreshed: reconnect."""


class Forbidden(NetworkError):
    """The network forbids this (missing scope, suspended account…)."""


class Rejected(NetworkError):
    """The network refused the content itself (too long, duplicate…)."""


class RateLimited(NetworkError):
    """Too many requests; try again after ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(NetworkError):
    """A server error, a timeout or no answer: worth retrying later."""

    retryable = True


@dataclass(frozen=True)
class TokenSet:
    """What a connection or a token refresh gives back."""

    access_token: str
    refresh_token: str = ""
    expires_at: dt.datetime | None = None
    scopes: str = ""
    remote_id: str = ""
    handle: str = ""


@dataclass(frozen=True)
class Published:
    """A post the network accepted."""

    remote_id: str
    remote_url: str = ""


@dataclass(frozen=True)
class Metrics:
    """Engagement of one post; ``None`` means the network does not give that figure."""

    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    quotes: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    raw: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class ShareContent:
    """What is posted: the employee's text, and the tracked link with its card."""

    text: str
    url: str
    title: str = ""
    description: str = ""
    idempotency_key: str = ""
    # An earlier attempt may have reached the network (a worker died, an answer was lost):
    # connectors without an idempotency key look for that post before posting again.
    retry: bool = False


class Connector(Protocol):
    network: str

    def publish(self, account: ConnectedAccount, content: ShareContent) -> Published: ...

    def refresh(self, account: ConnectedAccount) -> TokenSet: ...

    def metrics(self, account: ConnectedAccount, remote_id: str) -> Metrics | None: ...
