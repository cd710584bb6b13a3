"""Reads of people that a signed-in person can see.

Everyone in the company sees every active colleague; administrators also see
deactivated accounts when they open one by id (to fix or reactivate it).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import CharField, Count, F, Func, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.people.models import Department, Location, User

# The manager chain is walked in the database; this bounds it even if bad data loops.
MAX_CHAIN_DEPTH = 50
UPCOMING_DAYS = 7
NEW_JOINER_DAYS = 30
HOME_LIST_LIMIT = 12
_ACTIVE_REPORTS = Count("direct_reports", filter=Q(direct_reports__is_active=True))


def people_visible_to(
    viewer: User,
    *,
    query: str = "",
    department: Department | None = None,
    location: Location | None = None,
) -> QuerySet[User]:
    """Active people, optionally matching every word of ``query`` and the filters.

    Each word matches the name, job title or department name, case-insensitively
    (SQLite folds ASCII letters only; PostgreSQL folds every letter).
    """
    people = User.objects.filter(is_active=True).select_related("department", "location", "team")
    for word in query.split()[:8]:
        people = people.filter(
            Q(display_name__icontains=word)
            | Q(job_title__icontains=word)
            | Q(department__name__icontains=word)
        )
    if department is not None:
        people = people.filter(department=department)
    if location is not None:
        people = people.filter(location=location)
    return people.order_by("display_name", "pk")


def person_get_visible(viewer: User, pk: int) -> User:
    """The person ``pk`` with their organisation loaded; 404 when the viewer may not see them."""
    people = User.objects.select_related("department", "team", "location", "manager")
    if not viewer.is_administrator:
        people = people.filter(is_active=True)
    try:
        return people.get(pk=pk)
    except User.DoesNotExist:
        raise Http404(_("No such person.")) from None


def direct_reports_of(viewer: User, person: User) -> QuerySet[User]:
    """The active people who report to ``person``, each with how many report to them."""
    return (
        User.objects.filter(manager=person, is_active=True)
        .select_related("department", "location")
        .annotate(report_count=_ACTIVE_REPORTS)
        .order_by("display_name", "pk")
    )


def teammates_of(viewer: User, person: User, *, limit: int = 12) -> list[User]:
    """Other active members of ``person``'s team (empty when they have no team)."""
    if person.team_id is None:
        return []
    return list(
        User.objects.filter(team_id=person.team_id, is_active=True)
        .exclude(pk=person.pk)
        .order_by("display_name", "pk")[:limit]
    )


def departments_for_filter(viewer: User) -> QuerySet[Department]:
    return Department.objects.order_by("name")


def locations_for_filter(viewer: User) -> QuerySet[Location]:
    return Location.objects.order_by("name")


def _manager_chain_ids(person: User) -> list[int]:
    """Ids from ``person``'s manager up to the top, nearest first, in one query."""
    table = connection.ops.quote_name(User._meta.db_table)
    pk = connection.ops.quote_name(User._meta.pk.column)
    manager = connection.ops.quote_name(User._meta.get_field("manager").column)
    sql = (
        f"WITH RECURSIVE chain(id, manager_id, depth) AS ("  # noqa: S608 (names from the model)
        f" SELECT {pk}, {manager}, 0 FROM {table} WHERE {pk} = %s"
        f" UNION ALL"
        f" SELECT u.{pk}, u.{manager}, chain.depth + 1 FROM {table} u"
        f" JOIN chain ON u.{pk} = chain.manager_id WHERE chain.depth < %s"
        f") SELECT id FROM chain WHERE depth > 0 ORDER BY depth"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [person.pk, MAX_CHAIN_DEPTH])
        ids: list[int] = []
        for (row_id,) in cursor.fetchall():
            if row_id in ids or row_id == person.pk:
                break
            ids.append(row_id)
    return ids


@dataclass
class OrgChart:
    person: User
    chain: Sequence[User]  # from the top of the company down to the person's manager
    reports: Sequence[User]
    top: Sequence[User] = field(default_factory=list)


def org_chart_for(viewer: User, person: User) -> OrgChart:
    """The reporting line above ``person``, their direct reports, and the top of the company.

    A constant number of queries whatever the depth of the chain or the number of reports.
    """
    ids = _manager_chain_ids(person)
    above = (
        User.objects.filter(pk__in=ids, is_active=True)
        .select_related("department")
        .annotate(report_count=_ACTIVE_REPORTS)
    )
    by_id = {u.pk: u for u in above}
    chain = [by_id[i] for i in reversed(ids) if i in by_id]
    reports = list(direct_reports_of(viewer, person))
    top = list(
        User.objects.filter(manager__isnull=True, is_active=True)
        .annotate(report_count=_ACTIVE_REPORTS)
        .filter(report_count__gt=0)
        .order_by("display_name", "pk")[:HOME_LIST_LIMIT]
    )
    return OrgChart(person=person, chain=chain, reports=reports, top=top)


