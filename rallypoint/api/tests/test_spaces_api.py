"""The spaces endpoints: listing, creating and managing groups, joining, members.

A secret group is invisible to those outside it: every endpoint answers 404 for it,
exactly as for a slug that does not exist.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rallypoint.api.services import token_create
from rallypoint.api.tests.test_feed_api import call, csrf_session
from rallypoint.core.models import AuditEntry
from rallypoint.feed.tests.conftest import World, build_world, person
from rallypoint.spaces import services as space_services
from rallypoint.spaces.invitations import space_invite
from rallypoint.spaces.models import Space, SpaceInvitation, SpaceJoinRequest, SpaceMembership

SPACES = "/api/v1/spaces"
EVERYONE = ("alice", "bob", "carol", "dave", "ada", "olga")
# Who sees each group listed and by slug (administrators see every space listed).
LISTED = {
    "open": set(EVERYONE),
    "private": set(EVERYONE),
    "secret": {"alice", "carol", "olga", "ada"},
}
# Who may see who is in it.
MEMBERS_SEEN = {
    "open": set(EVERYONE),
    "private": {"alice", "carol", "olga", "ada"},
    "secret": {"alice", "carol", "olga", "ada"},
}


@pytest.fixture
def world(db) -> World:
    world = build_world()
    group = space_services.space_create(actor=world["olga"], kind=Space.Kind.OPEN, name="Zeta open")
    world.groups["open"] = group
    return world


@pytest.fixture
def tokens(world: World) -> dict[str, dict[str, str]]:
    headers = {}
    for key, someone in world.people.items():
        _token, secret = token_create(user=someone, name="script")
        headers[key] = {"Authorization": f"Bearer {secret}"}
    return headers


# ---------------------------------------------------------------- visibility


@pytest.mark.parametrize("kind", list(LISTED))
def test_each_group_is_seen_by_exactly_the_right_people(api_client, world, tokens, kind):
    group = world.groups[kind]
    for viewer in (*EVERYONE, "eve"):
        headers = tokens[viewer]
        listed = api_client.get(SPACES, {"limit": 200}, headers=headers)
        one = api_client.get(f"{SPACES}/{group.slug}", headers=headers)
        members = api_client.get(f"{SPACES}/{group.slug}/members", headers=headers)
        if viewer == "eve":
            assert {listed.status_code, one.status_code, members.status_code} == {401}
            continue
        slugs = {item["slug"] for item in listed.json()["items"]}
        assert (group.slug in slugs) == (viewer in LISTED[kind]), viewer
        assert one.status_code == (200 if viewer in LISTED[kind] else 404), viewer
        expected = 200 if viewer in MEMBERS_SEEN[kind] else 404
        assert members.status_code == expected, viewer
        if one.status_code == 404:
            assert "Zeta" not in one.content.decode() + members.content.decode()
            continue
        can = one.json()["can"]
        assert can["read"] == (kind == "open" or viewer in {"alice", "carol", "olga"}), viewer
        moderators = {"olga", "ada"} if kind == "open" else {"carol", "olga", "ada"}
        assert can["moderate"] == (viewer in moderators), viewer


def test_secret_group_writes_answer_404_to_outsiders(api_client, world, tokens):
    secret = world.groups["secret"]
    membership = SpaceMembership.objects.get(space=secret, user=world["alice"])
    for viewer in ("bob", "dave"):
        headers = tokens[viewer]
        attempts = [
            call(api_client, "PATCH", f"{SPACES}/{secret.slug}", {"name": "Mine"}, headers),
            call(api_client, "POST", f"{SPACES}/{secret.slug}/membership", None, headers),
            call(api_client, "POST", f"{SPACES}/{secret.slug}/join-requests", None, headers),
            call(api_client, "POST", f"{SPACES}/{secret.slug}/archive", None, headers),
            call(
                api_client,
                "POST",
                f"{SPACES}/{secret.slug}/invitations",
                {"person_id": world["bob"].pk},
                headers,
            ),
            call(
                api_client,
                "DELETE",
                f"{SPACES}/{secret.slug}/members/{membership.pk}",
                None,
                headers,
            ),
            call(api_client, "GET", f"{SPACES}/{secret.slug}/posts", None, headers),
        ]
        assert [a.status_code for a in attempts] == [404] * len(attempts), viewer
    secret.refresh_from_db()
    assert secret.name == "Zeta secret" and secret.archived_at is None
    assert SpaceMembership.objects.filter(pk=membership.pk).exists()


def test_filters(api_client, world, tokens):
    headers = tokens["alice"]
    mine = api_client.get(SPACES, {"mine": "true", "limit": 200}, headers=headers).json()
    assert {s["slug"] for s in mine["items"]} >= {world.groups["private"].slug}
    assert all(s["my_role"] for s in mine["items"])
    assert world.groups["open"].slug not in {s["slug"] for s in mine["items"]}
    others = api_client.get(SPACES, {"mine": "false", "limit": 200}, headers=headers).json()
    assert world.groups["open"].slug in {s["slug"] for s in others["items"]}
    assert not {s["slug"] for s in others["items"]} & {s["slug"] for s in mine["items"]}
    assert (
        others["count"] + mine["count"] == api_client.get(SPACES, headers=headers).json()["count"]
    )
    groups = api_client.get(SPACES, {"kind": "private"}, headers=headers).json()
    assert [s["slug"] for s in groups["items"]] == [world.groups["private"].slug]
    assert groups["items"][0]["my_role"] == "member"
    assert groups["items"][0]["member_count"] == 3  # olga, alice, carol (eve is deactivated)
    found = api_client.get(SPACES, {"query": "zeta sec"}, headers=tokens["bob"]).json()
    assert found["count"] == 0
    found = api_client.get(SPACES, {"query": "zeta"}, headers=tokens["bob"]).json()
    assert {s["slug"] for s in found["items"]} == {
        world.groups["open"].slug,
        world.groups["private"].slug,
    }
    bad = api_client.get(SPACES, {"kind": "planet"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "kind"]


# ---------------------------------------------------------------- creating and managing


def test_create_update_archive_restore(api_client, world, tokens):
    headers = tokens["bob"]
    created = call(
        api_client,
        "POST",
        SPACES,
        {"kind": "private", "name": "  Book   club ", "description": "Reading"},
        headers,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Book club" and body["kind"] == "private"
    assert body["my_role"] == "owner" and body["can"]["moderate"]
    slug = body["slug"]
    secret = call(api_client, "POST", SPACES, {"kind": "secret", "name": "Hush"}, headers)
    assert secret.status_code == 403 and "secret" in secret.json()["detail"]
    bad = call(api_client, "POST", SPACES, {"kind": "team", "name": "X"}, headers)
    assert bad.status_code == 422
    empty = call(api_client, "POST", SPACES, {"kind": "open", "name": ""}, headers)
    assert empty.status_code == 422 and empty.json()["detail"][0]["loc"][-1] == "name"

    renamed = call(api_client, "PATCH", f"{SPACES}/{slug}", {"name": "Readers"}, headers)
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Readers" and renamed.json()["description"] == "Reading"
    refused = call(api_client, "PATCH", f"{SPACES}/{slug}", {"name": "Mine"}, tokens["alice"])
    assert refused.status_code == 403
    archived = call(api_client, "POST", f"{SPACES}/{slug}/archive", None, headers)
    assert archived.status_code == 200 and archived.json()["archived_at"]
    joined = call(api_client, "POST", f"{SPACES}/{slug}/join-requests", None, tokens["alice"])
    assert joined.status_code == 422 and "archived" in joined.json()["detail"][0]["msg"]
    restored = call(api_client, "DELETE", f"{SPACES}/{slug}/archive", None, headers)
    assert restored.json()["archived_at"] is None
    assert AuditEntry.objects.filter(action="spaces.archived").count() == 1


def test_only_administrators_create_groups_when_the_setting_says_so(api_client, world, tokens):
    space_services.space_settings_update(actor=world["ada"], members_can_create_groups=False)
    refused = call(api_client, "POST", SPACES, {"kind": "open", "name": "Runners"}, tokens["bob"])
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only administrators can create groups."
    allowed = call(api_client, "POST", SPACES, {"kind": "open", "name": "Runners"}, tokens["ada"])
    assert allowed.status_code == 201
    assert Space.objects.filter(name="Runners").count() == 1


# ---------------------------------------------------------------- membership


def test_join_and_leave_an_open_group(api_client, world, tokens):
    group = world.groups["open"]
    headers = tokens["bob"]
    joined = call(api_client, "POST", f"{SPACES}/{group.slug}/membership", None, headers)
    assert joined.status_code == 200
    assert joined.json()["role"] == "member"
    assert joined.json()["person"]["display_name"] == "Bob Outsider"
    again = call(api_client, "POST", f"{SPACES}/{group.slug}/membership", None, headers)
    assert again.json()["id"] == joined.json()["id"]
    private = call(
        api_client, "POST", f"{SPACES}/{world.groups['private'].slug}/membership", None, headers
    )
    assert private.status_code == 422 and "open groups" in private.json()["detail"][0]["msg"]
    left = call(api_client, "DELETE", f"{SPACES}/{group.slug}/membership", None, headers)
    assert left.status_code == 204
    assert not SpaceMembership.objects.filter(space=group, user=world["bob"]).exists()
    last_owner = call(
        api_client, "DELETE", f"{SPACES}/{group.slug}/membership", None, tokens["olga"]
    )
    assert last_owner.status_code == 422 and "only owner" in last_owner.json()["detail"][0]["msg"]


def test_request_to_join_a_private_group_and_moderators_decide(api_client, world, tokens):
    group = world.groups["private"]
    base = f"{SPACES}/{group.slug}/join-requests"
    asked = call(api_client, "POST", base, None, tokens["bob"])
    assert asked.status_code == 201 and asked.json()["status"] == "pending"
    asked_again = call(api_client, "POST", base, None, tokens["bob"])
    assert asked_again.json()["id"] == asked.json()["id"]
    dave_asked = call(api_client, "POST", base, None, tokens["dave"])
    # Plain members neither list nor decide requests.
    assert api_client.get(base, headers=tokens["alice"]).json() == []
    listed = api_client.get(base, headers=tokens["carol"]).json()
    assert [r["person"]["id"] for r in listed] == [world["bob"].pk, world["dave"].pk]
    refused = call(
        api_client, "POST", f"{base}/{asked.json()['id']}/approve", None, tokens["alice"]
    )
    assert refused.status_code == 404
    approved = call(
        api_client, "POST", f"{base}/{asked.json()['id']}/approve", None, tokens["carol"]
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert SpaceMembership.objects.filter(space=group, user=world["bob"]).exists()
    declined = call(
        api_client, "POST", f"{base}/{dave_asked.json()['id']}/decline", None, tokens["carol"]
    )
    assert declined.json()["status"] == "declined"
    assert not SpaceMembership.objects.filter(space=group, user=world["dave"]).exists()
    member = call(api_client, "POST", base, None, tokens["bob"])
    assert member.status_code == 422 and "already a member" in member.json()["detail"][0]["msg"]
    assert SpaceJoinRequest.objects.filter(space=group).count() == 2


def test_invite_into_a_secret_group_and_accept(api_client, world, tokens):
    group = world.groups["secret"]
    invited = call(
        api_client,
        "POST",
        f"{SPACES}/{group.slug}/invitations",
        {"person_id": world["bob"].pk},
        tokens["carol"],
    )
    assert invited.status_code == 201, invited.content
    assert invited.json()["invited_by"]["id"] == world["carol"].pk
    by_member = call(
        api_client,
        "POST",
        f"{SPACES}/{group.slug}/invitations",
        {"person_id": world["dave"].pk},
        tokens["alice"],
    )
    assert by_member.status_code == 403
    unknown = call(
        api_client,
        "POST",
        f"{SPACES}/{group.slug}/invitations",
        {"person_id": 999_999},
        tokens["carol"],
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["msg"] == "No such person."
    pending = api_client.get(f"{SPACES}/{group.slug}/invitations", headers=tokens["carol"])
    assert [i["person"]["id"] for i in pending.json()] == [world["bob"].pk]
    # Invited, bob now sees the group listed, but not its posts or members.
    mine = api_client.get("/api/v1/invitations", headers=tokens["bob"]).json()
    assert [i["space"]["slug"] for i in mine] == [group.slug]
    seen = api_client.get(f"{SPACES}/{group.slug}", headers=tokens["bob"]).json()
    assert seen["invitation_pending"] and not seen["can"]["read"]
    assert api_client.get(f"{SPACES}/{group.slug}/posts", headers=tokens["bob"]).status_code == 404
    accepted = call(
        api_client, "POST", f"{SPACES}/{group.slug}/invitation/accept", None, tokens["bob"]
    )
    assert accepted.status_code == 200 and accepted.json()["role"] == "member"
    assert api_client.get(f"{SPACES}/{group.slug}/posts", headers=tokens["bob"]).status_code == 200
    none_left = call(
        api_client, "POST", f"{SPACES}/{group.slug}/invitation/accept", None, tokens["bob"]
    )
    assert none_left.status_code == 404


def test_decline_an_invitation(api_client, world, tokens):
    group = world.groups["secret"]
    space_invite(actor=world["olga"], space=group, user=world["bob"])
    declined = call(
        api_client, "POST", f"{SPACES}/{group.slug}/invitation/decline", None, tokens["bob"]
    )
    assert declined.status_code == 204
    assert SpaceInvitation.objects.get(space=group, user=world["bob"]).status == "declined"
    assert api_client.get(f"{SPACES}/{group.slug}", headers=tokens["bob"]).status_code == 404


def test_roles_and_removal(api_client, world, tokens):
    group = world.groups["private"]
    alice = SpaceMembership.objects.get(space=group, user=world["alice"])
    path = f"{SPACES}/{group.slug}/members/{alice.pk}"
    by_member = call(api_client, "PATCH", path, {"role": "moderator"}, tokens["alice"])
    assert by_member.status_code == 404
    to_owner = call(api_client, "PATCH", path, {"role": "owner"}, tokens["carol"])
    assert to_owner.status_code == 403 and "owners" in to_owner.json()["detail"]
    promoted = call(api_client, "PATCH", path, {"role": "moderator"}, tokens["carol"])
    assert promoted.status_code == 200 and promoted.json()["role"] == "moderator"
    bad = call(api_client, "PATCH", path, {"role": "king"}, tokens["olga"])
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "role"
    olga = SpaceMembership.objects.get(space=group, user=world["olga"])
    last_owner = call(
        api_client, "DELETE", f"{SPACES}/{group.slug}/members/{olga.pk}", None, tokens["ada"]
    )
    assert last_owner.status_code == 422 and "only owner" in last_owner.json()["detail"][0]["msg"]
    removed = call(api_client, "DELETE", path, None, tokens["olga"])
    assert removed.status_code == 204
    # Removed, alice no longer reads the group, nor who is in it.
    assert (
        api_client.get(f"{SPACES}/{group.slug}/members", headers=tokens["alice"]).status_code == 404
    )
    assert (
        api_client.get(f"{SPACES}/{group.slug}/posts", headers=tokens["alice"]).status_code == 404
    )


def test_directory_memberships_cannot_be_removed(api_client, world, tokens):
    space = world.engineering
    assert space is not None
    membership = SpaceMembership.objects.get(space=space, user=world["alice"])
    response = call(
        api_client, "DELETE", f"{SPACES}/{space.slug}/members/{membership.pk}", None, tokens["ada"]
    )
    assert response.status_code == 422 and "directory" in response.json()["detail"][0]["msg"]


def test_session_needs_csrf_to_join(world):
    client = Client(enforce_csrf_checks=True)
    group = world.groups["open"]
    client.force_login(world["bob"])
    assert client.get(f"{SPACES}/{group.slug}").status_code == 200
    refused = call(client, "POST", f"{SPACES}/{group.slug}/membership")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not SpaceMembership.objects.filter(space=group, user=world["bob"]).exists()
    headers = csrf_session(client, world["bob"])
    assert (
        call(client, "POST", f"{SPACES}/{group.slug}/membership", None, headers).status_code == 200
    )


# ---------------------------------------------------------------- query counts


def _counts(client: Client, paths: list[str], headers: dict[str, str]) -> list[int]:
    found = []
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path, headers=headers).status_code == 200
        found.append(len(captured))
    return found


def test_lists_keep_a_fixed_number_of_queries(api_client, world, tokens):
    group = world.groups["open"]
    paths = [f"{SPACES}?limit=200", f"{SPACES}/{group.slug}/members?limit=200"]
    headers = tokens["olga"]
    _counts(api_client, paths, headers)  # the token's first use is recorded once
    before = _counts(api_client, paths, headers)
    for n in range(8):
        newcomer = person(f"p{n}@example.com", f"Person {n}")
        space_services.space_join(actor=newcomer, space=group)
        space_services.space_create(actor=world["olga"], kind=Space.Kind.PRIVATE, name=f"G{n}")
    assert _counts(api_client, paths, headers) == before
