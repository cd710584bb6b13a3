"""Helpers for the tests of tracked links: clean caches and a click queue without thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rallypoint.links.buffer import CLICKS
from rallypoint.links.capture import SALTS, TARGETS, db_threads_close

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
LINKEDIN_BOT = (
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)"
)
CARDYB = (
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app) "
    "Chrome/125.0.6422.60 Safari/537.36"
)


@pytest.fixture(autouse=True)
def _quiet_click_queue() -> Iterator[None]:
    """In this process clicks are written when a test says so (``CLICKS.flush()``)."""
    CLICKS.autostart = False
    CLICKS.clear()
    TARGETS.clear()
    SALTS.clear()
    yield
    if CLICKS.running:
        CLICKS.drain(timeout=5)
    db_threads_close()
    CLICKS.clear()
    CLICKS.autostart = True
    TARGETS.clear()
    SALTS.clear()
