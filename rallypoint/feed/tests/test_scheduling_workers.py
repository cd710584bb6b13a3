"""Two worker processes publish due scheduled posts and recurring occurrences from the
same database while one of them is killed with SIGKILL in the middle of a publishing
transaction: every post and occurrence is still published exactly once, and the
side effects of publishing (here a notification per post) happen exactly once.

The workers are this module run as a program: each loops calling
``scheduled_posts_publish_due(now=clock)``, where ``clock`` is a time the test moves
forward day by day through a file, so that weeks of recurring updates (across both
daylight saving changes) are published in a few seconds. Worker A stops inside the
publishing transaction of one chosen item (after ``post_published`` ran) and tells the
test, which kills it there.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, child_env, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

UTC = datetime.UTC
START = datetime.datetime(2024, 3, 1, tzinfo=UTC)
STEPS = 36  # days: through the US (10 March) and EU (31 March) changes and a month end
SCHEDULED_POSTS = 200
WATCHER = "carol@example.com"


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

    from rallypoint.feed import scheduling, services
    from rallypoint.notify.models import Notification
    from rallypoint.notify.services import notification_notify
    from rallypoint.people.models import User

    clock_file = Path(os.environ["SCHED_CLOCK"])
    hold_kind, _sep, hold_at = os.environ.get("SCHED_HOLD", ":").partition(":")
    marker = Path(os.environ["SCHED_MARKER"])
    original = services.post_published
    published = Counter[str]()

    def hooked(post):  # type: ignore[no-untyped-def]
        original(post)
        notification_notify(
            recipients=[User.objects.get(email=WATCHER)],
            kind=Notification.Kind.SPACE,
            actor=None,
            space=post.space,
            target=post,
            url=f"/posts/{post.pk}/",
            summary="published",
        )
        kind = "occurrence" if post.schedule_id else "post"
        published[kind] += 1
        if kind == hold_kind and published[kind] == int(hold_at):
            # Still inside the publishing transaction: the test kills us here.
            occurrence = post.occurrence_at.isoformat() if post.occurrence_at else ""
            marker.write_text(f"{post.pk} {post.schedule_id or ''} {occurrence}")
            time.sleep(600)

    services.post_published = hooked
    Path(os.environ["SCHED_READY"]).write_text("ready")
    while True:
        clock = _read_clock(clock_file)
        if clock is not None:
            try:
                scheduling.scheduled_posts_publish_due(now=clock)
            except DatabaseError as error:
                # SQLite answers "database is locked" while the other worker holds the
                # write lock for longer than the busy timeout; try again.
                print(f"retrying after {error}", flush=True)
                connection.close()
        time.sleep(0.01)


# ---------------------------------------------------------------- the test


def _start_worker(tmp_path: Path, name: str, **env: str) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / f"worker-{name}.log"
    extra = {
        "SCHED_CLOCK": str(tmp_path / "clock"),
        "SCHED_MARKER": str(tmp_path / f"held-by-{name}"),
        "SCHED_READY": str(tmp_path / f"ready-{name}"),
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "rallypoint.feed.tests.test_scheduling_workers"],
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


def _make_world():
    from rallypoint.feed import scheduling
    from rallypoint.feed.models import Post
    from rallypoint.feed.tests.conftest import build_world
    from rallypoint.people.models import User

    world = build_world()
    author = world["alice"]
    User.objects.filter(pk=author.pk).update(time_zone="Europe/Berlin")
    author.refresh_from_db()
    space = world.engineering
    assert space is not None
    Post.objects.bulk_create(
        [
            Post(
                space=space,
                author=author,
                body=f"Scheduled {n}",
                body_html=f"<p>Scheduled {n}</p>",
                status=Post.Status.SCHEDULED,
                publish_at=START - datetime.timedelta(minutes=n),
            )
            for n in range(SCHEDULED_POSTS)
        ]
    )
    rules: list[dict[str, Any]] = [
        {"frequency": "daily", "time_of_day": datetime.time(9), "time_zone": "Europe/Berlin"},
        {
            "frequency": "daily",
            "time_of_day": datetime.time(2, 30),
            "time_zone": "America/New_York",
        },
        {"frequency": "daily", "time_of_day": datetime.time(23, 59), "time_zone": "Asia/Kolkata"},
        {"frequency": "weekly", "time_of_day": datetime.time(9), "weekday": 0},
        {"frequency": "weekly", "time_of_day": datetime.time(18, 15), "weekday": 4},
        {"frequency": "monthly", "time_of_day": datetime.time(9), "day_of_month": 31},
        {"frequency": "monthly", "time_of_day": datetime.time(7), "day_of_month": 1},
    ]
    schedules = [
        scheduling.schedule_create(
            author=author,
            space=space,
            body=f"Recurring {n}",
            now=START - datetime.timedelta(days=3),
            **rule,
        )
        for n, rule in enumerate(rules)
    ]
    return world, schedules


def _expected_occurrences(schedules, clocks):
    """What publishing at each clock value should give: per schedule, the latest
    occurrence due at each run that was not published yet."""
    from rallypoint.feed.scheduling import ScheduleRule

    expected = {}
    for schedule in schedules:
        rule = ScheduleRule.of(schedule)
        next_run, got = schedule.next_run_at, []
        for clock in clocks:
            if next_run <= clock:
                got.append(max(rule.latest_at_or_before(clock), next_run))
                next_run = rule.next_after(clock)
        expected[schedule.pk] = got
    return expected


def _nothing_due(clock: datetime.datetime) -> bool:
    from rallypoint.feed.models import Post, PostSchedule

    return not (
        PostSchedule.objects.filter(paused_at=None, next_run_at__lte=clock).exists()
        or Post.objects.filter(status=Post.Status.SCHEDULED, publish_at__lte=clock).exists()
    )


@pytest.mark.parametrize("hold", ["post:20", "occurrence:2"])
def test_two_workers_and_a_kill_publish_everything_exactly_once(tmp_path, hold):
    from rallypoint.feed.models import Post
    from rallypoint.notify.models import Notification

    # The workers start (slow) while the test writes the data; they wait for the clock.
    a, log_a = _start_worker(tmp_path, "a", SCHED_HOLD=hold)
    b, log_b = _start_worker(tmp_path, "b")

    def logs() -> str:
        return f"--- a\n{log_a.read_text()}\n--- b\n{log_b.read_text()}"

    try:
        world, schedules = _make_world()
        wait_for(
            lambda: (tmp_path / "ready-a").exists() and (tmp_path / "ready-b").exists(),
            timeout=120,  # a busy machine takes long to start Python processes
            what="both workers to start",
            log=logs,
        )
        clocks = [START + datetime.timedelta(days=day) for day in range(STEPS)]
        held: str | None = None

        def settled(clock: datetime.datetime) -> bool:
            nonlocal held
            marker = tmp_path / "held-by-a"
            if held is None and marker.exists() and marker.read_text():
                held = marker.read_text()
                a.send_signal(signal.SIGKILL)  # inside the publishing transaction
                a.wait(timeout=10)
            assert b.poll() is None, logs()
            return _nothing_due(clock)

        for clock in clocks:
            _set_clock(tmp_path, clock)
            wait_for(partial(settled, clock), timeout=60, what=f"run at {clock}", log=logs)
        assert held is not None, "worker A never reached the item it was to die on:\n" + logs()
        assert a.returncode == -signal.SIGKILL
    finally:
        for process in (a, b):
            if process.poll() is None:
                process.kill()
                process.wait()

    # Every scheduled post is published, once; the held one by the surviving worker.
    posts = Post.objects.filter(schedule=None, body__startswith="Scheduled ")
    assert posts.count() == SCHEDULED_POSTS
    assert set(posts.values_list("status", flat=True)) == {Post.Status.PUBLISHED}
    # Every occurrence is published once, none lost, none twice.
    expected = _expected_occurrences(schedules, clocks)
    for schedule in schedules:
        got = list(
            Post.objects.filter(schedule=schedule)
            .order_by("occurrence_at")
            .values_list("occurrence_at", flat=True)
        )
        assert got == expected[schedule.pk], schedule.frequency
    total = SCHEDULED_POSTS + sum(len(v) for v in expected.values())
    assert len(expected[schedules[0].pk]) >= STEPS - 1
    # The side effects of publishing happened once per post, the held one included.
    watcher = world["carol"]
    notes = Counter(
        Notification.objects.filter(recipient=watcher, summary="published").values_list(
            "target_id", flat=True
        )
    )
    published = Post.objects.filter(status=Post.Status.PUBLISHED, author=world["alice"])
    published_ids = {
        str(pk)
        for pk in published.exclude(body__startswith="**Falcon**").values_list("pk", flat=True)
    }
    assert len(published_ids) == total
    assert set(notes) == published_ids
    assert set(notes.values()) == {1}
    # The item worker A died on was published by worker B: a scheduled post keeps its
    # row; an occurrence's row was rolled back and inserted again.
    pk, schedule_id, occurrence = [*held.split(" "), "", ""][:3]
    if schedule_id:
        again = Post.objects.get(
            schedule_id=int(schedule_id),
            occurrence_at=datetime.datetime.fromisoformat(occurrence),
        )
    else:
        again = Post.objects.get(pk=int(pk))
    assert again.status == Post.Status.PUBLISHED
    assert notes[str(again.pk)] == 1


if __name__ == "__main__":
    worker_main()
