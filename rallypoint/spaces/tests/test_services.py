"""Creating groups, joining, asking, inviting, leaving, roles: the rules and what is stored."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.people.models import User
from rallypoint.spaces import invitations, selectors, services
from rallypoint.spaces.models import (
    Space,
    SpaceInvitation,
    SpaceJoinRequest,
    SpaceMembership,
    SpaceSettings,
)
from rallypoint.spaces.tests.conftest import person


@pytest.fixture
def toasts(monkeypatch) -> list[tuple[int, str]]:
    """Live toasts sent, as (user id, message)."""
    sent: list[tuple[int, str]] = []

    def record(user_id: int, event: str, data: dict) -> None:
        assert event == "toast"
        sent.append((user_id, data["message"]))

    monkeypatch.setattr("rallypoint.core.realtime.publish_to_user", record)
    return sent


@pytest.fixture
def people(db) -> dict[str, User]:
    return {
        "ada": person("ada@example.com", "Ada Admin", role=User.Role.ADMINISTRATOR),
        "cora": person("cora@example.com", "Cora Comms", role=User.Role.COMMUNICATIONS),
        "olga": person("olga@example.com", "Olga Owner"),
        "max": person("max@example.com", "Max Moderator"),
        "pia": person("pia@example.com", "Pia Person"),
    }


def role_of(space: Space, user: User) -> str | None:
    return (
        SpaceMembership.objects.filter(space=space, user=user)
        .values_list("role", flat=True)
        .first()
    )


def test_anyone_creates_an_open_group_and_owns_it(people):
    space = services.space_create(
        actor=people["olga"], kind="open", name="  Running   club ", description="Runs."
    )
    assert (space.name, space.slug, space.kind) == ("Running club", "running-club", "open")
    assert role_of(space, people["olga"]) == "owner"
    again = services.space_create(actor=people["pia"], kind="open", name="Running club")
    assert again.slug == "running-club-2"
    new = services.space_create(actor=people["pia"], kind="private", name="New")
    assert new.slug == "new-2", "the slug 'new' is the address of the create page"
    entry = AuditEntry.objects.filter(action="spaces.created").order_by("pk").first()
    assert entry is not None and entry.details == {"kind": "open", "slug": "running-club"}


def test_secret_groups_are_for_administrators_and_communications_managers(people):
    with pytest.raises(PermissionDenied):
        services.space_create(actor=people["olga"], kind="secret", name="Falcon")
    assert (
        services.space_create(actor=people["cora"], kind="secret", name="Falcon").kind == "secret"
    )


def test_directory_kinds_cannot_be_created_by_hand(people):
    with pytest.raises(ValidationError):
        services.space_create(actor=people["ada"], kind="department", name="Sales")


def test_administrators_can_turn_group_creation_off(people, client):
    services.space_settings_update(actor=people["ada"], members_can_create_groups=False)
    assert SpaceSettings.objects.get().members_can_create_groups is False
    with pytest.raises(PermissionDenied, match="Only administrators can create groups"):
        services.space_create(actor=people["olga"], kind="open", name="Chess")
    assert services.space_create(actor=people["ada"], kind="open", name="Chess")
    client.force_login(people["olga"])
    response = client.get(reverse("spaces_create"), follow=True)
    assert "Only administrators can create groups." in response.content.decode()
    assert "Create a group" not in client.get(reverse("spaces_list")).content.decode()
    with pytest.raises(PermissionDenied):
        services.space_settings_update(actor=people["olga"], members_can_create_groups=True)


def test_join_and_leave_an_open_group(people):
    space = services.space_create(actor=people["olga"], kind="open", name="Chess")
    services.space_join(actor=people["pia"], space=space)
    services.space_join(actor=people["pia"], space=space)
    assert role_of(space, people["pia"]) == "member"
    services.space_leave(actor=people["pia"], space=space)
    assert role_of(space, people["pia"]) is None
    assert AuditEntry.objects.filter(action__in=["spaces.joined", "spaces.left"]).count() == 2


def test_private_and_secret_groups_cannot_be_joined_directly(people):
    for kind in ("private", "secret"):
        space = services.space_create(actor=people["cora"], kind=kind, name=f"Closed {kind}")
        with pytest.raises(ValidationError):
            services.space_join(actor=people["pia"], space=space)
        assert role_of(space, people["pia"]) is None


def test_the_last_owner_cannot_leave(people):
    space = services.space_create(actor=people["olga"], kind="open", name="Chess")
    services.space_join(actor=people["max"], space=space)
    with pytest.raises(ValidationError, match="only owner"):
        services.space_leave(actor=people["olga"], space=space)
    membership = SpaceMembership.objects.get(space=space, user=people["max"])
    services.membership_set_role(actor=people["olga"], membership=membership, role="owner")
    services.space_leave(actor=people["olga"], space=space)
    assert role_of(space, people["max"]) == "owner" and role_of(space, people["olga"]) is None


def test_nobody_leaves_a_directory_space(people):
    from rallypoint.spaces.directory import directory_spaces_reconcile

    directory_spaces_reconcile()
    company = Space.objects.get(kind="company")
    with pytest.raises(ValidationError, match="follows the company directory"):
        services.space_leave(actor=people["pia"], space=company)
    membership = SpaceMembership.objects.get(space=company, user=people["pia"])
    with pytest.raises(ValidationError, match="through the company directory"):
        services.membership_remove(actor=people["ada"], membership=membership)
    assert role_of(company, people["pia"]) == "member"


def test_request_to_join_a_private_group_and_approve(
    people, toasts, django_capture_on_commit_callbacks
):
    space = services.space_create(actor=people["olga"], kind="private", name="Managers")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.space_request_join(actor=people["pia"], space=space)
    assert services.space_request_join(actor=people["pia"], space=space) == first
    assert toasts == [(people["olga"].pk, "Pia Person asks to join Managers.")]
    with pytest.raises(PermissionDenied):
        services.join_request_approve(actor=people["max"], join_request=first)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_approve(actor=people["olga"], join_request=first)
    first.refresh_from_db()
    assert first.status == "approved" and first.decided_by == people["olga"]
    assert role_of(space, people["pia"]) == "member"
    assert toasts[-1] == (people["pia"].pk, "You are now a member of Managers.")
    with pytest.raises(ValidationError, match="already answered"):
        services.join_request_decline(actor=people["olga"], join_request=first)
    with pytest.raises(ValidationError, match="already a member"):
        services.space_request_join(actor=people["pia"], space=space)


def test_a_declined_request_lets_nobody_in(people, toasts, django_capture_on_commit_callbacks):
    space = services.space_create(actor=people["olga"], kind="private", name="Managers")
    join_request = services.space_request_join(actor=people["pia"], space=space)
    with django_capture_on_commit_callbacks(execute=True):
        services.join_request_decline(actor=people["ada"], join_request=join_request)
    assert SpaceJoinRequest.objects.get().status == "declined"
    assert role_of(space, people["pia"]) is None
    assert toasts == [(people["pia"].pk, "Your request to join Managers was declined.")]


def test_only_private_groups_take_requests(people):
    space = services.space_create(actor=people["cora"], kind="secret", name="Falcon")
    with pytest.raises(ValidationError):
        services.space_request_join(actor=people["pia"], space=space)
    assert not SpaceJoinRequest.objects.exists()


def test_invitation_to_a_secret_group(people, toasts, client, django_capture_on_commit_callbacks):
    space = services.space_create(actor=people["cora"], kind="secret", name="Falcon")
    pia = people["pia"]
    assert space not in selectors.spaces_visible_to(pia)
    with pytest.raises(PermissionDenied):
        invitations.space_invite(actor=people["olga"], space=space, user=pia)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.space_invite(actor=people["cora"], space=space, user=pia)
    assert toasts == [(pia.pk, "Cora Comms invites you to Falcon. Open Spaces to answer.")]
    # The invitee sees the group's name and description to decide, not its content.
    assert space in selectors.spaces_visible_to(pia)
    assert not selectors.space_content_visible_to(pia, space)
    client.force_login(pia)
    listing = client.get(reverse("spaces_list")).content.decode()
    assert "Cora Comms invites you to <strong>Falcon</strong>." in listing
    assert client.get(reverse("spaces_members", args=[space.slug])).status_code == 404
    response = client.post(reverse("spaces_invitation", args=[space.slug]), {"answer": "accept"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and role_of(space, pia) == "member"
    assert client.get(reverse("spaces_members", args=[space.slug])).status_code == 200


def test_declining_an_invitation_hides_the_secret_group_again(people, client):
    space = services.space_create(actor=people["cora"], kind="secret", name="Falcon")
    invitations.space_invite(actor=people["cora"], space=space, user=people["pia"])
    client.force_login(people["pia"])
    client.post(reverse("spaces_invitation", args=[space.slug]), {"answer": "decline"})
    assert SpaceInvitation.objects.get().status == "declined"
    assert client.get(reverse("spaces_detail", args=[space.slug])).status_code == 404
    with pytest.raises(ValidationError, match="already answered"):
        invitations.invitation_accept(actor=people["pia"], invitation=SpaceInvitation.objects.get())


def test_an_invitation_is_only_for_the_invited_person(people):
    space = services.space_create(actor=people["cora"], kind="secret", name="Falcon")
    invitation = invitations.space_invite(actor=people["cora"], space=space, user=people["pia"])
    with pytest.raises(PermissionDenied):
        invitations.invitation_accept(actor=people["max"], invitation=invitation)
    assert role_of(space, people["max"]) is None


def test_roles_moderators_cannot_touch_owners(people):
    space = services.space_create(actor=people["olga"], kind="open", name="Chess")
    for key in ("max", "pia"):
        services.space_join(actor=people[key], space=space)
    max_membership = SpaceMembership.objects.get(space=space, user=people["max"])
    services.membership_set_role(actor=people["olga"], membership=max_membership, role="moderator")
    owner = SpaceMembership.objects.get(space=space, user=people["olga"])
    pia = SpaceMembership.objects.get(space=space, user=people["pia"])
    with pytest.raises(PermissionDenied):
        services.membership_set_role(actor=people["max"], membership=pia, role="owner")
    with pytest.raises(PermissionDenied):
        services.membership_remove(actor=people["max"], membership=owner)
    with pytest.raises(PermissionDenied):
        services.membership_set_role(actor=people["pia"], membership=max_membership, role="member")
    services.membership_set_role(actor=people["max"], membership=pia, role="moderator")
    assert role_of(space, people["pia"]) == "moderator"
    with pytest.raises(ValidationError, match="only owner"):
        services.membership_set_role(actor=people["olga"], membership=owner, role="member")
    with pytest.raises(ValidationError):
        services.membership_set_role(actor=people["olga"], membership=pia, role="boss")
    entry = AuditEntry.objects.filter(action="spaces.role_changed").latest("at")
    assert entry.details == {
        "person": "pia@example.com",
        "old_role": "member",
        "new_role": "moderator",
    }


def test_a_removed_member_is_told(people, toasts, django_capture_on_commit_callbacks):
    space = services.space_create(actor=people["olga"], kind="private", name="Managers")
    services.join_request_approve(
        actor=people["olga"],
        join_request=services.space_request_join(actor=people["pia"], space=space),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_remove(
            actor=people["olga"],
            membership=SpaceMembership.objects.get(space=space, user=people["pia"]),
        )
    assert toasts[-1] == (people["pia"].pk, "You were removed from Managers.")
    assert AuditEntry.objects.filter(action="spaces.member_removed").exists()


def test_archived_groups_take_nobody_new(people):
    space = services.space_create(actor=people["olga"], kind="open", name="Chess")
    with pytest.raises(PermissionDenied):
        services.space_archive(actor=people["pia"], space=space)
    space = services.space_archive(actor=people["olga"], space=space)
    with pytest.raises(ValidationError, match="archived"):
        services.space_join(actor=people["pia"], space=space)
    space = services.space_archive(actor=people["olga"], space=space, archived=False)
    services.space_join(actor=people["pia"], space=space)
    assert role_of(space, people["pia"]) == "member"


def test_deactivated_people_can_do_nothing(people):
    space = services.space_create(actor=people["olga"], kind="open", name="Chess")
    pia = people["pia"]
    pia.is_active = False
    pia.save()
    with pytest.raises(PermissionDenied):
        services.space_join(actor=pia, space=space)
    with pytest.raises(PermissionDenied):
        services.space_create(actor=pia, kind="open", name="Mine")
    with pytest.raises(ValidationError, match="deactivated"):
        invitations.space_invite(actor=people["olga"], space=space, user=pia)
