from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _statistics_after_migrate(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    from rallypoint.core.services import database_statistics_refresh

    database_statistics_refresh(using=using)


class CoreConfig(AppConfig):
    name = "rallypoint.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Once per migrate run (the signal is sent per app; this one is sent for core).
        post_migrate.connect(_statistics_after_migrate, sender=self)
