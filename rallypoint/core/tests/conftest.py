"""Helpers for the core tests: child processes, polling, sessions, the job queue."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.conf import settings
from django.test import Client
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage, SqliteStorage

from conftest import ROOT, child_env

T = TypeVar("T")


def wait_for(
    check: Callable[[], T | None],
    *,
    timeout: float = 15,
    what: str = "",
    log: Callable[[], str] | None = None,
) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds.

    ``log`` gives the output of the process being waited for, shown on failure.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            detail = f":\n{log()[-4000:]}" if log is not None else ""
            pytest.fail(f"timed out after {timeout}s waiting for {what or check}{detail}")
        time.sleep(0.05)


@dataclass
class Child:
    """A ``python -m rallypoint.cli …`` process with its output in a file."""

    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, sig: int = signal.SIGINT, timeout: float = 20) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"process did not stop within {timeout}s:\n{self.output()[-3000:]}")


@pytest.fixture
def start_cli(tmp_path) -> Iterator[Callable[..., Child]]:
    """Start ``rallypoint`` commands as child processes sharing the test database."""
    children: list[Child] = []

    def start(*args: str, **env: str) -> Child:
        log = tmp_path / f"child-{len(children)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "rallypoint.cli", *args],
                env=child_env(**env),
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        child = Child(process=process, log=log)
        children.append(child)
        return child

    yield start
    for child in children:
        if child.process.poll() is None:
            child.process.kill()
            child.process.wait()


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
