"""``rallypoint serve`` and ``rallypoint worker``: the web server and the job consumer.

Without ``REDIS_URL`` (the embedded mode) jobs are queued in SQLite and real-time events
travel through an in-process broker, which only reaches the streams of its own process.
So ``serve`` runs the Huey consumer as threads inside the web process: a job that
publishes an event reaches the browsers connected to that same process.

With ``REDIS_URL`` the queue and the broker are in Redis: ``serve`` runs only the web
server (any number of uvicorn workers) and ``rallypoint worker`` processes, on any host,
run the jobs.

SIGINT (Ctrl-C) and SIGTERM stop either command cleanly: the server stops accepting
connections and ends the open event streams, the consumer finishes the jobs it is
running, and the command exits with status 0.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import uvicorn
from django.conf import settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY

from rallypoint.core import realtime

logger = logging.getLogger(__name__)

ASGI_APP = "rallypoint.config.asgi:application"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Seconds a stopping consumer waits for running jobs; a job still running then is
# interrupted and Huey records it as such.
JOB_SHUTDOWN_SECONDS = 30
# Seconds a stopping web server waits for open requests. Event streams of the serving
# process end at once; with several uvicorn workers they end when this runs out.
WEB_SHUTDOWN_SECONDS = 5
HEALTH_CHECK_SECONDS = 10.0


class _Server(uvicorn.Server):
    """uvicorn's server, ending event streams on shutdown and leaving the exit to us."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the stop signal after shutdown, which would kill the process
        # before the job consumer is stopped; the runner exits on its own instead.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        realtime.close_streams()
        await super().shutdown(sockets=sockets)


def _log_stop_request(signum: int, frame: FrameType | None) -> None:
    logger.info("Received %s while stopping; still stopping", signal.Signals(signum).name)


def _start_consumer(workers: int) -> Consumer:
    autodiscover_modules("tasks")
    consumer = HUEY.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=True,
        check_worker_health=True,
        shutdown_timeout=JOB_SHUTDOWN_SECONDS,
    )
    consumer.start()
    return consumer


def _stop_consumer(consumer: Consumer) -> None:
    # Huey's own handlers were installed by start(); a second signal must not re-enter it.
    for sig in STOP_SIGNALS:
        signal.signal(sig, _log_stop_request)
    consumer.stop(graceful=True)
    HUEY.notify_interrupted_tasks()
    logger.info("Job consumer stopped")


def serve(*, host: str, port: int, workers: int) -> int:
    """Serve the web app until SIGINT or SIGTERM; returns the exit status."""
    embedded = not settings.REDIS_URL
    if workers < 1:
        sys.stderr.write(_("--workers must be 1 or more.") + "\n")
        return 2
    if workers > 1 and embedded:
        sys.stderr.write(
            _(
                "--workers %(workers)d needs REDIS_URL. Without Redis, jobs and live updates "
                "run inside one web process, and a second process would neither see its "
                "events nor share its job queue safely. Set REDIS_URL, or serve with one "
                "worker."
            )
            % {"workers": workers}
            + "\n"
        )
        return 2

    config = uvicorn.Config(
        ASGI_APP,
        host=host,
        port=port,
        workers=workers,
        # The app's lifespan (links/fastpath.py) writes the clicks still in memory when
        # a worker stops; every worker process, with --workers N too, runs it.
        lifespan="on",
        timeout_graceful_shutdown=WEB_SHUTDOWN_SECONDS,
    )
    consumer = None
    if embedded:
        consumer = _start_consumer(settings.JOB_WORKERS)
        logger.info("Jobs run inside this process (no REDIS_URL)")
    else:
        logger.info("Jobs run in `rallypoint worker` processes (REDIS_URL is set)")

    started = True
    try:
        if workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[config.bind_socket()]).run()
        else:
            server = _Server(config)
            # A signal that arrives before uvicorn listens still stops it.
            for sig in STOP_SIGNALS:
                signal.signal(sig, server.handle_exit)
            server.run()
            started = server.started
    finally:
        if consumer is not None:
            _stop_consumer(consumer)
    return 0 if started else 1


def worker(*, workers: int) -> int:
    """Run jobs until SIGINT or SIGTERM; returns the exit status."""
    if not settings.REDIS_URL:
        logger.warning(
            "No REDIS_URL: `rallypoint serve` already runs jobs, and live updates that "
            "jobs of this separate process publish reach no browser"
        )
    stop = threading.Event()
    consumer = _start_consumer(workers)

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logger.info("Received %s, stopping", signal.Signals(signum).name)
        stop.set()

    for sig in STOP_SIGNALS:
        signal.signal(sig, request_stop)
    while not stop.wait(HEALTH_CHECK_SECONDS):
        consumer.check_worker_health()
    _stop_consumer(consumer)
    return 0
