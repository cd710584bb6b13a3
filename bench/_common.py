"""Shared set-up for benchmarks: their own var/ folder and database, timing helpers."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def _scratch_postgres_url(name: str) -> str | None:
    """With ``DATABASE_URL`` on PostgreSQL, a scratch database of the benchmark on the same
    server (``bench_<database>_<name>``): the benchmark never writes to the real one."""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return None
    base = parts.path.lstrip("/") or "postgres"
    scratch = re.sub(r"[^a-z0-9_]", "_", f"bench_{base}_{name}".lower())[:63]
    return urlunsplit(parts._replace(path="/" + scratch))


def database_url(name: str) -> str:
    """The benchmark's database: ``BENCH_DATABASE_URL``, else a scratch database beside a
    PostgreSQL ``DATABASE_URL``, else a SQLite file under ``var/bench``."""
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    sqlite = f"sqlite:///{ROOT / 'var' / 'bench' / (name + '.sqlite3')}"
    return _scratch_postgres_url(name) or sqlite


def _postgres_admin(url: str, statements: list[str]) -> None:
    """Run statements on the server's maintenance database (outside any transaction)."""
    import psycopg

    parts = urlsplit(url)
    maintenance = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _create_database(url: str, *, fresh: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = Path(parts.path[1:] if parts.path.startswith("//") else parts.path)
        if fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return
    import psycopg

    name = parts.path.lstrip("/")
    quoted = '"' + name.replace('"', '""') + '"'
    try:
        _postgres_admin(url, [f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"] if fresh else [])
        _postgres_admin(url, [f"CREATE DATABASE {quoted}"])
    except psycopg.errors.DuplicateDatabase:
        pass


def setup_django(name: str, *, fresh: bool = False) -> None:
    """Point Django at the benchmark's own database, then set it up and migrate.

    ``fresh`` starts from an empty database (the SQLite file or the PostgreSQL scratch
    database is dropped first).
    """
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["RALLYPOINT_VAR"] = str(var)
    os.environ["DATABASE_URL"] = database_url(name)
    _create_database(os.environ["DATABASE_URL"], fresh=fresh)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def reset_database() -> None:
    """Empty the benchmark's database (drop and re-create it) and migrate again."""
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    _create_database(os.environ["DATABASE_URL"], fresh=True)
    call_command("migrate", interactive=False, verbosity=0)


def parser(description: str, *, default_scale: str = "full") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--scale", default=default_scale, help="small or full")
    p.add_argument("--json", dest="json_file")
    p.add_argument("--repeat", type=int, default=40, help="requests per page")
    return p


def _percentiles(timings: list[float]) -> dict[str, float]:
    """p50 and p95 (nearest rank) of ``timings`` in ms."""
    ordered = sorted(timings)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)], 2),
    }


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
    return {**_percentiles(timings), "queries": queries}


def measure_rotating(fns: list[Callable[[], Any]], repeat: int) -> dict[str, float | int]:
    """Like ``measure``, for the same page seen by several people: ``fns`` take turns over
    ``repeat`` timed calls after one warm-up call each. ``queries`` is the most SQL queries
    one call made (``queries_min`` the fewest)."""
    from django.db import connection

    counts = []
    for fn in fns:
        fn()
        queries = 0

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            fn()
        counts.append(queries)
    timings = []
    for i in range(repeat):
        fn = fns[i % len(fns)]
        start = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - start) * 1000)
    return {
        **_percentiles(timings),
        "queries": max(counts),
        "queries_min": min(counts),
        "requests": repeat,
    }


def report(result: dict[str, Any], json_file: str | None) -> None:
    print(json.dumps(result, indent=2))
    if json_file:
        Path(json_file).write_text(json.dumps(result, indent=2))
