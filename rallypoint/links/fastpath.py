"""The redirect of ``/r/<code>`` as plain ASGI, in front of Django.

``GET`` and ``HEAD`` of ``/r/<code>`` are answered here without Django's middleware,
URL resolver or session: the link comes from memory (``capture.TARGETS``; the database,
in a thread, on a miss), the click goes to the in-memory queue (``buffer.CLICKS``) and the
302 leaves without waiting for any write. Every other request goes to Django unchanged,
including other methods on ``/r/<code>`` (the Django view answers 405).

The wrapper also speaks the ASGI lifespan protocol, which Django's handler does not: at
startup it warms the caches and starts the click writer; at shutdown (after the server has
finished its open requests) it writes every waiting click before the process exits. Each
uvicorn worker process runs its own lifespan, so each drains its own queue.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import MutableMapping
from typing import Any

from django.db import DatabaseError, connection

from rallypoint.links import bots
from rallypoint.links.buffer import CLICKS
from rallypoint.links.capture import (
    CODE_PATTERN,
    REDIRECT_HEADERS,
    SALTS,
    TARGETS,
    click_record,
    client_ip,
    db_threads_close,
    not_found_html,
    unavailable_html,
    utc_now,
)

logger = logging.getLogger(__name__)

ASGIApp = Any
Scope = MutableMapping[str, Any]
PATH = re.compile(rf"/r/({CODE_PATTERN})")
_REDIRECT_HEADERS = [(k.lower().encode(), v.encode()) for k, v in REDIRECT_HEADERS]
_HTML = [(b"content-type", b"text/html; charset=utf-8"), (b"x-content-type-options", b"nosniff")]


def _headers(scope: Scope) -> dict[bytes, bytes]:
    """The request headers this needs (the last of repeated ones)."""
    wanted = {b"user-agent", b"referer", b"x-forwarded-for"}
    return {name: value for name, value in scope["headers"] if name in wanted}


async def _respond(
    send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes, *, head: bool
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


class _NoClickAddresses(logging.Filter):
    """uvicorn's access log names each request's client address: for ``/r/`` requests,
    the visitors of shared links, it writes ``-`` instead (nothing about a click may
    name an address). Other lines are left as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and str(args[2]).startswith("/r/"):
            record.args = ("-", *args[1:])
        return True


logging.getLogger("uvicorn.access").addFilter(_NoClickAddresses())


def _warm_up() -> None:
    bots.warm_up()
    try:
        SALTS.prepare()
    except DatabaseError as exc:
        logger.warning("Cannot read the visitor salt at startup (%s); will try again", exc)
    finally:
        connection.close()


class RedirectFastPath:
    """ASGI middleware: ``/r/<code>`` here, the rest to ``app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind == "http" and scope["method"] in ("GET", "HEAD"):
            match = PATH.fullmatch(scope["path"])
            if match:
                await self._redirect(scope, match.group(1), send)
                return
        await self.app(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await asyncio.to_thread(_warm_up)
                    CLICKS.start()
                except Exception:
                    logger.exception("Starting the click writer failed")
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                try:
                    await asyncio.to_thread(CLICKS.drain)
                    await asyncio.to_thread(db_threads_close)
                except Exception:
                    logger.exception("Writing the last clicks failed")
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _redirect(self, scope: Scope, code: str, send: Any) -> None:
        head = scope["method"] == "HEAD"
        try:
            target = await TARGETS.aresolve(code)
        except (DatabaseError, TimeoutError) as exc:
            logger.warning("Cannot look up a link (%s)", exc)
            headers = [*_HTML, (b"cache-control", b"no-store"), (b"retry-after", b"30")]
            await _respond(send, 503, headers, unavailable_html(), head=head)
            return
        if target is None:
            headers = [*_HTML, *_REDIRECT_HEADERS]
            await _respond(send, 404, headers, not_found_html(), head=head)
            return
        at = utc_now()
        request = _headers(scope)
        user_agent = request.get(b"user-agent", b"").decode("latin-1")
        client = scope.get("client")
        ip = client_ip(
            client[0] if client else "", request.get(b"x-forwarded-for", b"").decode("latin-1")
        )
        record = click_record(
            target=target,
            method=scope["method"],
            ip=ip,
            user_agent=user_agent,
            referer=request.get(b"referer", b"").decode("latin-1"),
            salt=await SALTS.aget(at.date()),
            at=at,
        )
        CLICKS.add(record)
        location = (b"location", target.destination.encode("latin-1", "replace"))
        await _respond(send, 302, [location, *_REDIRECT_HEADERS], b"", head=head)
