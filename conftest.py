"""Fixtures shared by every test: isolation, Redis, a real server, a browser.

Tests run with ``rallypoint.config.test_settings``. Everything here uses the real
component: a real uvicorn process serving the app, Debian's Chromium, a Redis server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
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
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


# ---------------------------------------------------------------- Redis


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


@dataclass
class AppServer:
    """``rallypoint serve`` in its own process, on loopback."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> AppServer:
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rallypoint.cli",
                "serve",
                "--no-migrate",
                "--port",
                str(self.port),
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@pytest.fixture
def app_server_factory(tmp_path) -> Iterator[Callable[..., AppServer]]:
    """Start app servers on free ports; each is stopped after the test."""
    started: list[AppServer] = []

    def start(port: int | None = None, **env: str) -> AppServer:
        server = AppServer(
            port=port or free_port(),
            env=child_env(**env),
            log=tmp_path / f"server-{len(started)}.log",
        ).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def live_app(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """One app server for the whole session (browser tests); use with ``transactional_db``."""
    with django_db_blocker.unblock():
        server = AppServer(
            port=free_port(), env=child_env(), log=tmp_path_factory.mktemp("live") / "server.log"
        ).start()
    yield server.url
    server.stop()


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
