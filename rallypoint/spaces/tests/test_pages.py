"""The spaces pages: what people see and do, bad input, and query counts."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from rallypoint.people.models import User
from rallypoint.spaces import services
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space, SpaceJoinRequest, SpaceMembership
from rallypoint.spaces.tests.conftest import directory, person


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def people(db) -> dict[str, User]:
    org = directory()
    return {
        "ada": person("ada@example.com", "Ada Admin", role=User.Role.ADMINISTRATOR),
        "olga": person("olga@example.com", "Olga Owner", department=org["eng"]),
        "pia": person("pia@example.com", "Pia Person", department=org["sales"]),
    }


def test_the_list_shows_my_spaces_and_what_to_discover(client, people):
    directory_spaces_reconcile()
    services.space_create(actor=people["olga"], kind="open", name="Chess", description="Moves.")
    services.space_create(actor=people["olga"], kind="private", name="Managers")
    client.force_login(people["pia"])
    response = client.get(reverse("spaces_list"))
    mine = [space.name for space in response.context["mine"]]
    discover = [space.name for space in response.context["discover"]]
    assert mine == ["Everyone", "Sales"]
    assert discover == [
        "Chess",
        "Engineering",
        "Harbour HQ",
        "Managers",
        "Platform",
        "Remote",
        "Deals",
    ] or set(discover) == {
        "Chess",
        "Engineering",
        "Harbour HQ",
        "Managers",
        "Platform",
        "Remote",
        "Deals",
    }
    html = response.content.decode()
    assert "Private group" in html and "Open group" in html and "Department" in html
    assert "1 member" in html and "3 members" in html


def test_create_a_group_from_the_page(client, people):
    client.force_login(people["pia"])
    form = client.get(reverse("spaces_create")).content.decode()
    assert 'value="open"' in form and 'value="private"' in form
    assert 'value="secret"' not in form
    response = client.post(
        reverse("spaces_create"), {"name": "Chess", "description": "Moves.", "kind": "open"}
    )
    space = Space.objects.get(name="Chess")
    assert response["Location"] == reverse("spaces_detail", args=[space.slug])
    assert SpaceMembership.objects.get(space=space).role == "owner"


def test_create_refuses_bad_input_with_a_message(client, people):
    client.force_login(people["pia"])
    response = client.post(reverse("spaces_create"), {"name": "   ", "kind": "secret"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html or "Give the group a name." in html
    assert "Select a valid choice." in html
    assert not Space.objects.exists()


def test_join_a_group_from_its_page(client, people):
    space = services.space_create(actor=people["olga"], kind="open", name="Chess")
    client.force_login(people["pia"])
    page = client.get(reverse("spaces_detail", args=[space.slug])).content.decode()
    assert "Join group" in page
    response = client.post(reverse("spaces_join", args=[space.slug]))
    assert messages_of(response) == ["Welcome to Chess."]
    page = client.get(reverse("spaces_detail", args=[space.slug])).content.decode()
    assert "Leave group" in page and "Pia Person" in page


def test_refusals_are_messages_not_errors(client, people):
    space = services.space_create(actor=people["olga"], kind="private", name="Managers")
    client.force_login(people["pia"])
    response = client.post(reverse("spaces_join", args=[space.slug]))
    assert messages_of(response) == ["Only open groups can be joined directly."]
    client.force_login(people["olga"])
    response = client.post(reverse("spaces_leave", args=[space.slug]))
    assert messages_of(response)[-1:] == [
        "You are the only owner of Managers. Make someone else an owner first."
    ]
    response = client.post(reverse("spaces_invite", args=[space.slug]), {"email": "nobody@x.org"})
    assert messages_of(response)[-1:] == ["Nobody active in the company has this email."]
    owner = SpaceMembership.objects.get(space=space, user=people["olga"])
    response = client.post(
        reverse("spaces_member_role", args=[space.slug, owner.pk]), {"role": "king"}
    )
    assert messages_of(response)[-1:] == ["Choose one of the roles offered."]
    assert client.get(reverse("spaces_join", args=[space.slug])).status_code == 405


def test_moderators_approve_requests_on_the_members_page(client, people):
    space = services.space_create(actor=people["olga"], kind="private", name="Managers")
    join_request = services.space_request_join(actor=people["pia"], space=space)
    client.force_login(people["pia"])
    assert (
        "Request sent: waiting for a moderator"
        in client.get(reverse("spaces_detail", args=[space.slug])).content.decode()
    )
    assert (
        client.post(
            reverse("spaces_request_decide", args=[space.slug, join_request.pk]),
            {"decision": "approve"},
        ).status_code
        == 404
    )
    client.force_login(people["olga"])
    members = client.get(reverse("spaces_members", args=[space.slug])).content.decode()
    assert "Requests to join" in members and "Pia Person" in members
    response = client.post(
        reverse("spaces_request_decide", args=[space.slug, join_request.pk]),
        {"decision": "approve"},
    )
    assert messages_of(response) == ["Pia Person is now a member."]
    assert SpaceJoinRequest.objects.get().status == "approved"
    pia = SpaceMembership.objects.get(space=space, user=people["pia"])
    response = client.post(reverse("spaces_member_remove", args=[space.slug, pia.pk]))
    assert messages_of(response)[-1:] == ["Pia Person was removed from Managers."]
    assert not SpaceMembership.objects.filter(pk=pia.pk).exists()


def test_settings_for_moderators_only(client, people):
    space = services.space_create(actor=people["olga"], kind="open", name="Chess")
    client.force_login(people["pia"])
    assert client.get(reverse("spaces_settings", args=[space.slug])).status_code == 404
    client.force_login(people["olga"])
    response = client.post(
        reverse("spaces_settings", args=[space.slug]), {"name": "Chess club", "description": "64"}
    )
    assert response["Location"] == reverse("spaces_detail", args=[space.slug])
    space.refresh_from_db()
    assert (space.name, space.description, space.slug) == ("Chess club", "64", "chess")
    client.post(reverse("spaces_archive", args=[space.slug]))
    space.refresh_from_db()
    assert space.archived_at is not None


def test_directory_space_names_follow_the_directory(client, people):
    directory_spaces_reconcile()
    space = Space.objects.get(kind="department", name="Sales")
    client.force_login(people["ada"])
    client.post(
        reverse("spaces_settings", args=[space.slug]), {"name": "Hacked", "description": "Deals"}
    )
    space.refresh_from_db()
    assert (space.name, space.description) == ("Sales", "Deals")


def test_the_admin_toggle_page(client, people):
    client.force_login(people["pia"])
    assert client.get(reverse("spaces_admin_settings")).status_code == 404
    client.force_login(people["ada"])
    page = client.get(reverse("spaces_admin_settings")).content.decode()
    assert "Everyone can create open and private groups" in page and "checked" in page
    response = client.post(reverse("spaces_admin_settings"), {})
    assert messages_of(response) == ["The spaces settings are saved."]
    client.force_login(people["pia"])
    assert "Create a group" not in client.get(reverse("spaces_list")).content.decode()


def test_unknown_slugs_answer_404(client, people):
    client.force_login(people["pia"])
    assert client.get(reverse("spaces_detail", args=["no-such-space"])).status_code == 404
    assert client.get(reverse("spaces_members", args=["no-such-space"])).status_code == 404


def _grow(people: dict[str, User], groups: int, members: int) -> None:
    """``groups`` more groups, each with ``members`` more members, Pia in all of them."""
    start = User.objects.count()
    crowd = User.objects.bulk_create(
        User(email=f"c{start + i}@example.com", display_name=f"Crowd {start + i}")
        for i in range(members)
    )
    for n in range(groups):
        space = services.space_create(actor=people["olga"], kind="open", name=f"G{start}-{n}")
        SpaceMembership.objects.bulk_create(
            [SpaceMembership(space=space, user=people["pia"])]
            + [SpaceMembership(space=space, user=user) for user in crowd]
        )
    directory_spaces_reconcile()


def test_the_list_takes_the_same_queries_however_many_spaces(
    client, people, django_assert_max_num_queries
):
    client.force_login(people["pia"])
    _grow(people, groups=2, members=3)
    with django_assert_max_num_queries(8) as small:
        client.get(reverse("spaces_list"))
    _grow(people, groups=25, members=40)
    with django_assert_max_num_queries(len(small)):
        response = client.get(reverse("spaces_list"))
    assert len(response.context["mine"]) == 29


def test_a_space_page_takes_the_same_queries_however_many_members(
    client, people, django_assert_max_num_queries
):
    space = services.space_create(actor=people["olga"], kind="private", name="Managers")
    client.force_login(people["olga"])
    url = reverse("spaces_detail", args=[space.slug])
    with django_assert_max_num_queries(14) as small:
        client.get(url)
    crowd = User.objects.bulk_create(
        User(email=f"m{i}@example.com", display_name=f"Member {i}") for i in range(60)
    )
    SpaceMembership.objects.bulk_create(SpaceMembership(space=space, user=user) for user in crowd)
    for user in crowd[:5]:
        SpaceJoinRequest.objects.create(space=space, user=person(f"r{user.pk}@example.com", "R"))
    with django_assert_max_num_queries(len(small)):
        response = client.get(url)
    assert len(response.context["members"]) == 12
    members_url = reverse("spaces_members", args=[space.slug])
    with django_assert_max_num_queries(14) as small_members:
        client.get(members_url)
    more = User.objects.bulk_create(
        User(email=f"n{i}@example.com", display_name=f"New {i}") for i in range(60)
    )
    SpaceMembership.objects.bulk_create(SpaceMembership(space=space, user=user) for user in more)
    with django_assert_max_num_queries(len(small_members)):
        response = client.get(members_url)
    assert len(response.context["members"]) == 60
    assert response.context["page_obj"].paginator.count == 121
    assert response.context["members"][0].user == people["olga"], "owners come first"
    html = response.content.decode()
    assert "Page 1 of 3" in html


def test_navigation_has_spaces(client, people):
    client.force_login(people["pia"])
    response = client.get(reverse("spaces_list"))
    current = [item["label"] for item in response.context["nav_items"] if item["current"]]
    assert current == ["Spaces"]
