"""Channels beyond a person's own: providers, and subscriptions that change channels."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from rallypoint.core import realtime
from rallypoint.core.broker import Broker, InMemoryBroker, Message, RedisBroker
from rallypoint.core.tests.test_broker import run

pytestmark = pytest.mark.timeout(30)


class Person:
    def __init__(self, pk: int, *, is_active: bool = True) -> None:
        self.pk, self.is_active = pk, is_active


@pytest.fixture
def only_provider(monkeypatch) -> Iterator[None]:
    monkeypatch.setattr(realtime, "_providers", [])
    yield


def test_providers_add_channels_for_active_people_only(only_provider):
    def rooms(user: Person) -> list[str]:
        return [realtime.space_channel(user.pk * 10)]

    realtime.register_channel_provider(rooms)
    realtime.register_channel_provider(rooms)

    assert realtime.channels_for(Person(4)) == ["user:4", "space:40"]
    assert realtime.channels_for(Person(5, is_active=False)) == ["user:5"]


@pytest.fixture(params=["memory", "redis"])
def broker(request) -> Broker:
    if request.param == "memory":
        return InMemoryBroker()
    url = request.getfixturevalue("redis_url")
    return RedisBroker(url=url, prefix=f"test-{uuid.uuid4().hex[:8]}:events:")


def test_changing_channels_drops_queued_events_of_channels_left_and_adds_new_ones(broker):
    async def scenario() -> list[Message | None]:
        async with broker.subscribe(["user:1", "space:1"]) as sub:
            await asyncio.to_thread(broker.publish, Message("space:1", "post.created", {"n": 1}))
            await asyncio.to_thread(broker.publish, Message("user:1", "toast", {"n": 2}))
            await asyncio.sleep(0.3)  # both are queued (Redis delivers asynchronously)
            sub.change_channels(["user:1", "space:2"])
            await asyncio.to_thread(broker.publish, Message("space:1", "post.created", {"n": 3}))
            await asyncio.to_thread(broker.publish, Message("space:2", "post.created", {"n": 4}))
            return [await sub.next(timeout=2), await sub.next(timeout=2), await sub.next(0.3)]

    first, second, third = run(scenario())

    assert first is not None and first.data == {"n": 2}
    assert second is not None and second.data == {"n": 4}
    assert third is None


def test_a_subscription_left_is_no_longer_counted():
    broker = InMemoryBroker()

    async def scenario() -> int:
        async with broker.subscribe(["user:1"]) as sub:
            sub.change_channels([])
            assert broker.subscriber_count() == 1
        return broker.subscriber_count()

    assert run(scenario()) == 0


def test_access_notices_reach_each_persons_channel_in_one_batch(broker, monkeypatch):
    monkeypatch.setattr(realtime, "get_broker", lambda: broker)

    async def scenario() -> list[Message | None]:
        async with broker.subscribe(["user:1", "user:3"]) as sub:
            await asyncio.to_thread(realtime.access_changed, [3, 2, 1, 3])
            return [await sub.next(timeout=2), await sub.next(timeout=2), await sub.next(0.3)]

    first, second, third = run(scenario())

    assert first is not None and (first.channel, first.event) == (
        "user:1",
        "realtime.access_changed",
    )
    assert second is not None and second.channel == "user:3"
    assert third is None
