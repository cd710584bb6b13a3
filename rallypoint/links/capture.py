"""What the redirect of ``/r/<code>`` does, shared by the ASGI fast path and the Django view:
find the link (from memory, else the database), describe the click, answer.

Two in-process caches keep the database out of the way of a click:

- ``TARGETS``: code → (link id, destination, network), for ``TARGET_SECONDS``; an unknown
  code is remembered as unknown for ``MISS_SECONDS`` (so a scan of made-up codes costs one
  query per code and minute, not one per request).
- ``SALTS``: the visitor salt of today (and of tomorrow, fetched in the last minutes of the
  day by the click writer so that midnight needs no query). Salts of past days are
  forgotten from memory as soon as a newer one is loaded.

Database lookups run in a small pool of threads (``DB_EXECUTOR``) whose connections stay
open between lookups, so the event loop never waits on the database itself.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import ipaddress
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils.translation import gettext as _

from rallypoint.links import selectors
from rallypoint.links.bots import bot_name_for
from rallypoint.links.devices import device_class
from rallypoint.links.selectors import LinkTarget
from rallypoint.links.services import ClickRecord, visitor_salt_for

logger = logging.getLogger(__name__)

T = TypeVar("T")

CODE_PATTERN = r"[0-9A-Za-z]{1,16}"
TARGET_SECONDS = 300.0
MISS_SECONDS = 30.0
TARGET_CACHE_SIZE = 50_000
# How long a redirect waits for a link lookup (then 503) or for the day's salt (then it
# hashes with a salt of this process alone, see ``SaltCache``).
LOOKUP_TIMEOUT_SECONDS = 10.0
SALT_TIMEOUT_SECONDS = 2.0
SALT_RETRY_SECONDS = 5.0
# The last minutes of a UTC day, during which tomorrow's salt is fetched ahead.
SALT_AHEAD = datetime.timedelta(minutes=15)

REDIRECT_HEADERS = (
    ("Cache-Control", "no-store"),
    # The destination learns the origin of the page the link was on (the network), as it
    # would from a direct link, never the full address of that page.
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Robots-Tag", "noindex, nofollow"),
)

DB_THREADS = 4


def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=DB_THREADS, thread_name_prefix="links-db")


DB_EXECUTOR = _executor()


def db_threads_close() -> None:
    """End the lookup threads, and with them their database connections (at shutdown;
    tests, before their database goes away). New lookups get new threads."""
    global DB_EXECUTOR
    old, DB_EXECUTOR = DB_EXECUTOR, _executor()
    threads = len(old._threads)
    if threads:
        # One task per thread (the barrier holds each until all have one): every thread
        # closes its own connection.
        barrier = threading.Barrier(threads)

        def close() -> None:
            try:
                barrier.wait(5)
            finally:
                connection.close()

        for _ in range(threads):
            old.submit(close)
    old.shutdown(wait=True)


_MISSING: Any = object()


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def db_call(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a thread that keeps its connection; a connection the server dropped
    (restart, idle timeout) is closed and the call tried once more on a new one."""
    try:
        return fn(*args)
    except (OperationalError, InterfaceError):
        connection.close()
        try:
            return fn(*args)
        except DatabaseError:
            connection.close()
            raise


