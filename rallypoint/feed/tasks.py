"""The feed's background jobs. Huey finds this module in every app; each job lives next
to the code it serves and is imported here so that workers register it."""

from __future__ import annotations

from rallypoint.feed import attachments as attachments
from rallypoint.feed import previews as previews
from rallypoint.feed import scheduling as scheduling