# ---------------------------------------------------------------- home page


def _days_ahead(today: datetime.date, days: int) -> list[datetime.date]:
    return [today + datetime.timedelta(days=n) for n in range(days)]


def _month_day_q(prefix: str, day: datetime.date, **extra: object) -> Q:
    q = Q(**{f"{prefix}month": day.month, f"{prefix}day": day.day}, **extra)
    # People born (or hired) on 29 February celebrate on the 28th in other years.
    if day.month == 2 and day.day == 28 and not _is_leap(day.year):
        q |= Q(**{f"{prefix}month": 2, f"{prefix}day": 29}, **extra)
    return q


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _on_or_after(month: int, day: int, today: datetime.date) -> datetime.date:
    """The next date, from ``today`` on, that falls on ``month``/``day``."""

    def in_year(year: int) -> datetime.date:
        if month == 2 and day == 29 and not _is_leap(year):
            return datetime.date(year, 2, 28)
        return datetime.date(year, month, day)

    this_year = in_year(today.year)
    return this_year if this_year >= today else in_year(today.year + 1)


@dataclass
class Celebration:
    person: User
    on: datetime.date
    days_away: int
    years: int = 0


def new_joiners(viewer: User, *, today: datetime.date) -> list[User]:
    """Active people hired in the last 30 days, newest first."""
    since = today - datetime.timedelta(days=NEW_JOINER_DAYS)
    return list(
        User.objects.filter(is_active=True, hire_date__gte=since, hire_date__lte=today)
        .select_related("department")
        .order_by("-hire_date", "display_name")[:HOME_LIST_LIMIT]
    )


def _month_day(field: str) -> Func:
    """``MM-DD`` of a date column, computed by the database's own function: Django's
    ``__month``/``__day`` lookups call Python for every row on SQLite (125 ms for 10,000
    people instead of 3)."""
    if connection.vendor == "sqlite":
        return Func(Value("%m-%d"), F(field), function="strftime", output_field=CharField())
    return Func(F(field), Value("MM-DD"), function="to_char", output_field=CharField())


def work_anniversaries(viewer: User, *, today: datetime.date) -> list[Celebration]:
    """Active people whose work anniversary falls in the next 7 days (today included)."""
    q = Q()
    for day in _days_ahead(today, UPCOMING_DAYS):
        hired_before = datetime.date(day.year, 1, 1)
        q |= Q(hire_month_day=f"{day:%m-%d}", hire_date__lt=hired_before)
        # People hired on 29 February celebrate on the 28th in other years.
        if day.month == 2 and day.day == 28 and not _is_leap(day.year):
            q |= Q(hire_month_day="02-29", hire_date__lt=hired_before)
    people = (
        User.objects.alias(hire_month_day=_month_day("hire_date"))
        .filter(q, is_active=True, hire_date__isnull=False)
        .select_related("department")
    )
    found = []
    for person in people:
        assert person.hire_date is not None
        on = _on_or_after(person.hire_date.month, person.hire_date.day, today)
        found.append(
            Celebration(
                person=person,
                on=on,
                days_away=(on - today).days,
                years=on.year - person.hire_date.year,
            )
        )
    found.sort(key=lambda c: (c.on, c.person.display_name))
    return found[:HOME_LIST_LIMIT]


def upcoming_birthdays(viewer: User, *, today: datetime.date) -> list[Celebration]:
    """Birthdays in the next 7 days of active people who chose to show theirs."""
    q = Q()
    for day in _days_ahead(today, UPCOMING_DAYS):
        q |= _month_day_q("birthday_", day)
    people = User.objects.filter(q, is_active=True, birthday_visible=True).select_related(
        "department"
    )
    found = []
    for person in people:
        assert person.birthday_month is not None and person.birthday_day is not None
        on = _on_or_after(person.birthday_month, person.birthday_day, today)
        found.append(Celebration(person=person, on=on, days_away=(on - today).days))
    found.sort(key=lambda c: (c.on, c.person.display_name))
    return found[:HOME_LIST_LIMIT]


@dataclass
class CompanyCounts:
    people: int
    departments: int
    locations: int


def company_counts(viewer: User) -> CompanyCounts:
    return CompanyCounts(
        people=User.objects.filter(is_active=True).count(),
        departments=Department.objects.count(),
        locations=Location.objects.count(),
    )


def active_administrators() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role=User.Role.ADMINISTRATOR)
