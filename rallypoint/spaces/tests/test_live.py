"""Live events of spaces: who hears them, and that losing access silences a stream at once.

The in-process tests run the event stream itself (``core.views.realtime._stream``) on an
event loop of its own, fed by the in-memory broker, while this thread changes
memberships through the services. The last test does the same across processes: a real
server reading Redis, events and access changes published by this process.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client

from conftest import free_port, wait_for
from rallypoint.core import realtime
from rallypoint.core.tests.test_realtime import SSEReader
from rallypoint.core.views.realtime import _stream, _Viewer
from rallypoint.people.models import User
from rallypoint.people.signals_api import people_changed_send
from rallypoint.spaces import services
from rallypoint.spaces.models import Space, SpaceMembership
from rallypoint.spaces.tests.conftest import World, build_world

pytestmark = [pytest.mark.timeout(90), pytest.mark.django_db(transaction=True)]

RETRY_ONLY = "retry: 2000\n\n"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


class LiveStream:
    """One person's event stream, run on its own event loop in a thread."""

    def __init__(self, user: User, client: Client | None = None, heartbeat: float = 30) -> None:
        client = client or signed_in(user)
        self.viewer = _Viewer(user, client.session.session_key)
        self.heartbeat = heartbeat
        self.chunks: list[str] = []
        self.ended = threading.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),), daemon=True)
        self._thread.start()
        wait_for(lambda: any(": connected" in c for c in self.chunks), what="the stream")

    async def _run(self) -> None:
        self._loop, self._task = asyncio.get_running_loop(), asyncio.current_task()
        try:
            async for chunk in _stream(self.viewer, self.heartbeat):
                self.chunks.append(chunk)
        except asyncio.CancelledError:
            pass
        finally:
            self.ended.set()

    def events(self) -> list[dict[str, Any]]:
        return [
            json.loads(line.removeprefix("data: "))
            for chunk in self.chunks
            for line in chunk.split("\n")
            if line.startswith("data: ")
        ]

    def names(self) -> list[str]:
        return [event["event"] for event in self.events()]

    def close(self) -> None:
        if self._loop is not None and self._task is not None and not self.ended.is_set():
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=5)


@pytest.fixture
def streams(settings) -> Iterator[list[LiveStream]]:
    settings.REALTIME_BROKER = "memory"
    opened: list[LiveStream] = []
    yield opened
    for stream in opened:
        stream.close()


def open_stream(streams: list[LiveStream], user: User, **options: Any) -> LiveStream:
    stream = LiveStream(user, **options)
    streams.append(stream)
    return stream


def marker(stream: LiveStream, user: User, name: str) -> None:
    """Send ``name`` on the person's own channel and wait for it: every event published
    before it has been delivered, or dropped, by then."""
    realtime.publish_to_user(user.pk, name, {})
    wait_for(lambda: name in stream.names(), timeout=10, what=f"the {name} marker")


def group(kind: str) -> World:
    return build_world(kind)


@pytest.mark.parametrize("kind", ["private", "secret"])
def test_members_hear_a_group_and_non_members_never_do(streams, kind):
    world = group(kind)
    member = open_stream(streams, world["alice"])
    outsider = open_stream(streams, world["bob"])
    removed = open_stream(streams, world["dave"])
    administrator = open_stream(streams, world["ada"])

    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})
    for stream, person in [
        (outsider, world["bob"]),
        (removed, world["dave"]),
        (administrator, world["ada"]),
    ]:
        marker(stream, person, "marker")

    wait_for(lambda: "post.created" in member.names(), what="the member's event")
    assert member.events()[0]["channel"] == f"space:{world.space.pk}"
    for stream in (outsider, removed, administrator):
        assert "post.created" not in stream.names()


@pytest.mark.parametrize("kind", ["open", "company", "team"])
def test_a_space_readable_by_everyone_reaches_any_employee(streams, kind):
    world = group(kind)
    outsider = open_stream(streams, world["bob"])

    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})

    wait_for(lambda: "post.created" in outsider.names(), what="the event")


def test_a_member_removed_mid_stream_stops_hearing_the_group_at_once(streams):
    world = group("private")
    alice = world["alice"]
    stream = open_stream(streams, alice)
    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})
    wait_for(lambda: "post.created" in stream.names(), what="the first event")

    services.membership_remove(
        actor=world["olga"], membership=SpaceMembership.objects.get(space=world.space, user=alice)
    )
    realtime.publish_to_space(world.space.pk, "post.created", {"id": 2})
    marker(stream, alice, "marker")

    assert [e["data"] for e in stream.events() if e["event"] == "post.created"] == [{"id": 1}]
    assert "toast" in stream.names()  # "You were removed from …"
    assert realtime.ACCESS_CHANGED not in stream.names()  # control notices stay inside
    assert not stream.ended.is_set()


def test_leaving_a_group_silences_it_and_joining_one_starts_it(streams):
    world = group("private")
    alice, bob = world["alice"], world["bob"]
    leaver, joiner = open_stream(streams, alice), open_stream(streams, bob)

    services.space_leave(actor=alice, space=world.space)
    join_request = services.space_request_join(actor=bob, space=world.space)
    services.join_request_approve(actor=world["olga"], join_request=join_request)
    # A stream joins a channel once it has read the notice (the events of the instant
    # before are missed, as during a reconnection); the marker comes after the notice.
    marker(joiner, bob, "joined")
    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})
    marker(leaver, alice, "marker")

    wait_for(lambda: "post.created" in joiner.names(), what="the new member's event")
    assert "post.created" not in leaver.names()


