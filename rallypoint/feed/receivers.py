"""What the feed does when people change elsewhere."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from rallypoint.feed.seed import demo_feed_seed
from rallypoint.people.signals_api import demo_company_seeded


@receiver(demo_company_seeded, dispatch_uid="rallypoint.feed.demo_company_seeded")
def on_demo_company_seeded(sender: Any, **kwargs: Any) -> None:
    demo_feed_seed()
