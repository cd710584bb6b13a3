"""The event stream: Server-Sent Events carrying one signed-in person's real-time events.

A stream listens to the person's own channel and to the channels ``realtime.channels_for``
gives them (the spaces they may read). Access is re-checked, in one place, whenever it
may have changed:

- an ``access_changed`` notice on the person's channel, sent after any change to what
  they may read, makes the stream recompute its channels before it delivers anything
  else; events of a channel it leaves are dropped even when already queued;
- signing out ends the streams of that session (a ``session_ended`` notice);
- at every heartbeat the stream checks that the session still signs this person in (not
  signed out, expired or invalidated by a password change), that they are active, and
  recomputes the channels, which also catches changes made outside the services.

A deactivated or signed-out person's stream ends; the browser's reconnection then gets
401 and stops. Between checks the stream holds no database connection.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from importlib import import_module
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import auth
from django.db import close_old_connections
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rallypoint.core import realtime
from rallypoint.core.broker import BrokerUnavailable, Message, SubscriptionClosed

logger = logging.getLogger(__name__)

# How long the browser waits before reconnecting after the stream ends.
RETRY_MILLISECONDS = 2000

T = TypeVar("T")


def sse_event(message: Message) -> str:
    """One message in the SSE wire format: unnamed, so ``onmessage`` sees every event."""
    return f"id: {message.id}\ndata: {message.to_json()}\n\n"


async def _read_database(read: Callable[[], T]) -> T:
    """Run ``read`` in the request's thread, then give its database connection back, so
    that thousands of idle streams do not hold thousands of connections."""

    def run() -> T:
        try:
            return read()
        finally:
            close_old_connections()

    return await sync_to_async(run)()


def _channels_if_signed_in(session_key: str | None, user_id: int) -> list[str] | None:
    """The channels of ``user_id`` if ``session_key`` still signs them in, else None."""
    request = HttpRequest()
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = auth.get_user(request)
    if not user.is_authenticated or user.pk != user_id or not user.is_active:
        return None
    return realtime.channels_for(user)


class _Viewer:
    """Who the stream is for, and the checks it runs on their behalf."""

    def __init__(self, user: Any, session_key: str | None) -> None:
        self.user = user
        self.own_channel = realtime.user_channel(user.pk)
        self.session_key = session_key
        self.session_tag = realtime.session_tag(session_key) if session_key else ""

    async def initial_channels(self) -> list[str]:
        return await _read_database(lambda: realtime.channels_for(self.user))

    async def current_channels(self) -> list[str] | None:
        return await _read_database(lambda: _channels_if_signed_in(self.session_key, self.user.pk))

    def is_control(self, message: Message) -> bool:
        return message.channel == self.own_channel and message.event in {
            realtime.ACCESS_CHANGED,
            realtime.SESSION_ENDED,
        }

    def is_own_session(self, message: Message) -> bool:
        return bool(self.session_tag) and message.data.get("session") == self.session_tag


async def _stream(viewer: _Viewer, heartbeat: float) -> AsyncIterator[str]:
    """Yield the retry hint, then events and heartbeat comments until the client leaves
    or the person may no longer listen.

    The stream subscribes to the person's own channel before reading their other
    channels, so an access notice sent while it starts is not missed. When the client
    disconnects, Django cancels the response and ``CancelledError`` is raised at the
    ``await``; leaving the ``async with`` ends the subscription.
    """
    try:
        async with realtime.get_broker().subscribe([viewer.own_channel]) as subscription:
            subscription.change_channels(await viewer.initial_channels())
            yield f"retry: {RETRY_MILLISECONDS}\n: connected\n\n"
            while True:
                message = await subscription.next(timeout=heartbeat)
                if message is not None and not viewer.is_control(message):
                    yield sse_event(message)
                    continue
                if message is not None and message.event == realtime.SESSION_ENDED:
                    if viewer.is_own_session(message):
                        break
                    continue
                channels = await viewer.current_channels()
                if channels is None:
                    break
                subscription.change_channels(channels)
                if message is None:
                    yield ": heartbeat\n\n"
        logger.info("Event stream ended: signed out or access withdrawn")
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
    except (BrokerUnavailable, SubscriptionClosed) as exc:
        logger.info("Event stream ended: %s", exc.__class__.__name__)
        yield f"retry: {RETRY_MILLISECONDS}\n\n"


@require_GET
async def event_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": _("Sign in to receive live updates.")}, status=401)
    viewer = _Viewer(user, request.session.session_key)
    response = StreamingHttpResponse(
        _stream(viewer, float(settings.SSE_HEARTBEAT_SECONDS)),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response