class TargetCache:
    """Code → ``LinkTarget`` (or None for an unknown code) with an expiry, oldest evicted."""

    def __init__(
        self,
        *,
        size: int = TARGET_CACHE_SIZE,
        seconds: float = TARGET_SECONDS,
        miss_seconds: float = MISS_SECONDS,
    ) -> None:
        self.size = size
        self.seconds = seconds
        self.miss_seconds = miss_seconds
        self._entries: OrderedDict[str, tuple[float, LinkTarget | None]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, asyncio.Future[LinkTarget | None]] = {}

    def cached(self, code: str) -> LinkTarget | None:
        """The remembered answer, or ``_MISSING`` when there is none (or it expired)."""
        with self._lock:
            entry = self._entries.get(code)
        if entry is None or entry[0] < time.monotonic():
            return _MISSING
        return entry[1]

    def remember(self, code: str, target: LinkTarget | None) -> None:
        ttl = self.seconds if target is not None else self.miss_seconds
        with self._lock:
            self._entries[code] = (time.monotonic() + ttl, target)
            self._entries.move_to_end(code)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def resolve(self, code: str) -> LinkTarget | None:
        """The link of ``code`` (None: unknown), querying in this thread on a miss."""
        target = self.cached(code)
        if target is _MISSING:
            target = selectors.link_target(code)
            self.remember(code, target)
        return target

    async def aresolve(self, code: str) -> LinkTarget | None:
        """``resolve`` for the event loop: the query runs in ``DB_EXECUTOR``, and requests
        for the same code arriving meanwhile wait for that one query."""
        target = self.cached(code)
        if target is not _MISSING:
            return target
        pending = self._loading.get(code)
        if pending is None:
            loop = asyncio.get_running_loop()
            pending = asyncio.ensure_future(
                loop.run_in_executor(DB_EXECUTOR, db_call, selectors.link_target, code)
            )
            self._loading[code] = pending
            pending.add_done_callback(lambda _f: self._loading.pop(code, None))
        target = await asyncio.wait_for(asyncio.shield(pending), LOOKUP_TIMEOUT_SECONDS)
        self.remember(code, target)
        return target


class SaltCache:
    """The visitor salts of today and tomorrow (UTC), from the database.

    When the database cannot give today's salt (it is down at the first click of the day),
    clicks are hashed with a random salt of this process alone, never stored, until the
    shared one can be read: the redirect never waits on it, at the price of counting a
    visitor again if they click on another worker or after the shared salt is back.
    """

    def __init__(self) -> None:
        self._salts: dict[datetime.date, str] = {}
        self._fallback: dict[datetime.date, str] = {}
        self._lock = threading.Lock()
        self._failed_at = -SALT_RETRY_SECONDS
        # The day whose salt is being read, and the read (requests arriving meanwhile
        # wait for the same one).
        self._loading: tuple[datetime.date, asyncio.Future[str]] | None = None

    def cached(self, day: datetime.date) -> str | None:
        return self._salts.get(day)

    def clear(self) -> None:
        with self._lock:
            self._salts.clear()
            self._fallback.clear()
            self._failed_at = -SALT_RETRY_SECONDS
            self._loading = None

    def load(self, day: datetime.date) -> str:
        """Read (or create) ``day``'s salt from the database, in this thread."""
        salt = visitor_salt_for(day=day)
        today = utc_now().date()
        with self._lock:
            self._salts = {d: s for d, s in self._salts.items() if d >= today}
            self._salts[day] = salt
            self._fallback = {d: s for d, s in self._fallback.items() if d >= today}
        return salt

    def _fallback_for(self, day: datetime.date) -> str:
        self._failed_at = time.monotonic()
        with self._lock:
            return self._fallback.setdefault(day, secrets.token_hex(32))

    def _recently_failed(self) -> bool:
        return time.monotonic() - self._failed_at < SALT_RETRY_SECONDS

    def get(self, day: datetime.date) -> str:
        """``day``'s salt, loading it in this thread on a miss."""
        salt = self.cached(day)
        if salt is not None:
            return salt
        if self._recently_failed():
            return self._fallback_for(day)
        try:
            return self.load(day)
        except DatabaseError:
            logger.warning("Cannot read the visitor salt; hashing with this process's own")
            return self._fallback_for(day)

    async def aget(self, day: datetime.date) -> str:
        """``get`` for the event loop, waiting at most ``SALT_TIMEOUT_SECONDS``."""
        salt = self.cached(day)
        if salt is not None:
            return salt
        if self._recently_failed():
            return self._fallback_for(day)
        loading = self._loading
        if loading is None or loading[1].done() or loading[0] != day:
            loop = asyncio.get_running_loop()
            loading = (
                day,
                asyncio.ensure_future(loop.run_in_executor(DB_EXECUTOR, db_call, self.load, day)),
            )
            self._loading = loading
        try:
            return await asyncio.wait_for(asyncio.shield(loading[1]), SALT_TIMEOUT_SECONDS)
        except (DatabaseError, TimeoutError):
            logger.warning("Cannot read the visitor salt; hashing with this process's own")
            return self._fallback_for(day)

    def prepare(self, now: datetime.datetime | None = None) -> None:
        """Have today's salt, and tomorrow's in the last minutes of the day, in memory.
        Called by the click writer's thread between batches; raises ``DatabaseError``."""
        now = now or utc_now()
        today = now.date()
        if self.cached(today) is None:
            self.load(today)
        tomorrow = today + datetime.timedelta(days=1)
        if (
            now + SALT_AHEAD >= datetime.datetime.combine(tomorrow, datetime.time(), datetime.UTC)
            and self.cached(tomorrow) is None
        ):
            self.load(tomorrow)


