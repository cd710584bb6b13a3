"""How the API knows who is calling: a personal access token or the browser session.

Tokens come in ``Authorization: Bearer rp_…``. A request that presents a bearer token is
judged by the token alone: a bad token answers 401 even if a session cookie came too.
Other schemes in ``Authorization`` (a proxy's Basic credentials) are ignored.
Without a token, the session of a signed-in person is used, and unsafe methods
(POST, PUT, PATCH, DELETE) must then carry Django's CSRF token (``X-CSRFToken``),
exactly as a form would.

Failed token attempts are counted per client address (IPv6 by /64) in the cache:
after ``FAILURE_LIMIT`` failures within ``FAILURE_WINDOW`` seconds that address gets
429 for token requests until the window ends. The count is shared between processes
when the cache is Redis.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from rallypoint.api.selectors import token_by_hash
from rallypoint.api.services import TOKEN_SCHEME, token_hash, token_touch
from rallypoint.people.lockout import address_subject

FAILURE_LIMIT = 20
FAILURE_WINDOW = 600
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class TooManyFailures(HttpError):
    def __init__(self) -> None:
        super().__init__(
            429,
            _("Too many failed token attempts from your address. Try again in %(minutes)d minutes.")
            % {"minutes": FAILURE_WINDOW // 60},
        )
        self.retry_after = FAILURE_WINDOW


def _failure_key(request: HttpRequest) -> str:
    subject = address_subject(request)
    return f"api:token-failures:{subject.key if subject else 'unknown'}"


def _record_failure(request: HttpRequest) -> None:
    key = _failure_key(request)
    if cache.add(key, 1, FAILURE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, FAILURE_WINDOW)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rp_…`` with a personal access token."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            # Another scheme (say, Basic added by a reverse proxy) is not ours to judge.
            return None
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if (cache.get(_failure_key(request)) or 0) >= FAILURE_LIMIT:
            raise TooManyFailures
        found = token_by_hash(token_hash(token)) if token.startswith(TOKEN_SCHEME) else None
        if found is None or not found.is_usable or not found.user.is_active:
            _record_failure(request)
            raise AuthenticationError(
                401, _("This token is not valid: it is unknown, revoked or expired.")
            )
        token_touch(token=found, at=timezone.now())
        request.user = found.user
        request.access_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The signed-in person of the browser session, with CSRF checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not user.is_authenticated or not user.is_active:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if request.method not in SAFE_METHODS and not exempt and check_csrf(request):
            raise HttpError(
                403, _("CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")
            )
        return user


token_auth = TokenAuth()
session_auth = SessionAuth()
