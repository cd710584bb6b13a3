"""The event stream end to end: authentication, framing, heartbeats, and events that
cross from one OS process to another through Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.test import Client

from conftest import ROOT, child_env, free_port, wait_for
from rallypoint.people.models import User

pytestmark = pytest.mark.timeout(90)


class SSEReader:
    """Reads an event stream in a thread and parses it into blocks of fields."""

    def __init__(self, url: str, cookies: dict[str, str]) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.headers: httpx.Headers | None = None
        self.status: int | None = None
        self.ended_by: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(url, cookies), daemon=True)
        self._thread.start()

    def _read(self, url: str, cookies: dict[str, str]) -> None:
        buffer = ""
        timeout = httpx.Timeout(30, connect=5)
        try:
            with httpx.stream("GET", url, cookies=cookies, timeout=timeout) as r:
                self.status, self.headers = r.status_code, r.headers
                for chunk in r.iter_text():
                    buffer += chunk
                    while "\n\n" in buffer:
                        raw, buffer = buffer.split("\n\n", 1)
                        self.blocks.append(self._parse(raw) | {"received_at": time.time()})
                    if self._stop.is_set():
                        return
        except httpx.RemoteProtocolError as exc:
            # A server stopped while the stream is open cuts it mid-body; tests that
            # care look at ``ended_by``.
            self.ended_by = exc

    @staticmethod
    def _parse(raw: str) -> dict[str, Any]:
        block: dict[str, Any] = {"comments": []}
        for line in raw.split("\n"):
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                block["comments"].append(value)
            else:
                block[name] = value
        return block

    def events(self) -> list[dict[str, Any]]:
        return [
            json.loads(b["data"]) | {"sse_id": b["id"], "received_at": b["received_at"]}
            for b in self.blocks
            if "data" in b
        ]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


@pytest.fixture
def sse_readers() -> Iterator[list[SSEReader]]:
    readers: list[SSEReader] = []
    yield readers
    for reader in readers:
        reader.close()


@pytest.mark.django_db
def test_anonymous_visitors_get_401_and_no_stream():
    response = Client().get("/events/stream")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert not response.streaming


@pytest.mark.django_db
def test_the_stream_only_answers_get(client, django_user_model):
    user = django_user_model.objects.create_user("bo@example.com", "x" * 12, display_name="Bo")
    client.force_login(user)

    assert client.post("/events/stream").status_code == 405


@pytest.mark.django_db(transaction=True)
def test_stream_headers_retry_hint_and_heartbeats(app_server_factory, session_cookie, sse_readers):
    user = User.objects.create_user("cy@example.com", "x" * 12, display_name="Cy")
    server = app_server_factory(SSE_HEARTBEAT_SECONDS="1")

    reader = SSEReader(f"{server.url}/events/stream", session_cookie(user))
    sse_readers.append(reader)
    wait_for(
        lambda: sum("heartbeat" in b["comments"] for b in reader.blocks) >= 2,
        timeout=10,
        what="two heartbeats",
        log=server.output,
    )

    assert reader.status == 200
    assert reader.headers is not None
    assert reader.headers["content-type"].startswith("text/event-stream")
    assert "no-cache" in reader.headers["cache-control"]
    assert reader.headers["x-accel-buffering"] == "no"
    assert reader.blocks[0]["retry"] == "2000"


PUBLISHER = """
import sys, time, django
django.setup()
from rallypoint.core.realtime import publish_to_user
publish_to_user(int(sys.argv[2]), "toast", {"message": "Not for you"})
print(time.time(), flush=True)
publish_to_user(int(sys.argv[1]), "toast", {"message": "Hello from another process <b>"})
"""


@pytest.mark.django_db(transaction=True)
def test_event_published_in_one_process_reaches_a_stream_served_by_another(
    redis_url, app_server_factory, session_cookie, sse_readers
):
    reader_user = User.objects.create_user("di@example.com", "x" * 12, display_name="Di")
    other = User.objects.create_user("ed@example.com", "x" * 12, display_name="Ed")
    port = free_port()
    redis_env = {"REDIS_URL": redis_url, "CACHE_PREFIX": f"test-{port}"}
    server = app_server_factory(port=port, **redis_env)
    reader = SSEReader(f"{server.url}/events/stream", session_cookie(reader_user))
    sse_readers.append(reader)
    wait_for(lambda: reader.blocks, timeout=10, what="the stream to open", log=server.output)

    published = subprocess.run(
        [sys.executable, "-c", PUBLISHER, str(reader_user.pk), str(other.pk)],
        env=child_env(**redis_env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    sent_at = float(published.stdout.split()[0])

    events = wait_for(reader.events, timeout=10, what="the event", log=server.output)
    assert len(events) == 1
    event = events[0]
    assert event["event"] == "toast"
    assert event["data"] == {"message": "Hello from another process <b>"}
    assert event["channel"] == f"user:{reader_user.pk}"
    assert event["sse_id"] == event["id"]
    latency_ms = (event["received_at"] - sent_at) * 1000
    print(f"cross-process event latency: {latency_ms:.1f} ms")
    assert latency_ms < 2000
