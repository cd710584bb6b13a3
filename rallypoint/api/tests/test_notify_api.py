"""The notifications endpoints: your list, the unread count, marking read."""

from __future__ import annotations

import pytest
from django.test import Client

from rallypoint.api.services import token_create
from rallypoint.api.tests.test_feed_api import call, csrf_session
from rallypoint.feed import services
from rallypoint.feed.tests.conftest import World, build_world
from rallypoint.notify.models import Notification
from rallypoint.spaces import services as space_services
from rallypoint.spaces.models import Space, SpaceMembership

NOTIFICATIONS = "/api/v1/notifications"


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def tokens(world: World) -> dict[str, dict[str, str]]:
    headers = {}
    for key, someone in world.people.items():
        _token, secret = token_create(user=someone, name="script")
        headers[key] = {"Authorization": f"Bearer {secret}"}
    return headers


def test_list_shows_my_notifications_with_their_people_and_space(api_client, world, tokens):
    # In the world, carol commented and reacted on alice's posts in both groups.
    response = api_client.get(NOTIFICATIONS, headers=tokens["alice"])
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == body["unread"] == 4
    first = body["items"][0]
    assert first["actor"] == {"id": world["carol"].pk, "display_name": "Carol Moderator"}
    assert first["space"]["slug"] in {g.slug for g in world.groups.values()}
    assert first["unread"] and first["read_at"] is None
    assert first["url"].startswith("http://testserver/posts/")
    # Nobody sees anyone else's notifications.
    assert api_client.get(NOTIFICATIONS, headers=tokens["bob"]).json()["count"] == 0
    mine = Notification.objects.filter(recipient=world["alice"]).first()
    assert mine is not None
    stolen = call(api_client, "POST", f"{NOTIFICATIONS}/{mine.pk}/read", None, tokens["bob"])
    assert stolen.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None


def test_mark_one_then_all_read(api_client, world, tokens):
    headers = tokens["alice"]
    items = api_client.get(NOTIFICATIONS, headers=headers).json()["items"]
    one = call(api_client, "POST", f"{NOTIFICATIONS}/{items[0]['id']}/read", None, headers)
    assert one.status_code == 200 and one.json()["read_at"] and not one.json()["unread"]
    assert api_client.get(f"{NOTIFICATIONS}/unread", headers=headers).json() == {"unread": 3}
    unread = api_client.get(NOTIFICATIONS, {"unread": "true"}, headers=headers).json()
    assert unread["count"] == 3 and all(item["unread"] for item in unread["items"])
    read = api_client.get(NOTIFICATIONS, {"unread": "false"}, headers=headers).json()
    assert [item["id"] for item in read["items"]] == [items[0]["id"]]
    marked = call(api_client, "POST", f"{NOTIFICATIONS}/read", None, headers)
    assert marked.json() == {"marked": 3}
    assert call(api_client, "POST", f"{NOTIFICATIONS}/read", None, headers).json() == {"marked": 0}
    assert api_client.get(f"{NOTIFICATIONS}/unread", headers=headers).json() == {"unread": 0}


def test_leaving_a_private_group_hides_its_notifications(api_client, world, tokens):
    headers = tokens["alice"]
    for group in world.groups.values():
        space_services.membership_remove(
            actor=world["olga"],
            membership=SpaceMembership.objects.get(space=group, user=world["alice"]),
        )
    assert api_client.get(NOTIFICATIONS, headers=headers).json()["count"] == 0
    assert api_client.get(f"{NOTIFICATIONS}/unread", headers=headers).json() == {"unread": 0}
    hidden = Notification.objects.filter(recipient=world["alice"]).first()
    assert hidden is not None
    response = call(api_client, "POST", f"{NOTIFICATIONS}/{hidden.pk}/read", None, headers)
    assert response.status_code == 404


def test_deactivated_people_get_401(api_client, world, tokens):
    assert api_client.get(NOTIFICATIONS, headers=tokens["eve"]).status_code == 401
    assert api_client.get(f"{NOTIFICATIONS}/unread", headers=tokens["eve"]).status_code == 401


def test_paging_and_validation(api_client, world, tokens):
    headers = tokens["alice"]
    page = api_client.get(NOTIFICATIONS, {"limit": 2, "offset": 1}, headers=headers).json()
    every = api_client.get(NOTIFICATIONS, headers=headers).json()["items"]
    assert [i["id"] for i in page["items"]] == [i["id"] for i in every[1:3]]
    too_big = api_client.get(NOTIFICATIONS, {"limit": 1000}, headers=headers)
    assert too_big.status_code == 422 and too_big.json()["detail"][0]["loc"] == ["query", "limit"]


def test_session_needs_csrf_to_mark_read(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["alice"])
    assert client.get(f"{NOTIFICATIONS}/unread").json() == {"unread": 4}
    refused = call(client, "POST", f"{NOTIFICATIONS}/read")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    headers = csrf_session(client, world["alice"])
    assert call(client, "POST", f"{NOTIFICATIONS}/read", None, headers).json() == {"marked": 4}


def test_the_list_keeps_a_fixed_number_of_queries(api_client, world, tokens):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = tokens["alice"]

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(NOTIFICATIONS, {"limit": 100}, headers=headers).status_code == 200
        return len(captured)

    count()  # the token's first use is recorded once
    before = count()
    open_group = space_services.space_create(actor=world["olga"], kind=Space.Kind.OPEN, name="O")
    space_services.space_join(actor=world["alice"], space=open_group)
    for n in range(6):
        post = services.post_create(author=world["alice"], space=open_group, body=f"Post {n}")
        services.comment_create(author=world["olga"], post=post, body="Seen")
        services.reaction_toggle(user=world["bob"], post=post, emoji="tada")
    assert api_client.get(NOTIFICATIONS, headers=headers).json()["count"] == 16
    assert count() == before


def test_the_documentation_names_each_operation_after_its_view(client, db):
    schema = client.get("/api/openapi.json").json()
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert {
        "space_list",
        "space_get",
        "space_create",
        "membership_join",
        "membership_list",
        "post_list",
        "post_create",
        "comment_create",
        "reaction_put",
        "reaction_delete",
        "notification_list",
        "notification_read_all",
    } <= set(ids)
