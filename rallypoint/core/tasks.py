"""Jobs of the core app: the worker heartbeat and the database statistics."""

from __future__ import annotations

import os
import socket
from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rallypoint.core.services import database_statistics_refresh, worker_heartbeat_record


def _beat() -> dict[str, Any]:
    beat = worker_heartbeat_record(host=socket.gethostname(), pid=os.getpid())
    return {"host": beat.host, "pid": beat.pid, "at": beat.last_seen.isoformat()}


@db_task()
def worker_heartbeat() -> dict[str, Any]:
    """The consumer that runs this says it is alive, and returns who it is, so whoever
    enqueued it can wait for the answer (Huey keeps no results of periodic tasks)."""
    return _beat()


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat_every_minute() -> None:
    """Every consumer's scheduler runs the heartbeat once a minute."""
    _beat()


@db_periodic_task(crontab(minute="17", hour="3"))
def database_statistics_nightly() -> None:
    """SQLite's planner statistics follow the data once a night (idempotent; a second
    worker running it too only repeats the same ANALYZE)."""
    database_statistics_refresh()
