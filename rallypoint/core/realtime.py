"""Real-time events for every app: ``publish_to_user``, ``publish_to_space`` and ``publish``.

Services call these from ``transaction.on_commit`` so that nobody hears about a change
that was rolled back::

    transaction.on_commit(lambda: publish_to_user(user.pk, "toast", {"message": text}))

An event is a name (``toast``, ``notification.created``) and a JSON object. The browser
receives it through the event stream (``core.views.realtime``), and ``static/js/live.js``
re-dispatches it on ``document`` as a ``rallypoint:<name>`` DOM event.

Channels are strings: ``user:<id>`` (one person) and ``space:<id>`` (everyone who may
read the space; ``publish_to_space``). Core does not know who may read what: apps that
build on it register a *channel provider* (``register_channel_provider``), and
``channels_for`` asks each one, so that a viewer only ever subscribes to what they may see.

Access can change while a stream is open. Whatever changes who may read what calls
``access_changed_on_commit(user_ids)``: the open streams of those people recompute their
channels before delivering anything else (``core.views.realtime``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from rallypoint.core.broker import Broker, InMemoryBroker, Message, RedisBroker

EVENT_NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")

# Control events on a person's own channel, read by their streams and never forwarded.
ACCESS_CHANGED = "realtime.access_changed"
SESSION_ENDED = "realtime.session_ended"

ChannelProvider = Callable[[Any], Iterable[str]]
_providers: list[ChannelProvider] = []

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


def space_channel(space_id: int) -> str:
    return f"space:{int(space_id)}"


def register_channel_provider(provider: ChannelProvider) -> None:
    """Add ``provider(user) -> channel names`` to the channels people listen to.

    Call it from an ``AppConfig.ready``. A provider decides visibility (it reads through
    its app's selectors) and should cost one query: it runs when a stream starts and
    each time that person's access changes.
    """
    if provider not in _providers:
        _providers.append(provider)


def channels_for(user: Any) -> list[str]:
    """The channels ``user`` may listen to: their own, and those of every provider.

    Providers are asked about active people only; a deactivated person keeps nothing
    but their own channel. Reads the database: call it from sync code.
    """
    channels = [user_channel(user.pk)]
    if getattr(user, "is_active", False):
        for provider in _providers:
            channels.extend(provider(user))
    return channels


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


def publish_to_space(space_id: int, event: str, data: dict[str, Any]) -> None:
    """Send ``event`` to every open page of the people who may read space ``space_id``."""
    publish(space_channel(space_id), event, data)


def access_changed(user_ids: Iterable[int]) -> None:
    """Make the open streams of these people recompute their channels now.

    Safe across processes: the notice travels through the broker on each person's own
    channel, ahead of any event published after it.
    """
    get_broker().publish_many(
        Message(channel=user_channel(user_id), event=ACCESS_CHANGED, data={})
        for user_id in sorted({int(pk) for pk in user_ids})
    )


def access_changed_on_commit(user_ids: Iterable[int]) -> None:
    """``access_changed`` once the current transaction commits (what services call)."""
    ids = sorted({int(pk) for pk in user_ids})
    if ids:
        transaction.on_commit(lambda: access_changed(ids))


def session_tag(session_key: str) -> str:
    """Names a session in control events without revealing its key."""
    return salted_hmac("rallypoint.realtime.session", session_key).hexdigest()[:32]


@receiver(user_logged_out, dispatch_uid="rallypoint.core.realtime.user_logged_out")
def _end_session_streams(*, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Signing out ends the streams opened with that session, in every process."""
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is not None and session_key:
        publish(user_channel(user.pk), SESSION_ENDED, {"session": session_tag(session_key)})
