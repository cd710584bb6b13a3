"""The click queue: batches, retries while the database is away, the memory bound, drain."""

from __future__ import annotations

import datetime
import logging
import threading
import time

import pytest
from django.db import OperationalError

from conftest import wait_for
from rallypoint.links import buffer, services
from rallypoint.links.buffer import CLICKS
from rallypoint.links.models import Click, TrackedLink
from rallypoint.links.services import ClickRecord, tracked_link_create
from rallypoint.links.signals import clicks_stored

START = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


def record(link: TrackedLink, n: int = 0, *, bot: bool = False) -> ClickRecord:
    return ClickRecord(
        link_id=link.pk,
        at=START + datetime.timedelta(seconds=n),
        network=link.network,
        referrer_host="www.linkedin.com",
        device_class="bot" if bot else "mobile",
        visitor_hash=f"{n:064x}",
        is_bot=bot,
        bot_name="LinkedInBot" if bot else "",
    )


@pytest.fixture
def link(db) -> TrackedLink:
    return tracked_link_create(user=None, network="linkedin", destination="https://example.com")


class FlakyStore:
    """``clicks_store`` that fails ``failures`` times first, recording the batch sizes."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.batches: list[int] = []

    def __call__(self, *, records):
        if self.failures:
            self.failures -= 1
            raise OperationalError("database is locked")
        self.batches.append(len(records))
        return services.clicks_store(records=records)


def test_clicks_are_written_in_batches(link, settings, monkeypatch):
    settings.LINKS_BATCH_SIZE = 3
    store = FlakyStore()
    monkeypatch.setattr(buffer, "clicks_store", store)
    for n in range(7):
        CLICKS.add(record(link, n))

    assert CLICKS.flush() == 7

    assert store.batches == [3, 3, 1]
    assert len(CLICKS) == 0
    assert Click.objects.count() == 7


def test_a_refused_batch_stays_queued_in_order(link, monkeypatch):
    monkeypatch.setattr(buffer, "clicks_store", FlakyStore(failures=1))
    for n in range(5):
        CLICKS.add(record(link, n))

    with pytest.raises(OperationalError):
        CLICKS.flush()
    assert len(CLICKS) == 5
    assert not Click.objects.exists()
    CLICKS.add(record(link, 5))
    assert CLICKS.flush() == 6

    assert list(Click.objects.order_by("pk").values_list("at", flat=True)) == [
        START + datetime.timedelta(seconds=n) for n in range(6)
    ]


def test_the_queue_is_bounded_and_says_so(link, settings, caplog):
    settings.LINKS_BUFFER_MAX = 5

    kept = [CLICKS.add(record(link, n)) for n in range(8)]

    assert kept == [True] * 5 + [False] * 3
    assert len(CLICKS) == 5
    assert CLICKS.dropped == 3
    warnings = [r for r in caplog.records if "Click queue full" in r.getMessage()]
    assert len(warnings) == 1  # once a minute, not once a click


@pytest.mark.django_db(transaction=True)
def test_clicks_of_a_deleted_link_are_left_out():
    # Foreign keys are checked at commit: this needs real transactions.
    link = tracked_link_create(user=None, network="linkedin", destination="https://example.com")
    other = tracked_link_create(user=None, network="x", destination="https://example.org")
    CLICKS.add(record(link, 1))
    CLICKS.add(record(other, 2))
    CLICKS.add(record(link, 3))
    other.delete()

    assert CLICKS.flush() == 3  # taken off the queue
    assert list(Click.objects.values_list("link_id", flat=True)) == [link.pk, link.pk]
    assert len(CLICKS) == 0


def test_clicks_stored_is_sent_after_the_batch_is_committed(
    link, django_capture_on_commit_callbacks
):
    other = tracked_link_create(user=None, network="x", destination="https://example.org")
    received: list[list[int]] = []

    def receiver(sender, link_ids, **kwargs):
        received.append(link_ids)

    clicks_stored.connect(receiver)
    try:
        for n, target in enumerate([other, link, other]):
            CLICKS.add(record(target, n))
        with django_capture_on_commit_callbacks(execute=True):
            CLICKS.flush()
    finally:
        clicks_stored.disconnect(receiver)

    assert received == [sorted([link.pk, other.pk])]


def test_a_failing_receiver_does_not_make_the_batch_written_again(
    link, django_capture_on_commit_callbacks, caplog
):
    def broken(sender, link_ids, **kwargs):
        raise RuntimeError("receiver bug")

    clicks_stored.connect(broken)
    try:
        CLICKS.add(record(link))
        with django_capture_on_commit_callbacks(execute=True):
            assert CLICKS.flush() == 1
    finally:
        clicks_stored.disconnect(broken)

    assert Click.objects.count() == 1
    assert "clicks_stored receiver" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_tries_again_until_the_database_is_back(settings, monkeypatch):
    link = tracked_link_create(user=None, network="x", destination="https://example.com")
    settings.LINKS_FLUSH_SECONDS = 0.1
    store = FlakyStore(failures=2)
    monkeypatch.setattr(buffer, "clicks_store", store)
    CLICKS.autostart = True

    for n in range(10):
        CLICKS.add(record(link, n))

    assert CLICKS.running
    wait_for(lambda: Click.objects.count() == 10, timeout=15, what="the clicks to be written")
    assert store.failures == 0


@pytest.mark.django_db(transaction=True)
def test_drain_writes_everything_sent_from_many_threads(settings):
    link = tracked_link_create(user=None, network="x", destination="https://example.com")
    settings.LINKS_BATCH_SIZE = 50
    CLICKS.autostart = True

    def click_many(offset: int) -> None:
        for n in range(250):
            CLICKS.add(record(link, offset + n, bot=n % 10 == 0))
            if n % 50 == 0:
                time.sleep(0.01)

    threads = [threading.Thread(target=click_many, args=(i * 1000,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert CLICKS.drain(timeout=10) == 0

    assert not CLICKS.running
    assert Click.objects.count() == 1000
    assert Click.objects.filter(is_bot=True).count() == 100


def test_drain_gives_up_after_its_time_and_reports_the_loss(link, monkeypatch, caplog):
    monkeypatch.setattr(buffer, "clicks_store", FlakyStore(failures=10**6))
    for n in range(4):
        CLICKS.add(record(link, n))
    caplog.set_level(logging.ERROR)

    started = time.monotonic()
    assert CLICKS.drain(timeout=0.5) == 4

    assert time.monotonic() - started < 3
    assert "Stopping with 4 clicks unwritten" in caplog.text
