"""A small company for the content library's tests.

cora: communications manager (Sales, HQ); ada: administrator; eli: Engineering at HQ;
sam: Sales, remote; rita: no department, remote; nico: Engineering, HQ, a named curator;
dora: Engineering, deactivated.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from rallypoint.advocacy import services
from rallypoint.advocacy.models import Campaign, ContentItem, Curator, Share
from rallypoint.people.models import Department, Location, User

PASSWORD = "library-test-password"
_numbers = itertools.count(1)


def person(email: str, name: str, **fields: Any) -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name, **fields)


@dataclass
class Library:
    people: dict[str, User]
    eng: Department
    sales: Department
    hq: Location
    remote: Location

    def __getitem__(self, key: str) -> User:
        return self.people[key]

    def item(self, title: str = "Our new plant", **fields: Any) -> ContentItem:
        """An item added by Cora, the communications manager."""
        values: dict[str, Any] = {"url": f"https://news.example/story/{next(_numbers)}"}
        values.update(fields)
        return services.item_create(
            actor=self.people["cora"], data=services.ItemData(title=title, **values)
        )

    def campaign(self, name: str = "Spring launch", **fields: Any) -> Campaign:
        now = timezone.now()
        values: dict[str, Any] = {
            "slug": name.lower().replace(" ", "-"),
            "starts_at": now - datetime.timedelta(days=1),
            "ends_at": now + datetime.timedelta(days=10),
        }
        values.update(fields)
        return Campaign.objects.create(name=name, **values)

    def share(self, user: str, item: ContentItem, status: str = Share.Status.PUBLISHED) -> Share:
        return Share.objects.create(
            user=self.people[user],
            item=item,
            network="linkedin",
            method=Share.Method.INTENT,
            status=status,
            text="Look",
        )


def build_library() -> Library:
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
        "sam": person("sam@example.com", "Sam Sales", department=sales, location=remote),
        "rita": person("rita@example.com", "Rita Remote", location=remote),
        "nico": person("nico@example.com", "Nico Named", department=eng, location=hq),
        "dora": person("dora@example.com", "Dora Gone", department=eng, is_active=False),
    }
    Curator.objects.create(user=people["nico"], added_by=people["cora"])
    return Library(people=people, eng=eng, sales=sales, hq=hq, remote=remote)
