"""Fixtures shared by every test: isolation, Redis, a real server, a browser.

Tests run with ``rallypoint.config.test_settings``. Everything here uses the real
component: a real uvicorn process serving the app, Debian's Chromium, a Redis server.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import httpx
import pytest

ROOT = Path(__file__).resolve().parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

T = TypeVar("T")


# ---------------------------------------------------------------- isolation


@pytest.fixture(autouse=True)
def _jobs_run_inline() -> Iterator[None]:
    """Jobs run at once in the test process unless a test starts a real consumer."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield
    HUEY.immediate = False


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory) -> None:
    from django.core.files.storage import storages

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    private = tmp_path_factory.mktemp("private")
    settings.PRIVATE_MEDIA_ROOT = private
    storages["private"].location = str(private)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- Redis


@pytest.fixture
def fake_network(settings) -> Iterator[Callable[[], object]]:
    """Start stand-ins for social networks on loopback (``networks.testing.FakeNetwork``),
    reachable by the outbound client; each call gives a new one."""
    from rallypoint.networks.testing import FakeNetwork

    started: list[FakeNetwork] = []

    def start() -> FakeNetwork:
        fake = FakeNetwork()
        settings.OUTBOUND_ALLOW_NETWORKS = ["127.0.0.1/32"]
        settings.OUTBOUND_ALLOWED_PORTS = [
            *settings.OUTBOUND_ALLOWED_PORTS,
            fake.port,
        ]
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.close()


@pytest.fixture
def redis_url() -> str:
    """A Redis server for tests that need one. In CI a missing Redis is a failure."""
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must set TEST_REDIS_URL or REDIS_URL: Redis tests may not skip")
        pytest.skip("no Redis: set TEST_REDIS_URL")
    import redis

    redis.Redis.from_url(url).ping()
    return url


# ---------------------------------------------------------------- real server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url_for_children() -> str:
    """The URL of the database the test run is using, for child processes."""
    from django.db import connection

    conf = connection.settings_dict
    if conf["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{conf['NAME']}"
    user = quote(conf.get("USER") or "")
    password = f":{quote(conf['PASSWORD'])}" if conf.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = conf.get("HOST") or "127.0.0.1"
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{conf['NAME']}"


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child process that shares this test run's database."""
    env = dict(os.environ)
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="rallypoint.config.test_settings",
        DATABASE_URL=database_url_for_children(),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


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


def serve_command(port: int, *options: str) -> tuple[str, ...]:
    """``rallypoint serve`` on ``port`` of the test database, which is already migrated."""
    return ("serve", "--no-migrate", "--port", str(port), *options)


@dataclass
class CliProcess:
    """``python -m rallypoint.cli <args>`` in its own process, its output in ``log``.

    Give ``port`` when the command serves HTTP on it: ``start`` then waits until the
    server answers.
    """

    args: tuple[str, ...]
    env: dict[str, str]
    log: Path
    port: int | None = None
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def start(self, timeout: float = 90) -> CliProcess:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "rallypoint.cli", *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        if self.port is not None:
            wait_for(self._answers, timeout=timeout, what="the server to answer", log=self.output)
        return self

    def _answers(self) -> bool:
        assert self.process is not None and self.process.poll() is None, self.output()
        try:
            return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def stop(
        self, sig: int = signal.SIGTERM, timeout: float = 20, *, check: bool = True
    ) -> int | None:
        """Send ``sig`` unless the process has ended, and return its exit status.

        A process still running after ``timeout`` seconds is killed; with ``check`` that
        fails the test, without it (cleaning up after a test) the status is None.
        """
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            if check:
                pytest.fail(f"process did not stop within {timeout}s:\n{self.output()[-3000:]}")
            return None


@pytest.fixture
def start_cli(tmp_path) -> Iterator[Callable[..., CliProcess]]:
    """Start ``rallypoint`` commands as child processes sharing the test database.

    ``start_cli(*args, port=None, **env)``: ``env`` is added to the child's environment,
    ``port`` as in ``CliProcess``. Processes still running after the test get SIGTERM,
    and SIGKILL if they are still there 15 seconds later.
    """
    started: list[CliProcess] = []

    def start(*args: str, port: int | None = None, **env: str) -> CliProcess:
        child = CliProcess(
            args=args, env=child_env(**env), log=tmp_path / f"child-{len(started)}.log", port=port
        )
        started.append(child)
        return child.start()

    yield start
    for child in started:
        child.stop(timeout=15, check=False)


@pytest.fixture
def app_server_factory(start_cli) -> Callable[..., CliProcess]:
    """Start ``rallypoint serve`` and wait until it answers; stopped after the test.

    ``app_server_factory(*options, port=None, **env)``: more ``serve`` options, the port
    (a free one by default) and additions to the environment.
    """

    def start(*options: str, port: int | None = None, **env: str) -> CliProcess:
        port = port or free_port()
        return start_cli(*serve_command(port, *options), port=port, **env)

    return start


@pytest.fixture(scope="session")
def live_app(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """One app server for the whole session (browser tests); use with ``transactional_db``."""
    port = free_port()
    server = CliProcess(
        args=serve_command(port),
        env=child_env(),
        log=tmp_path_factory.mktemp("live") / "server.log",
        port=port,
    )
    try:
        with django_db_blocker.unblock():
            server.start()
        yield server.url
    finally:
        server.stop(timeout=15, check=False)


# ---------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls that tests
    # make between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_app, transactional_db) -> Iterator[object]:
    context = browser.new_context(base_url=live_app, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(page, email: str, password: str) -> None:
    """Sign in through the real sign-in form."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def save_screenshot(page, name: str) -> Path:
    """Save a screenshot for the README under docs/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
