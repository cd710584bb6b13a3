"""Jobs of the spaces app."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from rallypoint.spaces.directory import directory_spaces_reconcile


@db_periodic_task(crontab(hour="2", minute="17"))
@lock_task("spaces-directory-reconcile")
def directory_spaces_reconcile_nightly() -> dict[str, Any]:
    """Every night, catch anything that changed in the directory without a signal."""
    return vars(directory_spaces_reconcile())
