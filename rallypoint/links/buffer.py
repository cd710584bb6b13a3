"""Clicks wait in memory and are written in batches by one thread per process.

The redirect appends a ``ClickRecord`` to ``CLICKS`` and answers at once. The writer
thread wakes every ``LINKS_FLUSH_SECONDS`` (or as soon as ``LINKS_BATCH_SIZE`` clicks
wait) and writes them (``services.clicks_store``), ``LINKS_BATCH_SIZE`` rows per
transaction.

A batch the database refuses (down, locked, restarting) stays at the head of the queue and
is tried again, waiting longer after each failure (up to ``MAX_RETRY_SECONDS``). Clicks
keep arriving meanwhile; once ``LINKS_BUFFER_MAX`` wait, new ones are dropped, counted and
logged (a warning at most once a minute) so that an outage cannot exhaust memory, and the
redirect keeps answering.

Shutdown: ``drain()`` stops the thread and writes what is left, retrying for up to
``DRAIN_SECONDS``. The ASGI lifespan of the app (``fastpath``) calls it when the server
stops gracefully, in each worker process; an ``atexit`` handler is the backstop for any
other way of serving. Clicks still unwritten when the drain gives up are logged as lost.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection

from rallypoint.links.capture import SALTS
from rallypoint.links.services import ClickRecord, clicks_store

logger = logging.getLogger(__name__)

MAX_RETRY_SECONDS = 30.0
DRAIN_SECONDS = 30.0
DROP_LOG_SECONDS = 60.0


class ClickBuffer:
    """A queue of clicks and the thread that writes them.

    ``autostart`` starts the thread with the first click (tests switch it off and call
    ``flush`` themselves).
    """

    def __init__(self) -> None:
        self._pending: list[ClickRecord] = []
        self._lock = threading.Lock()
        # One writer at a time: the thread, a drain, or a test's flush.
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._atexit = False
        self.autostart = True
        self.dropped = 0
        self._dropped_logged_at = -DROP_LOG_SECONDS

    # ------------------------------------------------------------ the request side

    def add(self, record: ClickRecord) -> bool:
        """Queue ``record``; False when the queue is full and the click was dropped."""
        with self._lock:
            if len(self._pending) >= settings.LINKS_BUFFER_MAX:
                self.dropped += 1
                full = True
            else:
                self._pending.append(record)
                full = False
                waiting = len(self._pending)
        if full:
            self._log_dropped()
            return False
        if waiting >= settings.LINKS_BATCH_SIZE and not self._wake.is_set():
            self._wake.set()
        if self._thread is None and self.autostart:
            self.start()
        return True

    def _log_dropped(self) -> None:
        now = time.monotonic()
        if now - self._dropped_logged_at >= DROP_LOG_SECONDS:
            self._dropped_logged_at = now
            logger.warning(
                "Click queue full (%d waiting, the database is not taking them): "
                "%d clicks dropped so far",
                settings.LINKS_BUFFER_MAX,
                self.dropped,
            )

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ------------------------------------------------------------ writing

    def flush(self) -> int:
        """Write every waiting click now, in batches; returns how many were written.

        Raises ``DatabaseError`` when a batch cannot be written; that batch and the ones
        after it stay queued, in order."""
        written = 0
        with self._write_lock:
            while True:
                with self._lock:
                    batch = self._pending[: settings.LINKS_BATCH_SIZE]
                if not batch:
                    return written
                clicks_store(records=batch)
                # Only this writer removes, and adds only append: the head is this batch.
                with self._lock:
                    del self._pending[: len(batch)]
                written += len(batch)

    def _flush_or_wait(self, failures: int) -> int:
        """One round of the writer thread; returns the failures in a row so far."""
        try:
            self.flush()
            SALTS.prepare()
        except DatabaseError as exc:
            connection.close()
            failures += 1
            delay = min(MAX_RETRY_SECONDS, 0.5 * 2**failures)
            logger.warning(
                "Cannot write clicks (%s); %d waiting, trying again in %.0f s",
                exc,
                len(self),
                delay,
            )
            self._stopping.wait(delay)
            return failures
        except Exception:
            logger.exception("Writing clicks failed; trying again")
            self._stopping.wait(MAX_RETRY_SECONDS)
            return failures + 1
        if failures:
            logger.info("Writing clicks again")
        return 0

    def _run(self) -> None:
        failures = 0
        try:
            while not self._stopping.is_set():
                self._wake.wait(settings.LINKS_FLUSH_SECONDS)
                self._wake.clear()
                if self._stopping.is_set():
                    break  # the drain writes the rest
                failures = self._flush_or_wait(failures)
        finally:
            connection.close()

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        """Start the writer thread (once; again after a drain)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="links-clicks", daemon=True)
            self._thread.start()
            if not self._atexit:
                atexit.register(self._at_exit)
                self._atexit = True

    def drain(self, timeout: float = DRAIN_SECONDS) -> int:
        """Stop the writer thread and write every waiting click, trying again until
        ``timeout`` seconds have passed; returns how many clicks could not be written."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        self._thread = None
        deadline = time.monotonic() + timeout
        delay = 0.2
        try:
            while True:
                try:
                    written = self.flush()
                    if written:
                        logger.info("Wrote the last %d clicks", written)
                    return 0
                except DatabaseError as exc:
                    connection.close()
                    if time.monotonic() + delay > deadline:
                        lost = len(self)
                        logger.error("Stopping with %d clicks unwritten (%s)", lost, exc)
                        return lost
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)
        finally:
            connection.close()

    def _at_exit(self) -> None:
        if len(self) or self.running:
            self.drain(timeout=5.0)

    def clear(self) -> None:
        """Forget every waiting click (tests)."""
        with self._lock:
            self._pending.clear()
            self.dropped = 0


CLICKS = ClickBuffer()


def click_buffer() -> ClickBuffer:
    return CLICKS
