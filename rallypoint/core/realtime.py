"""Real-time events for every app: ``publish_to_user`` (and ``publish`` for other channels).

Services call these from ``transaction.on_commit`` so that nobody hears about a change
that was rolled back::

    transaction.on_commit(lambda: publish_to_user(user.pk, "toast", {"message": text}))

An event is a name (``toast``, ``notification.created``) and a JSON object. The browser
receives it through the event stream (``core.views.realtime``), and ``static/js/live.js``
re-dispatches it on ``document`` as a ``rallypoint:<name>`` DOM event.

Channels are strings: ``user:<id>`` today; later features add their own (``space:<id>``)
and extend ``channels_for`` so that a viewer only ever subscribes to what they may see.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from rallypoint.core.broker import Broker, InMemoryBroker, Message, RedisBroker

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")

_broker: Broker | None = None
_broker_lock = threading.Lock()


def get_broker() -> Broker:
    """The process-wide broker chosen by ``REALTIME_BROKER`` ("memory" or "redis")."""
    global _broker
    with _broker_lock:
        if _broker is None:
            _broker = _build_broker()
        return _broker


def _build_broker() -> Broker:
    kind = settings.REALTIME_BROKER
    if kind == "memory":
        return InMemoryBroker()
    if kind == "redis":
        if not settings.REDIS_URL:
            raise ValueError("REALTIME_BROKER=redis needs REDIS_URL")
        prefix = settings.CACHES["default"].get("KEY_PREFIX") or "rallypoint"
        return RedisBroker(url=settings.REDIS_URL, prefix=f"{prefix}:events:")
    raise ValueError(f"REALTIME_BROKER must be 'memory' or 'redis', not {kind!r}")


@receiver(setting_changed)
def _forget_broker(*, setting: str, **kwargs: Any) -> None:
    global _broker
    if setting in {"REALTIME_BROKER", "REDIS_URL", "CACHES"}:
        with _broker_lock:
            _broker = None


def close_streams() -> None:
    """End every open event stream of this process; used when the server stops."""
    if _broker is not None:
        _broker.close_all()


def user_channel(user_id: int) -> str:
    return f"user:{int(user_id)}"


def channels_for(user: Any) -> list[str]:
    """The channels ``user`` may listen to."""
    return [user_channel(user.pk)]


def publish(channel: str, event: str, data: dict[str, Any]) -> Message:
    """Send ``event`` with ``data`` to everyone subscribed to ``channel``.

    Safe from any thread and any process. ``data`` must be JSON-serialisable; it reaches
    the browser as is, so put only what the channel's subscribers may see in it.
    """
    if not EVENT_NAME.match(event):
        raise ValueError(f"Event names are lowercase words with . _ -, got {event!r}")
    message = Message(channel=channel, event=event, data=dict(data))
    message.to_json()  # fail here, in the caller, if data cannot be serialised
    get_broker().publish(message)
    return message


def publish_to_user(user_id: int, event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to every open page of one person."""
    publish(user_channel(user_id), event, data)