def test_a_change_that_rolls_back_changes_nothing(streams):
    world = group("private")
    alice = world["alice"]
    stream = open_stream(streams, alice)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.space_leave(actor=alice, space=world.space)
        raise RuntimeError
    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})

    wait_for(lambda: "post.created" in stream.names(), what="the event")


def test_a_deactivated_persons_stream_ends(streams):
    world = group("private")
    alice = world["alice"]
    stream = open_stream(streams, alice)

    with transaction.atomic():
        User.objects.filter(pk=alice.pk).update(is_active=False)
        people_changed_send(user_ids=[alice.pk])  # as the CSV import and the admin do

    assert stream.ended.wait(timeout=10)
    assert stream.chunks[-1] == RETRY_ONLY
    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})
    assert "post.created" not in stream.names()


def test_signing_out_ends_the_streams_of_that_session_only(streams):
    world = group("private")
    alice = world["alice"]
    laptop, phone = signed_in(alice), signed_in(alice)
    on_laptop = open_stream(streams, alice, client=laptop)
    on_phone = open_stream(streams, alice, client=phone)

    laptop.logout()

    assert on_laptop.ended.wait(timeout=10)
    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})
    wait_for(lambda: "post.created" in on_phone.names(), what="the other session's event")
    assert "post.created" not in on_laptop.names()


def test_a_heartbeat_ends_the_stream_of_a_session_that_ended_elsewhere(streams):
    from django.contrib.sessions.models import Session

    world = group("private")
    client = signed_in(world["alice"])
    stream = open_stream(streams, world["alice"], client=client, heartbeat=0.2)

    Session.objects.filter(session_key=client.session.session_key).delete()

    assert stream.ended.wait(timeout=10)
    assert stream.chunks[-1] == RETRY_ONLY


def test_a_heartbeat_catches_access_changed_outside_the_services(streams):
    world = group("private")
    alice = world["alice"]
    stream = open_stream(streams, alice, heartbeat=0.2)
    heartbeats = stream.chunks.count(": heartbeat\n\n")

    SpaceMembership.objects.filter(space=world.space, user=alice).delete()  # say, a shell
    wait_for(lambda: stream.chunks.count(": heartbeat\n\n") > heartbeats + 1, what="a heartbeat")
    realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})
    marker(stream, alice, "marker")

    assert "post.created" not in stream.names()


def test_the_channel_list_costs_one_query(django_assert_num_queries):
    world = group("secret")
    with django_assert_num_queries(1):
        channels = realtime.channels_for(world["alice"])

    readable = Space.objects.exclude(kind__in=["private", "secret"]).values_list("pk", flat=True)
    expected = {f"space:{pk}" for pk in [*readable, world.space.pk]}
    assert set(channels) == {f"user:{world['alice'].pk}"} | expected
    assert realtime.channels_for(world["eve"]) == [f"user:{world['eve'].pk}"]


def test_space_access_follows_through_redis_across_processes(
    redis_url, app_server_factory, settings
):
    world = group("private")
    alice, bob, carol = world["alice"], world["bob"], world["carol"]
    port = free_port()
    prefix = f"test-{port}"
    settings.REALTIME_BROKER, settings.REDIS_URL = "redis", redis_url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": prefix,
        }
    }
    server = app_server_factory(port=port, REDIS_URL=redis_url, CACHE_PREFIX=prefix)
    name = django_settings.SESSION_COOKIE_NAME
    readers = {
        person.email: SSEReader(
            f"{server.url}/events/stream",
            {name: signed_in(person).cookies[name].value},
        )
        for person in (alice, bob, carol)
    }
    try:

        def heard(person: User, event: str) -> list[dict[str, Any]]:
            return [e for e in readers[person.email].events() if e["event"] == event]

        def ended(person: User) -> bool:
            """The stream's last block is the bare retry hint sent when it ends."""
            blocks = readers[person.email].blocks
            return len(blocks) > 1 and "retry" in blocks[-1] and not blocks[-1]["comments"]

        for person in (alice, bob, carol):
            wait_for(
                partial(getattr, readers[person.email], "blocks"), timeout=10, log=server.output
            )

        realtime.publish_to_space(world.space.pk, "post.created", {"id": 1})
        wait_for(lambda: heard(alice, "post.created"), timeout=10, log=server.output)
        wait_for(lambda: heard(carol, "post.created"), timeout=10, log=server.output)

        services.membership_remove(
            actor=world["olga"],
            membership=SpaceMembership.objects.get(space=world.space, user=alice),
        )
        with transaction.atomic():
            User.objects.filter(pk=carol.pk).update(is_active=False)
            people_changed_send(user_ids=[carol.pk])
        realtime.publish_to_space(world.space.pk, "post.created", {"id": 2})
        for person in (alice, bob):
            realtime.publish_to_user(person.pk, "marker", {})
            wait_for(partial(heard, person, "marker"), timeout=10, log=server.output)
        wait_for(partial(ended, carol), timeout=10, what="Carol's stream to end")

        assert [e["data"] for e in heard(alice, "post.created")] == [{"id": 1}]
        assert [e["data"] for e in heard(carol, "post.created")] == [{"id": 1}]
        assert heard(bob, "post.created") == []
    finally:
        for reader in readers.values():
            reader.close()
