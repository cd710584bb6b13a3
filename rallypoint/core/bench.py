"""`rallypoint bench`: run the benchmarks kept in the project's bench/ folder.

Each benchmark is a script ``bench/<name>.py`` that seeds its own database (under
``var/bench`` unless ``BENCH_DATABASE_URL`` names one), measures, prints a summary and,
with ``--json FILE``, writes its figures. Benchmarks run in their own process so they
never touch the database of a running instance.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def bench_dir() -> Path:
    for candidate in (Path.cwd() / "bench", Path(__file__).resolve().parents[2] / "bench"):
        if candidate.is_dir():
            return candidate
    raise SystemExit("No bench/ folder here: run `rallypoint bench` from a source checkout.")


def available() -> list[str]:
    return sorted(p.stem for p in bench_dir().glob("*.py") if not p.stem.startswith("_"))


def run_benchmarks(*, names: list[str], json_file: str | None, extra: list[str]) -> int:
    folder = bench_dir()
    known = available()
    unknown = sorted(set(names) - set(known))
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Available: {', '.join(known)}")
        return 2
    failures = 0
    for name in names or known:
        json_path = None
        if json_file:
            json_path = (
                json_file if len(names) == 1 else f"{Path(json_file).with_suffix('')}-{name}.json"
            )
        cmd = [sys.executable, str(folder / f"{name}.py"), *extra]
        if json_path:
            cmd += ["--json", json_path]
        print(f"== bench {name}", flush=True)
        failures += subprocess.call(cmd, env=dict(os.environ)) != 0
    return 1 if failures else 0
