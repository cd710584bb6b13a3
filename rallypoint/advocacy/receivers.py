"""What the advocacy side does when the demo company is seeded."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from rallypoint.people.signals_api import demo_company_seeded


@receiver(demo_company_seeded, dispatch_uid="rallypoint.advocacy.demo_company_seeded")
def on_demo_company_seeded(sender: Any, **kwargs: Any) -> None:
    from rallypoint.advocacy.seed import seed_advocacy
    from rallypoint.governance.seed import seed_governance
    from rallypoint.people import seed_data
    from rallypoint.people.models import User

    author = User.objects.get(email=seed_data.ADMIN_EMAIL)
    seed_governance(author=author)
    seed_advocacy()
