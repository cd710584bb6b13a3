"""``rallypoint serve`` and its embedded job consumer, started and stopped for real."""

from __future__ import annotations

import signal
import threading
import time

import httpx
import pytest

from conftest import free_port, serve_command
from rallypoint.core.models import WorkerHeartbeat
from rallypoint.core.tasks import worker_heartbeat
from rallypoint.people.models import User

pytestmark = pytest.mark.timeout(120)


def read_stream_until_closed(
    url: str, cookies: dict[str, str], opened: threading.Event, received: list[str]
) -> None:
    with httpx.stream(
        "GET", f"{url}/events/stream", cookies=cookies, timeout=httpx.Timeout(30, connect=5)
    ) as response:
        for chunk in response.iter_text():
            received.append(chunk)
            opened.set()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_serve_runs_jobs_in_process_and_stops_cleanly(
    stop_signal, app_server_factory, session_cookie, embedded_job_queue
):
    """Without REDIS_URL: the consumer runs inside `serve`; a signal stops both, with
    an event stream still open, quickly and with exit status 0."""
    user = User.objects.create_user("ada@example.com", "a-long-password", display_name="Ada")
    server = app_server_factory(**embedded_job_queue.env)
    url = server.url

    outcome = worker_heartbeat().get(blocking=True, timeout=30)
    assert outcome is not None, server.output()
    assert outcome["pid"] == server.pid
    assert WorkerHeartbeat.objects.filter(pid=server.pid).exists()
    ready = httpx.get(f"{url}/readyz", timeout=5).json()
    assert server.pid in [worker["pid"] for worker in ready["workers"]]

    opened = threading.Event()
    received: list[str] = []
    reader = threading.Thread(
        target=read_stream_until_closed, args=(url, session_cookie(user), opened, received)
    )
    reader.start()
    assert opened.wait(10), server.output()

    started = time.monotonic()
    assert server.stop(stop_signal) == 0
    stopping_took = time.monotonic() - started
    reader.join(10)

    assert not reader.is_alive()
    assert stopping_took < 5, f"stopping took {stopping_took:.1f}s"
    output = server.output()
    assert "Job consumer stopped" in output
    assert "Traceback" not in output
    assert "".join(received).startswith("retry: ")


def test_serve_refuses_several_web_workers_without_redis(start_cli):
    server = start_cli(*serve_command(free_port(), "--workers", "2"))

    assert server.process.wait(timeout=30) == 2
    assert "--workers 2 needs REDIS_URL" in server.output()


@pytest.mark.django_db(transaction=True)
def test_serve_with_redis_leaves_jobs_to_workers_and_runs_several_web_workers(
    redis_url, app_server_factory
):
    port = free_port()
    server = app_server_factory(
        "--workers",
        "2",
        port=port,
        REDIS_URL=redis_url,
        CACHE_PREFIX=f"test-{port}",
        QUEUE_NAME=f"test-{port}",
    )
    url = server.url

    assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    assert server.stop(signal.SIGINT) == 0
    output = server.output()
    assert "Jobs run in `rallypoint worker` processes" in output
    assert "Huey consumer started" not in output
    assert "Traceback" not in output
