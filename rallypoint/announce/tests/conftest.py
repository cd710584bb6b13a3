"""A small company: two departments, two locations, a private group, and people in each."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rallypoint.announce import services
from rallypoint.announce.models import Announcement
from rallypoint.people.models import Department, Location, User
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import Space, SpaceMembership

PASSWORD = "announce-test-password"


def person(email: str, name: str, **fields: object) -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name, **fields)


@dataclass
class Company:
    people: dict[str, User] = field(default_factory=dict)
    eng: Department | None = None
    sales: Department | None = None
    hq: Location | None = None
    remote: Location | None = None
    group: Space | None = None

    def __getitem__(self, key: str) -> User:
        return self.people[key]

    def announce(self, **fields: object) -> Announcement:
        """An announcement by Cora, the communications manager, published at once."""
        values: dict[str, object] = {"title": "Office move", "body": "We **move** on Monday."}
        values.update(fields)
        return services.announcement_create(author=self.people["cora"], **values)  # type: ignore[arg-type]


@pytest.fixture
def company(db) -> Company:
    return build_company()


def build_company() -> Company:
    """cora: communications manager (Sales, HQ); ada: administrator; eli, emma: Engineering
    at HQ; sam: Sales, remote; rita: no department, remote; gus: Engineering, remote, in the
    private group "Falcon" with eli; dora: Engineering, deactivated."""
    eng = Department.objects.create(name="Engineering", slug="engineering")
    sales = Department.objects.create(name="Sales", slug="sales")
    hq = Location.objects.create(name="HQ", slug="hq")
    remote = Location.objects.create(name="Remote", slug="remote")
    people = {
        "cora": person(
            "cora@example.com",
            "Cora Comms",
            role=User.Role.COMMUNICATIONS,
            department=sales,
            location=hq,
        ),
        "ada": person("ada@example.com", "Ada Admin", role=User.Role.ADMINISTRATOR),
        "eli": person("eli@example.com", "Eli Eng", department=eng, location=hq),
        "emma": person("emma@example.com", "Emma Eng", department=eng, location=hq),
        "sam": person("sam@example.com", "Sam Sales", department=sales, location=remote),
        "rita": person("rita@example.com", "Rita Remote", location=remote),
        "gus": person("gus@example.com", "Gus Group", department=eng, location=remote),
        "dora": person("dora@example.com", "Dora Gone", department=eng, is_active=False),
    }
    group = space_services.space_create(
        actor=people["cora"], kind=Space.Kind.PRIVATE, name="Falcon"
    )
    for key in ("eli", "gus"):
        SpaceMembership.objects.create(space=group, user=people[key])
    return Company(people=people, eng=eng, sales=sales, hq=hq, remote=remote, group=group)
