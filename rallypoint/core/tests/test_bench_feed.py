"""`rallypoint bench feed` at the small scale: it seeds, measures and writes its figures.

The speed itself is the benchmark's business; this test holds the shape of its report and
the number of SQL queries a feed page makes, which must not grow with the data.
"""

from __future__ import annotations

import json
import os

import pytest

from rallypoint.core.bench import run_benchmarks

pytestmark = pytest.mark.timeout(600)

# Generous ceilings: a query per post on a page of 20 posts would pass them all.
MAX_QUERIES = {"home_feed": 30, "space": 30}
FIGURES = ("p50_ms", "p95_ms", "queries")


def test_bench_feed_seeds_measures_and_reports(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith(("postgres://", "postgresql://")):
        # The benchmark makes its own scratch database beside this one.
        monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("BENCH_DATABASE_URL", f"sqlite:///{tmp_path / 'feed.sqlite3'}")
    out = tmp_path / "feed.json"

    status = run_benchmarks(
        names=["feed"],
        json_file=str(out),
        extra=["--scale", "small", "--reseed", "--repeat", "2", "--viewers", "3"],
    )

    printed = capfd.readouterr().out
    assert status == 0, printed
    result = json.loads(out.read_text())
    assert set(result) == {"pages", "scale"}
    scale = result["scale"]
    assert scale["people"] == 1_000
    assert scale["spaces"] == 80
    assert scale["posts"] == 2_000
    assert scale["comments"] >= 10_000
    assert 0 < scale["replies"] < scale["comments"]
    assert scale["reactions"] > 5_000
    assert scale["seed_seconds"] > 0
    assert scale["database"] == ("postgresql" if database.startswith("postgres") else "sqlite")
    # The busiest open group has more than a page of posts, so "older posts" exists.
    assert scale["sample"]["space"]["posts"] > 20
    assert scale["sample"]["viewers"] == 3
    for name, ceiling in MAX_QUERIES.items():
        page = result["pages"][name]
        assert all(isinstance(page[key], int | float) and page[key] > 0 for key in FIGURES)
        assert page["p50_ms"] <= page["p95_ms"]
        assert page["queries"] <= ceiling, (name, page["queries"])
        # The same number for every viewer, whatever they are a member of.
        assert page["queries"] - page["queries_min"] <= 2, (name, page)
    home = result["pages"]["home_feed"]
    assert home["next_page"]["queries"] <= home["queries"]
    assert home["url"] == "/"
    space = result["pages"]["space"]
    assert space["queries"] == space["page"]["queries"] + space["posts"]["queries"]
    assert "home feed (/)" in printed
    assert "space page + its posts" in printed
