"""The event stream: Server-Sent Events carrying one signed-in person's real-time events."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rallypoint.core import realtime
from rallypoint.core.broker import BrokerUnavailable, Message, SubscriptionClosed

logger = logging.getLogger(__name__)

# How long the browser waits before reconnecting after the stream ends.
RETRY_MILLISECONDS = 2000


def sse_event(message: Message) -> str:
    """One message in the SSE wire format: unnamed, so ``onmessage`` sees every event."""
    return f"id: {message.id}\ndata: {message.to_json()}\n\n"


async def _stream(channels: list[str], heartbeat: float) -> AsyncIterator[str]:
    """Yield the retry hint, then events and heartbeat comments until the client leaves.

    When the client disconnects, Django cancels the response and ``CancelledError``
    is raised at the ``await``; leaving the ``async with`` ends the subscription.
    """
    try:
        async with realtime.get_broker().subscribe(channels) as subscription:
            yield f"retry: {RETRY_MILLISECONDS}\n: connected\n\n"
            while True:
                message = await subscription.next(timeout=heartbeat)
                yield ": heartbeat\n\n" if message is None else sse_event(message)
    except (BrokerUnavailable, SubscriptionClosed) as exc:
        logger.info("Event stream ended: %s", exc.__class__.__name__)
        yield f"retry: {RETRY_MILLISECONDS}\n\n"


@require_GET
async def event_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({"error": _("Sign in to receive live updates.")}, status=401)
    response = StreamingHttpResponse(
        _stream(realtime.channels_for(user), float(settings.SSE_HEARTBEAT_SECONDS)),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"
    return response
