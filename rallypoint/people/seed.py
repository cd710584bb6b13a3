"""The Northwind demo company, seeded once into an empty database by ``rallypoint demo``.

Deterministic: the same seed gives the same people; dates are relative to the day of
seeding, so there are always new joiners, anniversaries and birthdays to show.
"""

from __future__ import annotations

import datetime
import random
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from tqdm import tqdm

from rallypoint.core.audit import audit_record
from rallypoint.core.services import database_statistics_refresh
from rallypoint.people import seed_data as data
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.people.signals_api import demo_company_seeded

MIN_PEOPLE = 250
SEED = 1867
NEW_JOINERS = 10
ANNIVERSARIES_THIS_WEEK = 8
BIRTHDAYS_THIS_WEEK = 5
_BATCH = 25
# Letters that Unicode does not decompose into a base letter, spelled as people do in emails.
_FOLD = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "\u0131": "i",
        "œ": "oe",
    }
)


@dataclass
class _Slot:
    """One position in the org chart, before a person is put in it."""

    department: Department
    team: Team | None
    title: str
    level: int  # 0 CEO, 1 department head, 2 team lead, 3 individual contributor
    manager: int | None  # index of the manager's slot
    location: data.LocationSpec
    email: str = ""
    role: str = User.Role.EMPLOYEE


@dataclass
class DemoSeedResult:
    created: bool
    people: int
    departments: int = 0
    teams: int = 0
    locations: int = 0
    seconds: float = 0.0
    sample_email: str = field(default="")


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    kept = "".join(c for c in folded if c.isascii() and (c.isalnum() or c == "-"))
    return kept.lower()


