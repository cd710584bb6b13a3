"""The brokers on their own: fan-out, threads, isolation, shutdown, Redis."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

from rallypoint.core import realtime
from rallypoint.core.broker import (
    SUBSCRIBER_BACKLOG,
    BrokerUnavailable,
    InMemoryBroker,
    Message,
    RedisBroker,
    SubscriptionClosed,
)

pytestmark = pytest.mark.timeout(30)

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on a fresh loop in its own thread, as a server process would
    (the browser tests leave Playwright's loop running in this thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_memory_broker_delivers_events_published_from_another_thread():
    broker = InMemoryBroker()

    async def scenario() -> list[Message | None]:
        async with broker.subscribe(["user:1"]) as mine, broker.subscribe(["user:2"]) as theirs:
            publisher = threading.Thread(
                target=broker.publish, args=(Message("user:1", "toast", {"message": "hi"}),)
            )
            publisher.start()
            publisher.join()
            return [await mine.next(timeout=2), await theirs.next(timeout=0.2)]

    received, not_theirs = run(scenario())

    assert received is not None
    assert (received.event, received.data) == ("toast", {"message": "hi"})
    assert not_theirs is None
    assert broker.subscriber_count() == 0


def test_memory_broker_fans_out_to_every_subscriber_of_a_channel():
    broker = InMemoryBroker()

    async def scenario() -> list[str]:
        async with broker.subscribe(["user:1"]) as tab_a, broker.subscribe(["user:1"]) as tab_b:
            broker.publish(Message("user:1", "ping", {}))
            got = [await tab_a.next(timeout=1), await tab_b.next(timeout=1)]
            return [m.event for m in got if m is not None]

    assert run(scenario()) == ["ping", "ping"]


def test_close_all_ends_open_subscriptions_and_refuses_new_ones():
    broker = InMemoryBroker()

    async def scenario() -> None:
        async with broker.subscribe(["user:1"]) as subscription:
            broker.close_all()
            with pytest.raises(SubscriptionClosed):
                await subscription.next(timeout=1)
        with pytest.raises(BrokerUnavailable):
            async with broker.subscribe(["user:1"]):
                pass

    run(scenario())


def test_a_subscriber_that_falls_behind_is_dropped_not_buffered_forever():
    broker = InMemoryBroker()

    async def scenario() -> None:
        async with broker.subscribe(["user:1"]) as subscription:
            for n in range(SUBSCRIBER_BACKLOG + 1):
                broker.publish(Message("user:1", "tick", {"n": n}))
            await asyncio.sleep(0.05)
            with pytest.raises(SubscriptionClosed):
                await subscription.next(timeout=1)

    run(scenario())


def test_publish_refuses_bad_event_names_and_unserialisable_data(settings):
    settings.REALTIME_BROKER = "memory"

    with pytest.raises(ValueError, match="Event names"):
        realtime.publish_to_user(1, "toast\ndata: injected", {})
    with pytest.raises(TypeError):
        realtime.publish_to_user(1, "toast", {"when": object()})


def test_publish_to_user_reaches_that_users_channel(settings):
    settings.REALTIME_BROKER = "memory"
    broker = realtime.get_broker()

    async def scenario() -> Message | None:
        async with broker.subscribe(realtime.channels_for(type("U", (), {"pk": 7})())) as sub:
            realtime.publish_to_user(7, "toast", {"message": "Saved"})
            return await sub.next(timeout=1)

    message = run(scenario())
    assert message is not None
    assert (message.channel, message.event, message.data) == (
        "user:7",
        "toast",
        {"message": "Saved"},
    )


def test_redis_broker_round_trip_and_channel_isolation(redis_url):
    broker = RedisBroker(url=redis_url, prefix=f"test-{uuid.uuid4().hex[:8]}:events:")

    async def scenario() -> tuple[Message | None, Message | None]:
        async with broker.subscribe(["user:1"]) as mine, broker.subscribe(["user:2"]) as theirs:
            await asyncio.to_thread(broker.publish, Message("user:1", "toast", {"m": 1}))
            return await mine.next(timeout=3), await theirs.next(timeout=0.3)

    received, not_theirs = run(scenario())

    assert received is not None
    assert received.data == {"m": 1}
    assert not_theirs is None
    broker.check()


def test_redis_broker_publish_survives_an_unreachable_redis(caplog):
    broker = RedisBroker(url="redis://127.0.0.1:1/0", prefix="test:events:")

    broker.publish(Message("user:1", "toast", {}))

    assert "not delivered" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_stream_view_relays_events_from_other_threads_and_unsubscribes_on_close(
    settings, django_user_model
):
    from django.test import AsyncClient

    settings.REALTIME_BROKER = "memory"
    broker = realtime.get_broker()
    assert isinstance(broker, InMemoryBroker)
    user = django_user_model.objects.create_user("fi@example.com", "x" * 12, display_name="Fi")

    async def scenario() -> tuple[list[str], int, int]:
        client = AsyncClient()
        await client.aforce_login(user)
        response: Any = await client.get("/events/stream")
        chunks: list[str] = []

        async def read() -> None:
            async for chunk in response.streaming_content:
                chunks.append(chunk.decode())

        # Reading runs in a task that is cancelled, as Django does when the client leaves.
        reader = asyncio.create_task(read())
        while not chunks:
            await asyncio.sleep(0.01)
        subscribed = broker.subscriber_count()
        await asyncio.to_thread(realtime.publish_to_user, user.pk, "toast", {"message": "hi"})
        while len(chunks) < 2:
            await asyncio.sleep(0.01)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        return chunks, subscribed, broker.subscriber_count()

    (first, second), subscribed, after_close = run(scenario())

    assert first.startswith("retry: 2000\n")
    assert second.startswith("id: ")
    assert '"event":"toast"' in second
    assert '"data":{"message":"hi"}' in second
    assert (subscribed, after_close) == (1, 0)
