"""The event broker behind real-time updates: publish to a channel, subscribe from async code.

Two implementations share one interface:

- ``InMemoryBroker`` fans events out to the subscribers of this process only. Publishing
  is safe from any thread (web requests, the embedded job consumer): each subscriber is
  handed the event on its own event loop with ``loop.call_soon_threadsafe``.
- ``RedisBroker`` publishes through Redis pub/sub, so an event published by any process
  (a web worker, a ``rallypoint worker``, a shell) reaches the subscribers of every
  process. Each process keeps one Redis subscription (a pattern on the broker's prefix) and
  fans out locally with an ``InMemoryBroker``, so a thousand open streams cost one Redis
  connection, not a thousand.

Events are fire-and-forget: nothing is stored, and a subscriber that is not connected
when an event is published never sees it. Pages refresh their state when a stream reopens.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio as aioredis

logger = logging.getLogger(__name__)

# Events waiting for one slow subscriber before it is dropped (its client reconnects).
SUBSCRIBER_BACKLOG = 1000


class BrokerUnavailable(Exception):
    """The broker cannot take a subscription now (Redis down, or the server stopping)."""


class SubscriptionClosed(Exception):
    """The broker ended this subscription: the server is stopping or the reader fell behind."""


_sequence = itertools.count(1)


def new_event_id() -> str:
    """An id that sorts by publication time and is unique enough across processes."""
    return f"{time.time_ns() // 1000:x}-{next(_sequence):x}"


@dataclass(frozen=True)
class Message:
    channel: str
    event: str
    data: dict[str, Any]
    id: str = field(default_factory=new_event_id)

    def to_json(self) -> str:
        return json.dumps(
            {"id": self.id, "channel": self.channel, "event": self.event, "data": self.data},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Message:
        payload = json.loads(raw)
        return cls(
            channel=str(payload["channel"]),
            event=str(payload["event"]),
            data=dict(payload["data"]),
            id=str(payload["id"]),
        )


_CLOSED = object()


class Subscription:
    """What one subscriber reads from, as an async context manager::

        async with broker.subscribe(["user:1"]) as subscription:
            message = await subscription.next(timeout=15)

    It is live once entered and removed from the broker on exit, including when the
    reading task is cancelled. ``change_channels`` moves it to other channels without a
    gap: nothing published meanwhile is lost on the channels it keeps.
    """

    def __init__(
        self,
        channels: Iterable[str],
        *,
        enter: Callable[[Subscription], Awaitable[None]],
        leave: Callable[[Subscription], None],
        move: Callable[[Subscription, frozenset[str]], None],
    ) -> None:
        self.channels = frozenset(channels)
        self.closed = False
        self._enter = enter
        self._leave = leave
        self._move = move
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[object] = asyncio.Queue(maxsize=SUBSCRIBER_BACKLOG)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        assert self._loop is not None, "use the subscription inside `async with`"
        return self._loop

    async def __aenter__(self) -> Subscription:
        self._loop = asyncio.get_running_loop()
        await self._enter(self)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._leave(self)

    def _deliver(self, item: object) -> None:
        """Runs on the subscriber's own loop."""
        if self.closed:
            return
        if item is _CLOSED:
            self.closed = True
        elif self._queue.full():
            logger.warning(
                "Dropping a real-time subscriber that fell %s events behind", SUBSCRIBER_BACKLOG
            )
            self.closed = True
            item = _CLOSED
            self._drain()
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(item)

    def _drain(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()

    def change_channels(self, channels: Iterable[str]) -> None:
        """Listen to ``channels`` from now on. Events of a channel left that are already
        queued are never returned by ``next``: leaving a channel takes effect at once."""
        self._move(self, frozenset(channels))

    async def next(self, timeout: float) -> Message | None:
        """The next event of the current channels, or None when ``timeout`` seconds pass
        without one."""
        deadline = self.loop.time() + timeout
        while True:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                remaining = deadline - self.loop.time()
                if remaining <= 0:
                    return None
                try:
                    item = await asyncio.wait_for(self._queue.get(), remaining)
                except TimeoutError:
                    return None
            if item is _CLOSED:
                raise SubscriptionClosed
            assert isinstance(item, Message)
            if item.channel in self.channels:
                return item


class Broker(ABC):
    """Publish from sync code in any thread; subscribe from async code."""

    @abstractmethod
    def publish(self, message: Message) -> None:
        """Send ``message`` to the subscribers of ``message.channel``. Never raises for a
        broker outage: real-time delivery is best effort, the stored data is the truth."""

    def publish_many(self, messages: Iterable[Message]) -> None:
        """``publish`` each message, in order; brokers may batch them."""
        for message in messages:
            self.publish(message)

    @abstractmethod
    def subscribe(self, channels: Iterable[str]) -> Subscription:
        """A ``Subscription`` to ``channels``, live once entered with ``async with``."""

    @abstractmethod
    def close_all(self) -> None:
        """End every subscription of this process and refuse new ones (server shutdown)."""

    @abstractmethod
    def check(self) -> None:
        """Raise if the broker cannot deliver events now."""


class InMemoryBroker(Broker):
    """Fan-out to the subscribers of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_channel: dict[str, set[Subscription]] = {}
        self._live: set[Subscription] = set()
        self._closed = False

    def publish(self, message: Message) -> None:
        with self._lock:
            subscribers = list(self._by_channel.get(message.channel, ()))
        for subscription in subscribers:
            self._hand_over(subscription, message)

    def _hand_over(self, subscription: Subscription, item: object) -> None:
        try:
            subscription.loop.call_soon_threadsafe(subscription._deliver, item)
        except RuntimeError:
            # The subscriber's loop is closed: it can never read again.
            self._remove(subscription)

    async def _add(self, subscription: Subscription) -> None:
        self._register(subscription)

    def _register(self, subscription: Subscription) -> None:
        with self._lock:
            if self._closed:
                raise BrokerUnavailable("the server is stopping")
            self._live.add(subscription)
            for channel in subscription.channels:
                self._by_channel.setdefault(channel, set()).add(subscription)

    def _remove(self, subscription: Subscription) -> None:
        with self._lock:
            self._live.discard(subscription)
            for channel in subscription.channels:
                members = self._by_channel.get(channel)
                if members is not None:
                    members.discard(subscription)
                    if not members:
                        del self._by_channel[channel]

    def _move(self, subscription: Subscription, channels: frozenset[str]) -> None:
        with self._lock:
            for channel in subscription.channels - channels:
                members = self._by_channel.get(channel)
                if members is not None:
                    members.discard(subscription)
                    if not members:
                        del self._by_channel[channel]
            if subscription in self._live:
                for channel in channels - subscription.channels:
                    self._by_channel.setdefault(channel, set()).add(subscription)
            subscription.channels = channels

    def subscribe(self, channels: Iterable[str]) -> Subscription:
        return Subscription(channels, enter=self._add, leave=self._remove, move=self._move)

    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._live)

    def close_all(self) -> None:
        with self._lock:
            self._closed = True
        self.end_subscriptions()

    def end_subscriptions(self) -> None:
        """End the open subscriptions; their clients reconnect and refresh what they show."""
        with self._lock:
            subscribers = set(self._live)
        for subscription in subscribers:
            self._hand_over(subscription, _CLOSED)

    def check(self) -> None:
        if self._closed:
            raise BrokerUnavailable("the server is stopping")


class RedisBroker(Broker):
    """Redis pub/sub between processes, with one reader per process fanning out locally.

    Channels are published as ``<prefix><channel>``; the reader subscribes to the pattern
    ``<prefix>*`` on the first subscription and runs on that subscriber's event loop.
    """

    reconnect_delay = 1.0
    ready_timeout = 5.0

    def __init__(self, *, url: str, prefix: str) -> None:
        self.url = url
        self.prefix = prefix
        self._local = InMemoryBroker()
        self._client: redis.Redis | None = None
        self._client_lock = threading.Lock()
        self._reader: asyncio.Task[None] | None = None
        self._reader_loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Event | None = None

    def _sync_client(self) -> redis.Redis:
        with self._client_lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self.url, socket_connect_timeout=2, socket_timeout=2
                )
            return self._client

    def publish(self, message: Message) -> None:
        try:
            self._sync_client().publish(self.prefix + message.channel, message.to_json())
        except redis.RedisError:
            logger.warning(
                "Real-time event %s to %s not delivered: Redis unreachable",
                message.event,
                message.channel,
                exc_info=True,
            )

    def publish_many(self, messages: Iterable[Message]) -> None:
        """One round trip per thousand messages instead of one per message."""
        batch = list(messages)
        try:
            for start in range(0, len(batch), 1000):
                pipeline = self._sync_client().pipeline(transaction=False)
                for message in batch[start : start + 1000]:
                    pipeline.publish(self.prefix + message.channel, message.to_json())
                pipeline.execute()
        except redis.RedisError:
            logger.warning(
                "%s real-time events not delivered: Redis unreachable", len(batch), exc_info=True
            )

    def subscribe(self, channels: Iterable[str]) -> Subscription:
        return Subscription(
            channels, enter=self._add, leave=self._local._remove, move=self._local._move
        )

    async def _add(self, subscription: Subscription) -> None:
        await self._ensure_reader()
        self._local._register(subscription)

    async def _ensure_reader(self) -> None:
        loop = asyncio.get_running_loop()
        reader = self._reader
        if reader is None or reader.done() or self._reader_loop is not loop:
            if reader is not None and not reader.done() and self._reader_loop is not None:
                self._reader_loop.call_soon_threadsafe(reader.cancel)
            self._ready = asyncio.Event()
            self._reader_loop = loop
            self._reader = loop.create_task(self._read(self._ready), name="realtime-redis")
        assert self._ready is not None
        try:
            await asyncio.wait_for(self._ready.wait(), self.ready_timeout)
        except TimeoutError as exc:
            raise BrokerUnavailable("Redis is unreachable") from exc

    async def _read(self, ready: asyncio.Event) -> None:
        """Receive every event under the prefix and hand it to local subscribers."""
        while True:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(self.prefix + "*")
                ready.set()
                async for raw in pubsub.listen():
                    if raw.get("type") != "pmessage":
                        continue
                    try:
                        message = Message.from_json(raw["data"])
                    except (ValueError, KeyError, TypeError):
                        logger.warning(
                            "Ignoring a malformed real-time event on %s", raw.get("channel")
                        )
                        continue
                    self._local.publish(message)
            except (redis.RedisError, OSError):
                ready.clear()
                # Events published meanwhile are lost: end the streams so that pages
                # reconnect and refresh once Redis is back.
                self._local.end_subscriptions()
                logger.warning(
                    "Real-time reader lost Redis; retrying in %ss",
                    self.reconnect_delay,
                    exc_info=True,
                )
                await asyncio.sleep(self.reconnect_delay)
            finally:
                with contextlib.suppress(redis.RedisError, OSError):
                    await pubsub.aclose()
                    await client.aclose()

    def close_all(self) -> None:
        self._local.close_all()
        if self._reader is not None and self._reader_loop is not None:
            with contextlib.suppress(RuntimeError):
                self._reader_loop.call_soon_threadsafe(self._reader.cancel)

    def check(self) -> None:
        self._local.check()
        self._sync_client().ping()
