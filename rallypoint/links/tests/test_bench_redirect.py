"""`rallypoint bench redirect` at a tiny scale: it loads both servers, reports the figures
in the documented shape, and every click it sent is stored."""

from __future__ import annotations

import json
import os

import pytest

from rallypoint.core.bench import run_benchmarks

pytestmark = pytest.mark.timeout(300)

FIGURES = {"rps", "p50_ms", "p99_ms"}


def test_bench_redirect_reports_both_servers_and_stores_every_click(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "rallypoint.config.settings")
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith(("postgres://", "postgresql://")):
        # The benchmark makes its own scratch database beside this one.
        monkeypatch.delenv("BENCH_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("BENCH_DATABASE_URL", f"sqlite:///{tmp_path / 'redirect.sqlite3'}")
    out = tmp_path / "redirect.json"

    status = run_benchmarks(
        names=["redirect"],
        json_file=str(out),
        extra=["--links", "40", "--seconds", "2", "--concurrency", "4"],
    )

    printed = capfd.readouterr()
    assert status == 0, printed.out + printed.err[-3000:]
    result = json.loads(out.read_text())
    assert set(result) == {"rallypoint", "bare", "ratio", "clicks_sent", "clicks_stored"}
    for server in ("rallypoint", "bare"):
        assert set(result[server]) == FIGURES
        assert result[server]["rps"] > 0
        assert 0 < result[server]["p50_ms"] <= result[server]["p99_ms"]
    assert result["ratio"] == pytest.approx(
        result["rallypoint"]["rps"] / result["bare"]["rps"], rel=0.01
    )
    # The warm-up clicks every link once, then the measured seconds click more.
    assert result["clicks_sent"] > 40
    assert result["clicks_stored"] == result["clicks_sent"]
    assert "rallypoint serve" in printed.err
    assert "bare ASGI 302" in printed.err
