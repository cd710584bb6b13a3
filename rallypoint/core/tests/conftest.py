"""Helpers for the core tests: sessions and the job queue.

Child processes (``start_cli``, ``app_server_factory``) and ``wait_for`` live in the
repository's root ``conftest.py``, shared with the other apps' tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage


@pytest.fixture
def session_cookie() -> Callable[[Any], dict[str, str]]:
    """A session cookie for ``user``, stored in the test database (use ``transactional_db``)."""

    def make(user: Any) -> dict[str, str]:
        client = Client()
        client.force_login(user)
        name = settings.SESSION_COOKIE_NAME
        return {name: client.cookies[name].value}

    return make


@dataclass
class Queue:
    """The job queue a child process with ``env`` uses, opened in this test process."""

    name: str
    env: dict[str, str]


def _open_queue(kind: str, monkeypatch: pytest.MonkeyPatch, redis_url: str = "") -> Iterator[Queue]:
    name = f"test-{uuid.uuid4().hex[:12]}"
    env = {"QUEUE_NAME": name}
    monkeypatch.setattr(HUEY, "immediate", False)
    storage: Any
    if kind == "redis":
        storage = RedisStorage(name, url=redis_url)
        env["REDIS_URL"] = redis_url
    else:
        storage = SqliteStorage(name, filename=str(settings.VAR_DIR / "jobs.sqlite3"))
    monkeypatch.setattr(HUEY, "storage", storage)
    yield Queue(name=name, env=env)
    storage.flush_all()


@pytest.fixture(params=["sqlite", "redis"])
def job_queue(request, monkeypatch) -> Iterator[Queue]:
    """This test process enqueues on a fresh queue, as the web process would.

    ``sqlite`` is the embedded mode's file queue, ``redis`` the queue of a deployment
    with ``REDIS_URL``; ``env`` gives a child process the same queue.
    """
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    yield from _open_queue(request.param, monkeypatch, redis_url)


@pytest.fixture
def embedded_job_queue(monkeypatch) -> Iterator[Queue]:
    """The embedded mode's file queue, whatever this test run's own REDIS_URL is."""
    yield from _open_queue("sqlite", monkeypatch)
