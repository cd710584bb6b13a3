"""Who sees what: every kind of space, by every kind of viewer, by every read path there is."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from rallypoint.spaces import selectors
from rallypoint.spaces.models import Space

KINDS = [kind.value for kind in Space.Kind]
VIEWERS = {
    "member": "alice",
    "non-member": "bob",
    "removed member": "dave",
    "moderator": "carol",
    "administrator": "ada",
    "deactivated": "eve",
}
READABLE_BY_ALL = {"company", "department", "location", "team", "open"}


def expected(kind: str, viewer: str) -> dict[str, bool]:
    if viewer == "deactivated":
        return {"listed": False, "content": False, "members": False}
    listed = kind != "secret" or viewer in {"member", "moderator", "administrator"}
    content = kind in READABLE_BY_ALL or viewer in {"member", "moderator"}
    members = content or viewer in {"moderator", "administrator"}
    return {"listed": listed, "content": content, "members": members}


def test_the_visibility_table_is_the_documented_one():
    assert set(selectors.READABLE_KINDS) == READABLE_BY_ALL
    assert set(selectors.LISTED_KINDS) == set(KINDS) - {"secret"}


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("kind", KINDS)
def test_selectors_show_a_space_only_to_whom_they_should(world_factory, kind, viewer):
    world = world_factory(kind)
    space, person = world.space, world[VIEWERS[viewer]]
    want = expected(kind, viewer)

    assert (space in selectors.spaces_visible_to(person)) is want["listed"]
    if want["listed"]:
        assert selectors.space_get_visible(person, space.slug) == space
    else:
        with pytest.raises(Http404):
            selectors.space_get_visible(person, space.slug)
    assert selectors.space_content_visible_to(person, space) is want["content"]
    readable = Space.objects.filter(pk__in=selectors.space_ids_readable_by(person))
    assert (space in readable) is want["content"]
    members = {m.user.display_name for m in selectors.members_visible_to(person, space)}
    if want["members"]:
        others = {"group": {"Olga Owner"}, "company": {"Olga Owner", "Ada Admin"}}
        assert members == {"Alice Member", "Carol Moderator"} | others.get(
            "group" if kind in Space.GROUP_KINDS else kind, set()
        )
    else:
        assert members == set()
    assert selectors.can_moderate(person, space) is (viewer in {"moderator", "administrator"})


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("kind", KINDS)
def test_pages_show_a_space_only_to_whom_they_should(client, world_factory, kind, viewer):
    world = world_factory(kind)
    space, person = world.space, world[VIEWERS[viewer]]
    want = expected(kind, viewer)
    client.force_login(person)

    listing = client.get(reverse("spaces_list"))
    page = client.get(reverse("spaces_detail", args=[space.slug]))
    members = client.get(reverse("spaces_members", args=[space.slug]))

    if viewer == "deactivated":
        for response in (listing, page, members):
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
        return
    assert (space.name in listing.content.decode()) is want["listed"]
    assert page.status_code == (200 if want["listed"] else 404)
    assert members.status_code == (200 if want["members"] else 404)
    for response in (page, members):
        html = response.content.decode()
        assert ("Alice Member" in html) is (response.status_code == 200 and want["members"])
        assert "Eve Deactivated" not in html and "Dave Removed" not in html
    if want["listed"]:
        html = page.content.decode()
        if want["content"]:
            assert reverse("feed_space_posts", args=[space.slug]) in html
        else:
            assert "Only members see the posts of this group." in html
            assert reverse("feed_space_posts", args=[space.slug]) not in html


@pytest.mark.parametrize("kind", ["private", "secret"])
def test_a_removed_member_loses_access_at_once(client, world_factory, kind):
    from rallypoint.spaces import services
    from rallypoint.spaces.models import SpaceMembership

    world = world_factory(kind)
    space, alice = world.space, world["alice"]
    client.force_login(alice)
    assert client.get(reverse("spaces_members", args=[space.slug])).status_code == 200
    services.membership_remove(
        actor=world["olga"], membership=SpaceMembership.objects.get(space=space, user=alice)
    )
    assert client.get(reverse("spaces_members", args=[space.slug])).status_code == 404
    assert not selectors.space_content_visible_to(alice, space)
    page = client.get(reverse("spaces_detail", args=[space.slug]))
    assert page.status_code == (404 if kind == "secret" else 200)