TARGETS = TargetCache()
SALTS = SaltCache()


@lru_cache(maxsize=8)
def _networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(peer: str, forwarded_for: str = "") -> str:
    """The visitor's address: the connection's peer, or, when the peer is one of
    ``TRUSTED_PROXIES``, the last address of its ``X-Forwarded-For`` (the one that proxy
    saw; earlier ones are whatever the client claimed)."""
    trusted = _networks(tuple(settings.TRUSTED_PROXIES))
    if not trusted or not forwarded_for:
        return peer
    peer_ip = _parse_ip(peer)
    if peer_ip is None or not any(peer_ip in network for network in trusted):
        return peer
    last = _parse_ip(forwarded_for.split(",")[-1])
    return str(last) if last is not None else peer


def referrer_host(referer: str) -> str:
    """Only the host of the ``Referer`` header: the rest may say who the visitor is."""
    if not referer:
        return ""
    try:
        host = urlsplit(referer.strip()).hostname or ""
    except ValueError:
        return ""
    return host[:253]


def visitor_hash(*, salt: str, ip: str, user_agent: str) -> str:
    """sha256 of the day's salt, the address and the browser: equal for the same visitor
    on the same day, and useless once the salt is deleted."""
    return hashlib.sha256(f"{salt}\x00{ip}\x00{user_agent}".encode()).hexdigest()


def click_record(
    *,
    target: LinkTarget,
    method: str,
    ip: str,
    user_agent: str,
    referer: str,
    salt: str,
    at: datetime.datetime,
) -> ClickRecord:
    """The click to store, in which the address survives only inside the hash."""
    bot = bot_name_for(method=method, user_agent=user_agent)
    return ClickRecord(
        link_id=target.link_id,
        at=at,
        network=target.network,
        referrer_host=referrer_host(referer),
        device_class=device_class(user_agent, is_bot=bool(bot)),
        visitor_hash=visitor_hash(salt=salt, ip=ip, user_agent=user_agent),
        is_bot=bool(bot),
        bot_name=bot,
    )


def not_found_html() -> bytes:
    """The small page of an unknown code (the fast path has no templates or session)."""
    title = _("Link not found")
    text = _("This link does not exist or was removed.")
    return (
        f'<!doctype html><html lang="{settings.LANGUAGE_CODE}"><meta charset="utf-8">'
        f'<meta name="robots" content="noindex"><title>{title}</title>'
        f"<h1>{title}</h1><p>{text}</p></html>"
    ).encode()


def unavailable_html() -> bytes:
    title = _("Try again in a moment")
    text = _("This link cannot be looked up right now.")
    return (
        f'<!doctype html><html lang="{settings.LANGUAGE_CODE}"><meta charset="utf-8">'
        f"<title>{title}</title><h1>{title}</h1><p>{text}</p></html>"
    ).encode()
