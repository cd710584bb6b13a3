"""Jobs of tracked links: forgetting the visitor salts of past days."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from rallypoint.links.services import visitor_salts_prune


@db_periodic_task(crontab(minute="7"))
def visitor_salts_prune_hourly() -> None:
    """Delete the salts of days before today (UTC), within the first hour of a new day;
    running every hour, a consumer that was stopped at that time catches up."""
    visitor_salts_prune()
