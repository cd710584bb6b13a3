"""Spaces follow the people directory: receivers of the signals that ``people`` sends."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from rallypoint.people.signals_api import demo_company_seeded, people_changed
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.seed import demo_spaces_seed


@receiver(people_changed, dispatch_uid="rallypoint.spaces.people_changed")
def on_people_changed(sender: Any, user_ids: list[int], **kwargs: Any) -> None:
    directory_spaces_reconcile(user_ids=user_ids)


@receiver(demo_company_seeded, dispatch_uid="rallypoint.spaces.demo_company_seeded")
def on_demo_company_seeded(sender: Any, **kwargs: Any) -> None:
    demo_spaces_seed()
