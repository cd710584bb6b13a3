"""The feed's small company, with a plain member of the private group (mia) and an
Engineering post by Carol that everyone may read.

olga owns the groups, carol moderates them, alice is a member (author of the group
posts), mia is a plain member, dave was removed, eve is deactivated, bob never joined,
ada is an administrator who is in no group.
"""

from __future__ import annotations

import pytest

from rallypoint.feed import services as feed_services
from rallypoint.feed.tests.conftest import World, build_world, person
from rallypoint.spaces.models import SpaceMembership


def build_moderation_world() -> World:
    world = build_world()
    mia = person("mia@example.com", "Mia Member")
    world.people["mia"] = mia
    SpaceMembership.objects.create(space=world.groups["private"], user=mia)
    assert world.engineering is not None
    world.posts["engineering"] = feed_services.post_create(
        author=world["carol"], space=world.engineering, body="Deploy **freeze** on Friday"
    )
    return world


@pytest.fixture
def world(db) -> World:
    return build_moderation_world()
