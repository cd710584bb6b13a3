"""The feed's world (a private and a secret group, a person in every position), with a
post and a comment in a space of every kind, for search."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from rallypoint.feed import services
from rallypoint.feed.models import Comment, Post
from rallypoint.feed.tests.conftest import PASSWORD, VIEWERS, World, build_world
from rallypoint.people.models import User
from rallypoint.search.selectors import SearchResults, search_visible_to
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import Space

__all__ = ["PASSWORD", "VIEWERS", "SearchWorld", "hits", "search"]

# Who reads the content of each kind of space (see spaces.selectors.KIND_ACCESS):
# olga owns the groups, carol moderates them, alice is a member, dave was removed,
# eve is deactivated, bob never joined, ada is an administrator in no group.
EVERYONE_ACTIVE = {"ada", "olga", "alice", "bob", "carol", "dave"}
GROUP_READERS = {"olga", "alice", "carol"}
READERS_BY_KIND: dict[str, set[str]] = {
    Space.Kind.COMPANY: EVERYONE_ACTIVE,
    Space.Kind.DEPARTMENT: EVERYONE_ACTIVE,
    Space.Kind.LOCATION: EVERYONE_ACTIVE,
    Space.Kind.TEAM: EVERYONE_ACTIVE,
    Space.Kind.OPEN: EVERYONE_ACTIVE,
    Space.Kind.PRIVATE: GROUP_READERS,
    Space.Kind.SECRET: GROUP_READERS,
}
ALL_VIEWERS = ("ada", "olga", "alice", "bob", "carol", "dave", "eve")


@dataclass
class SearchWorld:
    world: World
    spaces: dict[str, Space] = field(default_factory=dict)
    posts: dict[str, Post] = field(default_factory=dict)
    comments: dict[str, Comment] = field(default_factory=dict)

    def __getitem__(self, key: str) -> User:
        return self.world.people[key]


def search(viewer: User, query: str, **filters: object) -> SearchResults:
    filters.setdefault("per_page", 50)
    return search_visible_to(viewer, query=query, **filters)  # type: ignore[arg-type]


def hits(viewer: User, query: str, **filters: object) -> set[tuple[str, int]]:
    return {(hit.kind, hit.document.object_id) for hit in search(viewer, query, **filters).hits}


def build_search_world() -> SearchWorld:
    world = build_world()
    people = world.people
    sw = SearchWorld(world=world)
    sw.spaces = {
        Space.Kind.COMPANY: Space.objects.get(kind=Space.Kind.COMPANY),
        Space.Kind.DEPARTMENT: Space.objects.get(kind=Space.Kind.DEPARTMENT, name="Engineering"),
        Space.Kind.LOCATION: Space.objects.get(kind=Space.Kind.LOCATION),
        Space.Kind.TEAM: Space.objects.get(kind=Space.Kind.TEAM, name="Platform"),
        Space.Kind.PRIVATE: world.groups[Space.Kind.PRIVATE],
        Space.Kind.SECRET: world.groups[Space.Kind.SECRET],
    }
    sw.spaces[Space.Kind.OPEN] = space_services.space_create(
        actor=people["olga"], kind=Space.Kind.OPEN, name="Zeta open", description="Anyone"
    )
    space_services.space_join(actor=people["alice"], space=sw.spaces[Space.Kind.OPEN])
    for kind, space in sw.spaces.items():
        author = people["olga"] if kind == Space.Kind.COMPANY else people["alice"]
        post = services.post_create(
            author=author, space=space, body=f"Zebra crossing news for the {kind} space"
        )
        sw.posts[kind] = post
        sw.comments[kind] = services.comment_create(
            author=people["carol"], post=post, body=f"Zebra stripes reply in {kind}"
        )
    for person in people.values():
        person.refresh_from_db()
    return sw


@pytest.fixture
def sworld(db) -> SearchWorld:
    return build_search_world()
