"""Probes for load balancers and orchestrators: ``/healthz`` (alive) and ``/readyz`` (ready)."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from huey.contrib.djhuey import HUEY

from rallypoint.core import realtime
from rallypoint.core.selectors import worker_heartbeats_recent

logger = logging.getLogger(__name__)

# A consumer that has not run its heartbeat for this long is not listed as running.
WORKER_SEEN_WITHIN = timedelta(minutes=3)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process answers. Touches nothing else, so a database outage never restarts it."""
    return JsonResponse({"status": "ok"})


def _check_database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _check_cache() -> dict[str, Any]:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise RuntimeError("the cache did not return what was stored")
    return {}


def _check_queue() -> dict[str, Any]:
    return {"backend": type(HUEY).__name__, "pending": HUEY.storage.queue_size()}


def _check_realtime() -> dict[str, Any]:
    broker = realtime.get_broker()
    broker.check()
    return {"backend": type(broker).__name__}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _check_database,
    "cache": _check_cache,
    "queue": _check_queue,
    "realtime": _check_realtime,
}


def _run(name: str, check: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as exc:
        # A probe must answer whatever broke; the log has the detail, the answer the kind.
        logger.warning("Readiness check %s failed", name, exc_info=True)
        result = {"ok": False, "error": exc.__class__.__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _workers() -> list[dict[str, Any]]:
    return [
        {"host": beat.host, "pid": beat.pid, "last_seen": beat.last_seen.isoformat()}
        for beat in worker_heartbeats_recent(within=WORKER_SEEN_WITHIN)
    ]


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the database, cache, job queue and event broker answer; 503 naming the rest.

    ``workers`` lists the job consumers that ran their heartbeat lately; it is reported,
    not required, since the web tier can be ready before any consumer has started.
    """
    checks = {name: _run(name, check) for name, check in CHECKS.items()}
    failing = [name for name, result in checks.items() if not result["ok"]]
    body: dict[str, Any] = {
        "status": "unavailable" if failing else "ok",
        "failing": failing,
        "checks": checks,
    }
    if "database" not in failing:
        body["workers"] = _workers()
    return JsonResponse(body, status=503 if failing else 200)
