"""A small company with one space of a chosen kind and a person in every position."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rallypoint.people.models import Department, Location, Team, User
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space, SpaceMembership

PASSWORD = "spaces-test-pw"


@dataclass
class World:
    space: Space
    people: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.people[key]


def person(email: str, name: str, **fields: object) -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name, **fields)


def directory() -> dict[str, object]:
    eng = Department.objects.create(name="Engineering", slug="engineering")
    sales = Department.objects.create(name="Sales", slug="sales")
    return {
        "eng": eng,
        "sales": sales,
        "hq": Location.objects.create(name="Harbour HQ", slug="harbour-hq"),
        "remote": Location.objects.create(name="Remote", slug="remote"),
        "platform": Team.objects.create(name="Platform", slug="platform", department=eng),
        "deals": Team.objects.create(name="Deals", slug="deals", department=sales),
    }


def build_world(kind: str) -> World:
    """``kind`` space with: alice (member), carol (moderator), dave (removed), eve (member,
    then deactivated), bob (never a member), olga (the owner of groups), ada (administrator,
    member of no group)."""
    from rallypoint.spaces import services

    org = directory()
    inside = {"department": org["eng"], "location": org["hq"], "team": org["platform"]}
    outside = {"department": org["sales"], "location": org["remote"], "team": org["deals"]}
    people = {
        "ada": person("ada@example.com", "Ada Admin", role=User.Role.ADMINISTRATOR),
        "olga": person("olga@example.com", "Olga Owner", role=User.Role.COMMUNICATIONS, **outside),
        "alice": person("alice@example.com", "Alice Member", **inside),
        "bob": person("bob@example.com", "Bob Outsider", **outside),
        "carol": person("carol@example.com", "Carol Moderator", **inside),
        "dave": person("dave@example.com", "Dave Removed", **inside),
        "eve": person("eve@example.com", "Eve Deactivated", **inside),
    }
    directory_spaces_reconcile()
    if kind in Space.GROUP_KINDS:
        space = services.space_create(
            actor=people["olga"], kind=kind, name=f"Zeta {kind} group", description="About Zeta"
        )
        for key in ("alice", "carol", "dave", "eve"):
            SpaceMembership.objects.create(space=space, user=people[key])
        owner = people["olga"]
        services.membership_remove(
            actor=owner, membership=SpaceMembership.objects.get(space=space, user=people["dave"])
        )
    else:
        lookup = {
            Space.Kind.COMPANY: {},
            Space.Kind.DEPARTMENT: {"department": org["eng"]},
            Space.Kind.LOCATION: {"location": org["hq"]},
            Space.Kind.TEAM: {"team": org["platform"]},
        }[Space.Kind(kind)]
        space = Space.objects.get(kind=kind, **lookup)
        owner = people["ada"]
        if kind == Space.Kind.COMPANY:
            # Everyone active belongs to the company space; take two people out by hand
            # to check what a non-member and a removed member would see.
            SpaceMembership.objects.filter(
                space=space, user__in=[people["bob"], people["dave"]]
            ).delete()
        else:
            User.objects.filter(pk=people["dave"].pk).update(**outside)
            directory_spaces_reconcile(user_ids=[people["dave"].pk])
    services.membership_set_role(
        actor=owner,
        membership=SpaceMembership.objects.get(space=space, user=people["carol"]),
        role=SpaceMembership.Role.MODERATOR,
    )
    User.objects.filter(pk=people["eve"].pk).update(is_active=False)
    directory_spaces_reconcile(user_ids=[people["eve"].pk])
    for key in people:
        people[key].refresh_from_db()
    return World(space=space, people=people)


@pytest.fixture
def world_factory(db):
    return build_world
