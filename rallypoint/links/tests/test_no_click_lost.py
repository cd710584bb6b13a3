"""No click lost: a real `rallypoint serve` takes clicks from many threads, is restarted
gracefully in the middle, and exactly the clicks it answered are stored (bots flagged).

Clicks are only written when the server stops (``LINKS_FLUSH_SECONDS`` of an hour), so
the counts check the drain at shutdown, not the periodic writes. The same tests run on
SQLite and, with ``DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import collections
import queue
import signal
import threading
import time
from dataclasses import dataclass

import httpx
import pytest
from django.db import connection, transaction

from conftest import free_port, wait_for
from rallypoint.links.models import Click
from rallypoint.links.services import tracked_link_create
from rallypoint.links.tests.conftest import BROWSER, CARDYB, LINKEDIN_BOT, PHONE

pytestmark = [pytest.mark.timeout(240), pytest.mark.django_db(transaction=True)]

ONLY_AT_SHUTDOWN = {"LINKS_FLUSH_SECONDS": "3600", "LINKS_BATCH_SIZE": "100000"}


@dataclass(frozen=True)
class Visit:
    code: str
    method: str
    user_agent: str
    bot: bool


def plan(count: int) -> list[Visit]:
    """``count`` visits over five links: people on desktops and phones (each a different
    browser version, so different visitors), preview bots, and HEAD probes."""
    networks = ["linkedin", "x", "mastodon", "bluesky", "facebook"]
    links = [
        tracked_link_create(user=None, network=n, destination=f"https://example.com/{n}")
        for n in networks
    ]
    visits = []
    for n in range(count):
        code = links[n % len(links)].code
        kind = n % 6
        if kind == 4:
            visits.append(Visit(code, "GET", LINKEDIN_BOT if n % 2 else CARDYB, True))
        elif kind == 5:
            visits.append(Visit(code, "HEAD", BROWSER, True))
        else:
            agent = (BROWSER if kind % 2 else PHONE).replace("537.36", f"537.{n}")
            visits.append(Visit(code, "GET", agent, False))
    return visits


class Clicker:
    """Threads that send ``visits`` and retry one until the server answers it (a server
    that is restarting refuses connections): each visit is answered exactly once."""

    def __init__(self, url: str, visits: list[Visit], *, threads: int, keep_alive: bool = True):
        self.url = url
        self.todo: queue.Queue[Visit] = queue.Queue()
        for visit in visits:
            self.todo.put(visit)
        self.total = len(visits)
        self.answered: collections.Counter[tuple[str, bool]] = collections.Counter()
        self.errors = 0
        self._lock = threading.Lock()
        limits = httpx.Limits(max_keepalive_connections=None if keep_alive else 0)
        self.threads = [
            threading.Thread(target=self._run, args=(limits,), daemon=True) for _ in range(threads)
        ]

    def start(self) -> Clicker:
        for thread in self.threads:
            thread.start()
        return self

    @property
    def done(self) -> int:
        with self._lock:
            return sum(self.answered.values())

    def _run(self, limits: httpx.Limits) -> None:
        with httpx.Client(follow_redirects=False, timeout=10, limits=limits) as client:
            while True:
                try:
                    visit = self.todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    response = client.request(
                        visit.method,
                        f"{self.url}/r/{visit.code}",
                        headers={"User-Agent": visit.user_agent},
                    )
                except httpx.TransportError:
                    with self._lock:
                        self.errors += 1
                    self.todo.put(visit)
                    time.sleep(0.05)
                    continue
                assert response.status_code == 302, response.text
                with self._lock:
                    self.answered[(visit.code, visit.bot)] += 1

    def join(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.1, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in self.threads), "clicks still being sent"
        assert self.done == self.total


def stored() -> collections.Counter[tuple[str, bool]]:
    rows = Click.objects.values_list("link__code", "is_bot")
    return collections.Counter((code, bot) for code, bot in rows)


def test_no_click_is_lost_across_a_graceful_restart(app_server_factory):
    visits = plan(900)
    port = free_port()
    env = {**ONLY_AT_SHUTDOWN, "QUEUE_NAME": f"test-links-{port}"}
    first = app_server_factory(port=port, **env)

    clicker = Clicker(first.url, visits, threads=8).start()
    wait_for(lambda: clicker.done >= 300, timeout=60, what="the first clicks")
    # Stop while clicks are still arriving: the answered ones must all be written.
    assert first.stop(signal.SIGTERM) == 0
    answered_before_restart = clicker.done
    assert Click.objects.count() == answered_before_restart
    second = app_server_factory(port=port, **env)
    clicker.join()
    assert second.stop(signal.SIGTERM) == 0

    assert answered_before_restart < len(visits)
    assert Click.objects.count() == len(visits)
    assert stored() == clicker.answered
    assert Click.objects.filter(is_bot=True).count() == sum(v.bot for v in visits)
    heads = sum(v.method == "HEAD" for v in visits)
    assert Click.objects.filter(bot_name="HEAD request").count() == heads
    for server in (first, second):
        output = server.output()
        assert "Traceback" not in output
        assert "unwritten" not in output
        assert "Wrote the last" in output
        # The access log keeps the requests, not the visitors' addresses.
        clicks_logged = [line for line in output.splitlines() if " /r/" in line]
        assert clicks_logged
        assert not any("127.0.0.1" in line for line in clicks_logged)


def test_several_web_workers_lose_no_click_when_stopped(redis_url, app_server_factory):
    visits = plan(400)
    port = free_port()
    server = app_server_factory(
        "--workers",
        "2",
        port=port,
        REDIS_URL=redis_url,
        CACHE_PREFIX=f"test-links-{port}",
        QUEUE_NAME=f"test-links-{port}",
        **ONLY_AT_SHUTDOWN,
    )

    # A new connection per click, so that both worker processes take some.
    Clicker(server.url, visits, threads=8, keep_alive=False).start().join()
    assert not Click.objects.exists()
    assert server.stop(signal.SIGTERM, timeout=60) == 0

    assert Click.objects.count() == len(visits)
    assert Click.objects.filter(is_bot=True).count() == sum(v.bot for v in visits)
    output = server.output()
    assert output.count("Wrote the last") == 2, output[-3000:]
    assert "Traceback" not in output


def test_the_redirect_answers_while_the_database_is_locked(app_server_factory):
    link = tracked_link_create(user=None, network="x", destination="https://example.com/x")
    server = app_server_factory(LINKS_FLUSH_SECONDS="1")
    url = f"{server.url}/r/{link.code}"
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        assert client.get(url, headers={"User-Agent": BROWSER}).status_code == 302
        wait_for(lambda: Click.objects.count() == 1, what="the first click to be written")

        timings = []
        with transaction.atomic():
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("LOCK TABLE links_click IN ACCESS EXCLUSIVE MODE")
                else:  # the write lock of the whole file
                    cursor.execute("DELETE FROM links_click WHERE 0 = 1")
            for _ in range(20):
                started = time.monotonic()
                response = client.get(url, headers={"User-Agent": BROWSER})
                timings.append(time.monotonic() - started)
                assert response.status_code == 302
                time.sleep(0.1)  # the writer wakes meanwhile and waits on the lock

    assert max(timings) < 0.5, timings
    wait_for(lambda: Click.objects.count() == 21, timeout=30, what="the queued clicks")
    assert server.stop() == 0
    assert Click.objects.count() == 21
