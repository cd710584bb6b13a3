"""Two worker processes publish 100 due shares to Mastodon and Bluesky from the same
database while one of them is killed with SIGKILL in the middle of publishing a share:
every share is posted exactly once (one post on the network per share) and none is lost.

The workers are this module run as a program: each loops calling
``share_publish_due(now=clock)``, where ``clock`` is a time the test sets through a file,
so that the lease of the killed worker's claim can run out without waiting five minutes.
Worker A stops while publishing its fifth share — either after the network accepted the
post but before the outcome was recorded, or after the claim but before the request — and
tells the test, which kills it there. Worker B carries on, and once the clock passes the
lease it recovers the abandoned share and posts it again with the same idempotency key,
which the network answers with the first post.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, child_env, wait_for
from rallypoint.networks.testing import FakeNetwork

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

SHARES_PER_NETWORK = 50
HOLD_AT = 5


# ---------------------------------------------------------------- the worker program


def _read_clock(path: Path) -> datetime.datetime | None:
    try:
        text = path.read_text().strip()
    except FileNotFoundError:
        return None
    return datetime.datetime.fromisoformat(text) if text else None


def worker_main() -> None:  # pragma: no cover - runs in the child processes
    import django

    django.setup()
    from django.db import DatabaseError, connection

    from rallypoint.advocacy import sharing

    clock_file = Path(os.environ["SHARE_CLOCK"])
    hold = os.environ.get("SHARE_HOLD", "")
    marker = Path(os.environ["SHARE_MARKER"])
    original = sharing.account_publish
    calls = Counter[str]()

    def hooked(*, account, content):  # type: ignore[no-untyped-def]
        calls["publish"] += 1
        held = hold and calls["publish"] == HOLD_AT
        if held and hold == "before":
            marker.write_text(content.idempotency_key)
            time.sleep(600)  # claimed, not yet sent: the test kills us here
        published = original(account=account, content=content)
        if held and hold == "after":
            marker.write_text(content.idempotency_key)
            time.sleep(600)  # posted, not yet recorded: the test kills us here
        return published

    sharing.account_publish = hooked
    Path(os.environ["SHARE_READY"]).write_text("ready")
    while True:
        clock = _read_clock(clock_file)
        if clock is not None:
            try:
                sharing.share_publish_due(now=clock)
            except DatabaseError as error:
                # SQLite answers "database is locked" while the other worker writes for
                # longer than the busy timeout; try again.
                print(f"retrying after {error}", flush=True)
                connection.close()
        time.sleep(0.01)


# ---------------------------------------------------------------- the test


def _start_worker(
    tmp_path: Path, name: str, fake: FakeNetwork, **env: str
) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / f"worker-{name}.log"
    extra = {
        "SHARE_CLOCK": str(tmp_path / "clock"),
        "SHARE_MARKER": str(tmp_path / f"held-by-{name}"),
        "SHARE_READY": str(tmp_path / f"ready-{name}"),
        "OUTBOUND_ALLOW_NETWORKS": "127.0.0.1/32",
        "OUTBOUND_ALLOWED_PORTS": f"80,443,{fake.port}",
        "MASTODON_INSECURE_HTTP": "true",
        "BLUESKY_PDS_URL": fake.base_url,
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "rallypoint.advocacy.tests.test_share_queue_workers"],
            env=child_env(**extra),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    return process, log


def _set_clock(tmp_path: Path, moment: datetime.datetime) -> None:
    temporary = tmp_path / "clock.tmp"
    temporary.write_text(moment.isoformat())
    os.replace(temporary, tmp_path / "clock")


def _make_shares(fake: FakeNetwork, due: datetime.datetime) -> list[int]:
    from rallypoint.advocacy.models import Share
    from rallypoint.advocacy.tests.test_sharing_services import build_world, connect

    world = build_world()
    accounts = {network: connect(world.ana, network, fake) for network in ("mastodon", "bluesky")}
    shares = Share.objects.bulk_create(
        [
            Share(
                user=world.ana,
                item=world.item,
                network=network,
                method=Share.Method.API,
                status=Share.Status.SCHEDULED,
                text=f"Lisbon {network} {n} #employee",
                account=accounts[network],
                scheduled_for=due - datetime.timedelta(seconds=n),
                next_attempt_at=due - datetime.timedelta(seconds=n),
            )
            for n in range(SHARES_PER_NETWORK)
            for network in ("mastodon", "bluesky")
        ]
    )
    return [share.pk for share in shares]


def _statuses() -> Counter[str]:
    from rallypoint.advocacy.models import Share

    return Counter(Share.objects.values_list("status", flat=True))


@pytest.mark.parametrize("hold", ["after", "before"])
def test_two_workers_and_a_kill_post_every_share_exactly_once(tmp_path, fake_network, hold):
    from rallypoint.advocacy.models import Share
    from rallypoint.advocacy.tests.test_sharing_services import FakeSocial
    from rallypoint.networks.bluesky import record_key

    fake = fake_network()
    social = FakeSocial(fake)
    a, log_a = _start_worker(tmp_path, "a", fake, SHARE_HOLD=hold)
    b, log_b = _start_worker(tmp_path, "b", fake)

    def logs() -> str:
        return f"--- a\n{log_a.read_text()}\n--- b\n{log_b.read_text()}"

    try:
        start = datetime.datetime.now(tz=datetime.UTC)
        ids = _make_shares(fake, start)
        wait_for(
            lambda: (tmp_path / "ready-a").exists() and (tmp_path / "ready-b").exists(),
            timeout=120,  # a busy machine takes long to start Python processes
            what="both workers to start",
            log=logs,
        )
        _set_clock(tmp_path, start)
        marker = tmp_path / "held-by-a"
        wait_for(
            lambda: marker.exists() and marker.read_text(), timeout=60, what="A to hold", log=logs
        )
        held_key = marker.read_text()
        a.send_signal(signal.SIGKILL)
        a.wait(timeout=10)
        # B publishes everything else; the held share stays claimed by the dead worker.
        wait_for(
            lambda: _statuses()["scheduled"] == 0 and _statuses()["published"] >= len(ids) - 2,
            timeout=120,
            what="B to publish the rest",
            log=logs,
        )
        assert b.poll() is None, logs()
        held = Share.objects.get(idempotency_key=held_key)
        assert held.status == Share.Status.PUBLISHING
        assert _statuses()["failed"] == 0
        # The lease runs out: B recovers the share and posts it with the same key.
        _set_clock(tmp_path, start + datetime.timedelta(minutes=6))
        wait_for(
            lambda: _statuses() == Counter({"published": len(ids)}),
            timeout=60,
            what="B to recover the held share",
            log=logs,
        )
        assert a.returncode == -signal.SIGKILL
    finally:
        for process in (a, b):
            if process.poll() is None:
                process.kill()
                process.wait()

    shares = list(Share.objects.filter(pk__in=ids))
    # One post on the network per share, none lost, none twice.
    mastodon = {str(s.idempotency_key): s for s in shares if s.network == "mastodon"}
    bluesky = {record_key(str(s.idempotency_key)): s for s in shares if s.network == "bluesky"}
    assert set(social.statuses) == set(mastodon)
    assert set(social.records) == set(bluesky)
    assert social.posts == len(ids) == 2 * SHARES_PER_NETWORK
    for key, share in mastodon.items():
        assert share.remote_id == social.statuses[key]["id"]
    for rkey, share in bluesky.items():
        assert share.remote_id == social.records[rkey]["uri"]
    assert len({share.remote_id for share in shares}) == len(ids)
    # The held share was sent twice when the first request had gone out, once otherwise.
    held.refresh_from_db()
    assert held.status == Share.Status.PUBLISHED
    assert held.attempts == 2
    sent_for_held = [
        r
        for r in fake.requests
        if r.header("Idempotency-Key") == held_key
        or (r.body and held_key and record_key(held_key).encode() in r.body)
    ]
    assert len(sent_for_held) == (2 if hold == "after" else 1)


if __name__ == "__main__":
    worker_main()
