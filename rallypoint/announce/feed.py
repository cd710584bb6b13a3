"""Announcements inside the home feed.

The feed pages through posts on (created_at, id). Each page of posts covers a window of
time: from the cursor's time (exclusive; open-ended on the first page) down to the time
of the page's last post (inclusive; open-ended on the last page). The announcements for
the viewer published inside that window are shown on that page, each before the first
post older than it, so consecutive pages never repeat or skip one. At most
``PER_PAGE`` are shown in one window; the announcements page lists them all.

Urgent announcements the viewer has not acknowledged are shown above the feed on its
first page instead, until acknowledged.

Two queries per page (one for the window, one for the urgent ones on the first page),
whatever the number of posts and announcements.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from rallypoint.announce import selectors
from rallypoint.announce.models import Announcement
from rallypoint.people.models import User

PER_PAGE = 20


@dataclass
class FeedAnnouncements:
    urgent: list[Announcement] = field(default_factory=list)
    # Announcements older than the last post of the last page.
    trailing: list[Announcement] = field(default_factory=list)


def feed_announcements_attach(
    viewer: User,
    *,
    posts: list[Any],
    cursor_time: datetime.datetime | None,
    has_more: bool,
) -> FeedAnnouncements:
    """Set ``announcements_before`` on each post of a home feed page and return the
    urgent and trailing announcements (see the module's docstring)."""
    result = FeedAnnouncements()
    if cursor_time is None:
        result.urgent = list(selectors.announcements_urgent_unacknowledged(viewer)[:PER_PAGE])
    # Unacknowledged urgent ones are above the feed, not in it, on every page.
    rows = selectors.announcements_for_feed(viewer)
    if cursor_time is not None:
        rows = rows.filter(published_at__lt=cursor_time)
    if has_more and posts:
        rows = rows.filter(published_at__gte=posts[-1].created_at)
    window = list(rows[:PER_PAGE])
    index = 0
    for post in posts:
        before = []
        while index < len(window) and window[index].published_at >= post.created_at:  # type: ignore[operator]
            before.append(window[index])
            index += 1
        post.announcements_before = before
    result.trailing = window[index:]
    return result
