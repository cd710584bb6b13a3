"""Signals of tracked links.

``clicks_stored`` is sent after each batch of clicks is written (committed), with
``link_ids``: the ids of the links that got clicks in that batch (bots included), so that
pages showing live figures, such as campaign progress, can refresh them. It is sent from
the thread that writes clicks, outside any request; a receiver that fails is logged and
never makes the batch be written again.
"""

from __future__ import annotations

from django.dispatch import Signal

clicks_stored = Signal()
