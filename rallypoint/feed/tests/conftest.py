"""A small company with a private and a secret group and a person in every position."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rallypoint.feed import services
from rallypoint.feed.models import Post
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.spaces import services as space_services
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space, SpaceMembership

PASSWORD = "feed-test-password"

# Who is who in every group of the world:
# olga owns the groups (communications manager), carol moderates them, alice is a member,
# dave was removed, eve is a member whose account was deactivated, bob never joined,
# ada is an administrator who is in no group.
VIEWERS = ("alice", "bob", "carol", "dave", "eve", "ada")
READERS = {"alice", "carol"}


@dataclass
class World:
    groups: dict[str, Space] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    company: Space | None = None
    engineering: Space | None = None

    def __getitem__(self, key: str) -> User:
        return self.people[key]


def person(email: str, name: str, **fields: object) -> User:
    return User.objects.create_user(email, PASSWORD, display_name=name, **fields)


def build_world() -> World:
    eng = Department.objects.create(name="Engineering", slug="engineering")
    sales = Department.objects.create(name="Sales", slug="sales")
    hq = Location.objects.create(name="Harbour HQ", slug="harbour-hq")
    platform = Team.objects.create(name="Platform", slug="platform", department=eng)
    deals = Team.objects.create(name="Deals", slug="deals", department=sales)
    inside = {"department": eng, "location": hq, "team": platform}
    outside = {"department": sales, "location": hq, "team": deals}
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
    world = World(people=people)
    world.company = Space.objects.get(kind=Space.Kind.COMPANY)
    world.engineering = Space.objects.get(kind=Space.Kind.DEPARTMENT, department=eng)
    for kind in (Space.Kind.PRIVATE, Space.Kind.SECRET):
        group = space_services.space_create(
            actor=people["olga"], kind=kind, name=f"Zeta {kind}", description="Confidential"
        )
        for key in ("alice", "carol", "dave", "eve"):
            SpaceMembership.objects.create(space=group, user=people[key])
        space_services.membership_set_role(
            actor=people["olga"],
            membership=SpaceMembership.objects.get(space=group, user=people["carol"]),
            role=SpaceMembership.Role.MODERATOR,
        )
        world.groups[kind] = group
        post = services.post_create(
            author=people["alice"], space=group, body=f"**Falcon** plans in the {kind} group"
        )
        services.comment_create(author=people["carol"], post=post, body=f"{kind} comment")
        services.reaction_toggle(user=people["carol"], post=post, emoji="heart")
        world.posts[kind] = post
    for group in world.groups.values():
        space_services.membership_remove(
            actor=people["olga"],
            membership=SpaceMembership.objects.get(space=group, user=people["dave"]),
        )
    User.objects.filter(pk=people["eve"].pk).update(is_active=False)
    for key in people:
        people[key].refresh_from_db()
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()
