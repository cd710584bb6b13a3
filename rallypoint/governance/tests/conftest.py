"""A small company for the policy tests: an administrator, a communications manager,
employees in two departments and none, and a deactivated person."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rallypoint.governance import services
from rallypoint.governance.models import PolicyVersion
from rallypoint.people.models import Department, User

PASSWORD = "governance-test-password"


def person(email: str, name: str, **fields: object) -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name, **fields)


@dataclass
class Company:
    people: dict[str, User] = field(default_factory=dict)
    eng: Department | None = None
    sales: Department | None = None

    def __getitem__(self, key: str) -> User:
        return self.people[key]

    def draft(self, body: str = "Be **kind** online.", title: str = "Policy") -> PolicyVersion:
        return services.policy_version_save(
            actor=self.people["ada"], title=title, body=body, summary="New rules"
        )

    def publish(self, body: str = "Be **kind** online.") -> PolicyVersion:
        return services.policy_version_publish(actor=self.people["ada"], version=self.draft(body))


def build_company() -> Company:
    """ada: administrator (Engineering); cora: communications (Sales); eli, emma:
    Engineering; sam: Sales; rita: no department; dora: Engineering, deactivated."""
    eng = Department.objects.create(name="Engineering", slug="engineering")
    sales = Department.objects.create(name="Sales", slug="sales")
    people = {
        "ada": person("ada@example.com", "Ada Admin", role=User.Role.ADMINISTRATOR, department=eng),
        "cora": person(
            "cora@example.com", "Cora Comms", role=User.Role.COMMUNICATIONS, department=sales
        ),
        "eli": person("eli@example.com", "Eli Engineer", department=eng),
        "emma": person("emma@example.com", "Emma Engineer", department=eng),
        "sam": person("sam@example.com", "Sam Sales", department=sales),
        "rita": person("rita@example.com", "Rita Remote"),
        "dora": person("dora@example.com", "Dora Gone", department=eng, is_active=False),
    }
    return Company(people=people, eng=eng, sales=sales)


@pytest.fixture
def company(db) -> Company:
    return build_company()
