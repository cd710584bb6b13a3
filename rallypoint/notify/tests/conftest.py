"""People, a private group, and a listener for the live events this process publishes."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from rallypoint.core import realtime
from rallypoint.core.broker import Broker, Message
from rallypoint.people.models import User
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import Space, SpaceMembership

PASSWORD = "notify-test-pw"


def person(email: str, name: str, **fields: object) -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name, **fields)


@dataclass
class Company:
    ana: User
    ben: User
    cleo: User
    dan: User
    group: Space

    def membership(self, user: User) -> SpaceMembership:
        return SpaceMembership.objects.get(space=self.group, user=user)


@pytest.fixture
def company(db) -> Company:
    """Ana owns the private group "Launch", Ben is a member, Cleo and Dan
    are not."""
    ana = person("ana@example.com", "Ana Lopez", role=User.Role.COMMUNICATIONS)
    ben = person("ben@example.com", "Ben Okafor")
    cleo = person("cleo@example.com", "Cleo Marsh")
    dan = person("dan@example.com", "Dan Ito")
    group = space_services.space_create(actor=ana, kind=Space.Kind.PRIVATE, name="Launch")
    SpaceMembership.objects.create(space=group, user=ben)
    return Company(ana=ana, ben=ben, cleo=cleo, dan=dan, group=group)


@dataclass
class Listener:
    """Subscribed to some people's channels on its own event loop, like an open page."""

    broker: Broker
    channels: list[str]
    messages: list[Message] = field(default_factory=list)
    _ready: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Listener:
        self._thread = threading.Thread(target=asyncio.run, args=(self._listen(),), daemon=True)
        self._thread.start()
        assert self._ready.wait(5), "the listener did not subscribe"
        return self

    async def _listen(self) -> None:
        async with self.broker.subscribe(self.channels) as subscription:
            self._ready.set()
            while not self._stop.is_set():
                message = await subscription.next(timeout=0.02)
                if message is not None:
                    self.messages.append(message)

    def received(self, count: int, timeout: float = 5) -> list[Message]:
        """The first ``count`` events, waiting for them; then a moment for extra ones."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
        return list(self.messages)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


@pytest.fixture
def listen(settings) -> Iterator[Callable[..., Listener]]:
    """``listen(*users)``: record the live events sent to these people (in-memory broker)."""
    settings.REALTIME_BROKER = "memory"
    listeners: list[Listener] = []

    def start(*users: User) -> Listener:
        channels = [realtime.user_channel(user.pk) for user in users]
        listener = Listener(broker=realtime.get_broker(), channels=channels).start()
        listeners.append(listener)
        return listener

    yield start
    for listener in listeners:
        listener.stop()
