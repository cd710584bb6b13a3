"""Shared set-up for benchmarks: their own var/ folder and database, timing helpers."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def setup_django(name: str) -> None:
    """Point Django at the benchmark's own database, then set it up and migrate."""
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["RALLYPOINT_VAR"] = str(var)
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{var / (name + '.sqlite3')}"
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scale", default="full", help="small or full")
    p.add_argument("--json", dest="json_file")
    p.add_argument("--repeat", type=int, default=40, help="requests per page")
    return p


def measure(fn: Callable[[], Any], repeat: int) -> dict[str, float | int]:
    """p50/p95 wall time in ms of ``fn`` and the SQL queries of one call."""
    from django.db import connection

    fn()  # warm caches and template loading
    queries = 0

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    # An execute wrapper, not CaptureQueriesContext: each request resets the query log.
    with connection.execute_wrapper(count):
        fn()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "queries": queries,
    }


def report(result: dict[str, Any], json_file: str | None) -> None:
    print(json.dumps(result, indent=2))
    if json_file:
        Path(json_file).write_text(json.dumps(result, indent=2))
