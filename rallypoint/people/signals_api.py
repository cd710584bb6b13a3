"""Signals that ``people`` sends so that apps built on it can follow the directory.

``people`` must not import the apps that build on it (imports flow core ← people ←
spaces ← …). Instead, it announces what changed and those apps connect receivers in
their ``AppConfig.ready``:

- ``people_changed`` (keyword ``user_ids``: a list of ids): people were created, or
  their department, team, location or active state changed. Sent after the transaction
  commits, so receivers read what was stored.
- ``demo_company_seeded`` (keyword ``people``: how many): the demo company was just
  seeded. Sent inside the seeding transaction, so the demo is complete or absent.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

people_changed = Signal()
demo_company_seeded = Signal()


def people_changed_send(*, user_ids: Iterable[int]) -> None:
    """Announce, once the current transaction commits, that these people changed."""
    ids = sorted({int(pk) for pk in user_ids})
    if not ids:
        return
    transaction.on_commit(lambda: people_changed.send(sender=people_changed, user_ids=ids))