def _shares(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder), summing exactly."""
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _pick_location(rng: random.Random) -> data.LocationSpec:
    return rng.choices(data.LOCATIONS, weights=[loc.share for loc in data.LOCATIONS])[0]


def _org_chart(
    people: int,
    rng: random.Random,
    departments: dict[str, Department],
    teams: dict[tuple[str, str], Team],
    locations: dict[str, data.LocationSpec],
) -> list[_Slot]:
    """CEO → department heads → team leads → everyone else, ``people`` slots in all."""
    hq = locations["Seattle HQ"]
    slots: list[_Slot] = []
    executive = departments[data.EXECUTIVE.name]
    slots.append(_Slot(executive, None, data.EXECUTIVE.head_title, 0, None, hq))
    office = data.EXECUTIVE.teams[0]
    office_team = teams[(data.EXECUTIVE.name, office.name)]
    slots.append(_Slot(executive, office_team, office.lead_title, 2, 0, hq))
    for title in office.titles:
        slots.append(_Slot(executive, office_team, title, 3, 1, hq))

    sizes = _shares(people - len(slots), [spec.weight for spec in data.DEPARTMENTS])
    for spec, size in zip(data.DEPARTMENTS, sizes, strict=True):
        department = departments[spec.name]
        head = len(slots)
        slots.append(_Slot(department, None, spec.head_title, 1, 0, _pick_location(rng)))
        used = spec.teams[: max(1, min(len(spec.teams), (size - 1) // 4))]
        for team_spec, team_size in zip(used, _shares(size - 1, [1] * len(used)), strict=True):
            team = teams[(spec.name, team_spec.name)]
            home = locations.get(team_spec.location) or _pick_location(rng)
            lead = len(slots)
            slots.append(_Slot(department, team, team_spec.lead_title, 2, head, home))
            for _n in range(team_size - 1):
                where = home if rng.random() < 0.7 else _pick_location(rng)
                title = rng.choice(team_spec.titles)
                slots.append(_Slot(department, team, title, 3, lead, where))
    return slots


def _name(rng: random.Random, slot: _Slot, taken: set[str]) -> tuple[str, str, str]:
    """A display name, its email and a pronoun kind ("w", "m" or "x"), unique by email."""
    for attempt in range(50):
        group = data.NAMES[rng.choice(slot.location.name_groups)]
        kind = rng.choices(("w", "m", "x"), weights=(48, 48, 4))[0]
        firsts = {"w": group.women, "m": group.men, "x": group.women + group.men}[kind]
        families = group.family_women if kind == "w" and group.family_women else group.family
        first, family = rng.choice(firsts), rng.choice(families)
        local = f"{_ascii(first)}.{_ascii(family)}"
        if attempt >= 40:
            local = f"{local}{attempt - 38}"
        if local not in taken:
            taken.add(local)
            return f"{first} {family}", f"{local}@{data.DOMAIN}", kind
    raise RuntimeError("ran out of demo names")


def _years_ago(today: datetime.date, years: int, days: int = 0) -> datetime.date:
    day = today + datetime.timedelta(days=days)
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def _hire_date(rng: random.Random, slot: _Slot, today: datetime.date) -> datetime.date:
    if slot.level == 0:
        return _years_ago(today, 10, days=-rng.randint(0, 60))
    low, high = {1: (900, 3500), 2: (500, 3200), 3: (31, 3400)}[slot.level]
    if slot.level == 3:
        # More recent hires than old ones: the company has been growing.
        return today - datetime.timedelta(days=low + int(rng.betavariate(1.2, 2.0) * high))
    return today - datetime.timedelta(days=rng.randint(low, high))


def _bio(rng: random.Random, slot: _Slot, hobby: str) -> str:
    focus = rng.choice(data.FOCUS[slot.department.name])
    if slot.level <= 1:
        text = _("Leads %(department)s at Northwind; cares most about %(focus)s.") % {
            "department": slot.department.name,
            "focus": focus,
        }
    else:
        text = _("%(title)s on the %(team)s team in %(city)s, focused on %(focus)s.") % {
            "title": slot.title,
            "team": slot.team.name if slot.team else "",
            "city": slot.location.city,
            "focus": focus,
        }
    return f"{text} {hobby}"


def _people(
    slots: list[_Slot], rng: random.Random, today: datetime.date, location_ids: dict[str, int]
) -> list[User]:
    password = make_password(data.DEMO_PASSWORD)
    taken: set[str] = set()
    ics = [i for i, s in enumerate(slots) if s.level == 3 and not s.email]
    special = rng.sample(ics, NEW_JOINERS + ANNIVERSARIES_THIS_WEEK)
    new_joiners = set(special[:NEW_JOINERS])
    anniversaries = set(special[NEW_JOINERS:])
    hobbies = list(data.HOBBIES)
    people: list[User] = []
    for index, slot in enumerate(slots):
        display_name, email, kind = _name(rng, slot, taken)
        hire = _hire_date(rng, slot, today)
        if index in new_joiners:
            hire = today - datetime.timedelta(days=rng.randint(1, 28))
        elif index in anniversaries:
            hire = _years_ago(today, rng.randint(1, 8), days=rng.randint(0, 6))
        person = User(
            email=slot.email or email,
            password=password,
            role=slot.role,
            display_name=display_name,
            job_title=slot.title,
            department=slot.department,
            team=slot.team,
            location_id=location_ids[slot.location.name],
            hire_date=hire,
            time_zone=slot.location.time_zone,
        )
        if rng.random() < 0.5:
            born = datetime.date(2001, 1, 1) + datetime.timedelta(days=rng.randint(0, 364))
            person.birthday_month, person.birthday_day = born.month, born.day
            person.birthday_visible = True
        if rng.random() < 0.4:
            person.pronouns = {
                "w": rng.choice(data.PRONOUNS_WOMEN),
                "m": rng.choice(data.PRONOUNS_MEN),
                "x": data.PRONOUNS_NONBINARY,
            }[kind]
        if rng.random() < 0.6:
            person.bio = _bio(rng, slot, rng.choice(hobbies))
        first, family = email.split("@")[0].split(".", 1)
        if rng.random() < 0.45:
            person.linkedin = f"https://www.linkedin.com/in/{first}-{family}"
        if rng.random() < 0.15:
            person.x_handle = f"@{(first + family)[:15]}"
        if rng.random() < 0.08:
            person.mastodon = f"@{first}@mastodon.social"
        if rng.random() < 0.15:
            person.bluesky = f"{first}{family}.bsky.social"
        people.append(person)
    birthday_people = [p for p in people if p.birthday_month]
    for person in rng.sample(birthday_people, BIRTHDAYS_THIS_WEEK):
        day = today + datetime.timedelta(days=rng.randint(0, 6))
        person.birthday_month, person.birthday_day = day.month, day.day
    return people


@transaction.atomic
def demo_company_seed(
    *, people: int = 260, progress: Callable[[int], object] | None = None
) -> DemoSeedResult:
    """Create the Northwind company: places, departments, teams and ``people`` people.

    Call on a database without people. Everyone gets the demo password (hashed once).
    """
    started = time.perf_counter()
    people = max(people, MIN_PEOPLE)
    rng = random.Random(SEED)
    today = timezone.localdate()

    location_rows = Location.objects.bulk_create(
        Location(
            name=spec.name,
            slug=slugify(spec.name),
            city=spec.city,
            country=spec.country,
            time_zone=spec.time_zone,
        )
        for spec in data.LOCATIONS
    )
    specs = (data.EXECUTIVE, *data.DEPARTMENTS)
    Department.objects.bulk_create(
        Department(name=spec.name, slug=slugify(spec.name)) for spec in specs
    )
    departments = {d.name: d for d in Department.objects.all()}
    Team.objects.bulk_create(
        Team(name=team.name, slug=slugify(team.name), department=departments[spec.name])
        for spec in specs
        for team in spec.teams
    )
    teams = {(t.department.name, t.name): t for t in Team.objects.select_related("department")}
    location_specs = {spec.name: spec for spec in data.LOCATIONS}
    location_ids = dict(Location.objects.values_list("name", "id"))

    slots = _org_chart(people, rng, departments, teams, location_specs)
    admin = next(s for s in slots if s.team and s.team.name == "IT" and s.level == 3)
    admin.title, admin.email = "IT Administrator", data.ADMIN_EMAIL
    admin.role = User.Role.ADMINISTRATOR
    comms = next(s for s in slots if s.title == "Internal Communications Manager")
    comms.email, comms.role = data.COMMS_EMAIL, User.Role.COMMUNICATIONS

    persons = _people(slots, rng, today, location_ids)
    for start in range(0, len(persons), _BATCH):
        batch = persons[start : start + _BATCH]
        User.objects.bulk_create(batch)
        if progress is not None:
            progress(len(batch))
    ids = dict(User.objects.values_list("email", "id"))
    for person in persons:
        person.pk = ids[person.email]
    for person, slot in zip(persons, slots, strict=True):
        if slot.manager is not None:
            person.manager_id = persons[slot.manager].pk
    User.objects.bulk_update(persons, ["manager"], batch_size=500)
    # Apps built on people (spaces) add their part of the demo in this same transaction.
    demo_company_seeded.send(sender=demo_company_seeded, people=len(persons))

    result = DemoSeedResult(
        created=True,
        people=len(persons),
        departments=len(departments),
        teams=len(teams),
        locations=len(location_rows),
        sample_email=persons[-1].email,
    )
    audit_record(
        action="people.demo_seeded",
        target_label="Northwind",
        details={
            "people": result.people,
            "departments": result.departments,
            "teams": result.teams,
            "locations": result.locations,
        },
    )
    result.seconds = time.perf_counter() - started
    return result


def _sign_in_lines(sample_email: str) -> list[str]:
    return [
        _("Open %(url)s/ and sign in with the password “%(password)s” as:")
        % {"url": settings.BASE_URL, "password": data.DEMO_PASSWORD},
        _("  %(email)s  (administrator)") % {"email": data.ADMIN_EMAIL},
        _("  %(email)s  (communications manager)") % {"email": data.COMMS_EMAIL},
        _("  any other employee, for example %(email)s") % {"email": sample_email},
    ]


def seed_demo_company(*, people: int = 260, out: IO[str]) -> DemoSeedResult:
    """``rallypoint demo``: seed Northwind once, with a progress bar, and say how to sign in."""
    admin = User.objects.filter(email=data.ADMIN_EMAIL).first()
    if admin is not None:
        sample = (
            User.objects.filter(email__endswith=f"@{data.DOMAIN}", role=User.Role.EMPLOYEE)
            .order_by("email")
            .values_list("email", flat=True)
            .first()
        )
        count = User.objects.count()
        out.write(
            _("The Northwind demo company is already here (%(count)s people); nothing was added.")
            % {"count": count}
            + "\n"
        )
        out.write("\n".join(_sign_in_lines(sample or data.ADMIN_EMAIL)) + "\n")
        return DemoSeedResult(created=False, people=count)
    existing = User.objects.count()
    if existing:
        out.write(
            _(
                "This database already has %(count)s people, so the demo company was not added. "
                "Use an empty database for the demo."
            )
            % {"count": existing}
            + "\n"
        )
        return DemoSeedResult(created=False, people=existing)
    if people < MIN_PEOPLE:
        out.write(
            _("The demo company has at least %(min)s people; seeding %(min)s.")
            % {"min": MIN_PEOPLE}
            + "\n"
        )
        people = MIN_PEOPLE
    with tqdm(total=people, file=out, desc=_("Seeding Northwind"), unit=_("people")) as bar:
        result = demo_company_seed(people=people, progress=bar.update)
    database_statistics_refresh()
    out.write(
        _(
            "Northwind is ready: %(people)s people in %(departments)s departments, %(teams)s teams "
            "and %(locations)s locations (%(seconds).1f s)."
        )
        % {
            "people": result.people,
            "departments": result.departments,
            "teams": result.teams,
            "locations": result.locations,
            "seconds": result.seconds,
        }
        + "\n"
    )
    out.write("\n".join(_sign_in_lines(result.sample_email)) + "\n")
    return result
