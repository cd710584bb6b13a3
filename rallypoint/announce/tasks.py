"""Jobs of announcements: reminders to people who have not acknowledged."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rallypoint.announce.services import announcement_reminders_send


@db_periodic_task(crontab(minute="7"))
def announcement_reminders_hourly() -> int:
    """Every hour: remind those whose reminder is due (safe with several workers)."""
    return announcement_reminders_send()
