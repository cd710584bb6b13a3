"""Reads of tracked links and their clicks.

The figures here are building blocks for the pages of others (an employee's shares, a
campaign's progress, insights): they take link ids that the caller has already chosen
through its own visibility rules (a share is its employee's, a campaign's figures are
its audience's) and never decide who may see them. Clicks by bots are excluded from every
count, except the ``bots`` figure.

A visitor is a ``visitor_hash``: the same browser on the same address on the same UTC
day. Hashes of different days never match (the salt changes every day), so "unique
visitors" over several days is the sum of each day's unique visitors.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate

from rallypoint.links.models import Click, TrackedLink

HUMAN = Q(is_bot=False)


class ClickCounts(NamedTuple):
    """Human clicks, their distinct visitors, and the bot fetches of a link (or links)."""

    clicks: int = 0
    unique_visitors: int = 0
    bots: int = 0


@dataclass(frozen=True)
class LinkTarget:
    """What the redirect needs of a link: where it goes, and what a click records."""

    link_id: int
    destination: str
    network: str


@dataclass(frozen=True)
class Breakdown:
    """One row of a breakdown: a day, network, device class or referrer host."""

    key: str | datetime.date
    clicks: int
    unique_visitors: int


def link_target(code: str) -> LinkTarget | None:
    """The link ``/r/<code>`` leads to, or None. Public: anyone holding the code may follow it."""
    row = TrackedLink.objects.filter(code=code).values_list("pk", "destination", "network").first()
    if row is None:
        return None
    return LinkTarget(link_id=row[0], destination=row[1], network=row[2])


def human_clicks(link_ids: Iterable[int] | QuerySet | None = None) -> QuerySet[Click]:
    """Clicks by people (no crawlers or unfurlers), of ``link_ids`` when given (a list of
    ids or a queryset of links or of their ids)."""
    clicks = Click.objects.filter(HUMAN)
    if link_ids is not None:
        clicks = clicks.filter(link_id__in=link_ids)
    return clicks


def _counts() -> dict[str, Count]:
    return {
        "n_clicks": Count("pk", filter=HUMAN),
        "n_unique": Count("visitor_hash", filter=HUMAN, distinct=True),
        "n_bots": Count("pk", filter=Q(is_bot=True)),
    }


def clicks_for_links(link_ids: Iterable[int]) -> dict[int, ClickCounts]:
    """``{link id: ClickCounts}`` for each of ``link_ids`` (zeros for a link without
    clicks), in one query."""
    ids = list(link_ids)
    result = {pk: ClickCounts() for pk in ids}
    if not ids:
        return result
    rows = Click.objects.filter(link_id__in=ids).values("link_id").annotate(**_counts()).order_by()
    for row in rows:
        result[row["link_id"]] = ClickCounts(row["n_clicks"], row["n_unique"], row["n_bots"])
    return result


def clicks_total(link_ids: Iterable[int] | QuerySet) -> ClickCounts:
    """The ``ClickCounts`` of a set of links together (a campaign's, an employee's). A
    visitor who opened two of the links on the same day counts once."""
    totals = Click.objects.filter(link_id__in=link_ids).aggregate(**_counts())
    return ClickCounts(totals["n_clicks"], totals["n_unique"], totals["n_bots"])


def _breakdown(link_ids: Iterable[int] | QuerySet, field: str, **extra: object) -> QuerySet:
    return (
        human_clicks(link_ids)
        .annotate(**extra)  # type: ignore[arg-type]
        .values(field)
        .annotate(n_clicks=Count("pk"), n_unique=Count("visitor_hash", distinct=True))
        .values_list(field, "n_clicks", "n_unique")
    )


def clicks_by_day(
    link_ids: Iterable[int] | QuerySet,
    *,
    since: datetime.datetime | None = None,
    tz: datetime.tzinfo = datetime.UTC,
) -> list[Breakdown]:
    """Human clicks per day (in ``tz``), oldest first; days without clicks are absent."""
    rows = _breakdown(link_ids, "day", day=TruncDate("at", tzinfo=tz))
    if since is not None:
        rows = rows.filter(at__gte=since)
    return [Breakdown(day, n, unique) for day, n, unique in rows.order_by("day")]


def _ranked(link_ids: Iterable[int] | QuerySet, field: str, limit: int | None) -> list[Breakdown]:
    rows = _breakdown(link_ids, field).order_by("-n_clicks", field)
    if limit is not None:
        rows = rows[:limit]
    return [Breakdown(key, n, unique) for key, n, unique in rows]


def clicks_by_network(link_ids: Iterable[int] | QuerySet) -> list[Breakdown]:
    """Human clicks per network the link was shared on, most first."""
    return _ranked(link_ids, "network", None)


def clicks_by_device(link_ids: Iterable[int] | QuerySet) -> list[Breakdown]:
    """Human clicks per device class (``Click.Device``), most first."""
    return _ranked(link_ids, "device_class", None)


def clicks_by_referrer(link_ids: Iterable[int] | QuerySet, *, limit: int = 10) -> list[Breakdown]:
    """Human clicks per referring host (``""``: none sent), the ``limit`` biggest first."""
    return _ranked(link_ids, "referrer_host", limit)
