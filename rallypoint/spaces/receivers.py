"""Spaces follow the people directory and feed the event stream: receivers of the signals
that ``people`` sends, and the channel provider that ``core.realtime`` asks."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from rallypoint.core.realtime import access_changed, space_channel
from rallypoint.people.models import User
from rallypoint.people.signals_api import demo_company_seeded, people_changed
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.seed import demo_spaces_seed
from rallypoint.spaces.selectors import space_ids_readable_by


def space_channels(user: User) -> list[str]:
    """A ``space:<id>`` channel for each space whose content ``user`` may read (one query)."""
    return [space_channel(pk) for pk in space_ids_readable_by(user)]


@receiver(people_changed, dispatch_uid="rallypoint.spaces.people_changed")
def on_people_changed(sender: Any, user_ids: list[int], **kwargs: Any) -> None:
    directory_spaces_reconcile(user_ids=user_ids)
    # Deactivated people keep their group memberships (for a reactivation) but must stop
    # hearing every space at once; the reconcile told those whose memberships changed.
    access_changed(
        User.objects.filter(pk__in=user_ids, is_active=False).values_list("pk", flat=True)
    )


@receiver(demo_company_seeded, dispatch_uid="rallypoint.spaces.demo_company_seeded")
def on_demo_company_seeded(sender: Any, **kwargs: Any) -> None:
    demo_spaces_seed()
