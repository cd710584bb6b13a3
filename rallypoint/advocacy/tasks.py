"""Background jobs of employee advocacy: publishing scheduled shares and fetching their
engagement. The logic lives in ``advocacy.sharing``; these only trigger it."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from rallypoint.advocacy import sharing

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def shares_publish_every_minute() -> None:
    """Every minute: publish what is due, retry what waited, recover what a dead worker left."""
    report = sharing.share_publish_due()
    if report.published or report.retried or report.failed or report.recovered:
        logger.info(
            "shares: %d published, %d to retry, %d failed, %d recovered",
            report.published,
            report.retried,
            report.failed,
            report.recovered,
        )


@db_task()
def share_publish_now(share_id: int) -> None:
    """ "Post now": publish this share at once (the periodic job would take it otherwise)."""
    sharing.share_publish_one(share_id=share_id)


@db_periodic_task(crontab(minute="7"))
def share_metrics_fetch_hourly() -> None:
    """Every hour: fetch the engagement of recent api shares that are due for it."""
    report = sharing.share_metrics_fetch_due()
    if report.fetched or report.unavailable:
        logger.info(
            "engagement: %d fetched, %d not available, %d skipped",
            report.fetched,
            report.unavailable,
            report.skipped,
        )
