"""Shares in the API: refusals with their reasons, my shares only, changes to a scheduled
share and cancelling it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from rallypoint.advocacy.models import Share
from rallypoint.advocacy.tests.test_sharing_services import (
    World,
    build_world,
    connect,
    publish_policy,
    started_fake,
)
from rallypoint.api.services import token_create
from rallypoint.governance import services as governance
from rallypoint.networks.testing import FakeNetwork
from rallypoint.people.models import User

SHARES = "/api/v1/shares"


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def fake(fake_network, settings) -> FakeNetwork:
    return started_fake(fake_network, settings)


class Api:
    def __init__(self, user: User) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token_create(user=user, name='t')[1]}"}

    def __getattr__(self, method: str) -> Any:
        call = getattr(self.client, method)

        def send(path: str, body: Any = None, **extra: Any) -> Any:
            if body is not None:
                extra.update(data=body, content_type="application/json")
            return call(path, headers=self.headers, **extra)

        return send


@pytest.fixture
def ana(world) -> Api:
    return Api(world.ana)


def test_an_internal_only_item_is_refused_with_its_reason(ana, world):
    response = ana.post(
        SHARES, {"item": world.internal.pk, "network": "x", "text": "Roadmap", "method": "intent"}
    )
    assert response.status_code == 422
    assert "internal only" in response.json()["detail"][0]["msg"]
    assert not Share.objects.exists()


def test_sharing_before_acknowledging_the_policy_is_refused_with_its_address(ana, world):
    version = publish_policy(world)
    body = {"item": world.item.pk, "network": "x", "text": "Lisbon", "method": "intent"}
    response = ana.post(SHARES, body)
    assert response.status_code == 403
    assert f"/policy/?next=/library/{world.item.pk}/share/" in response.json()["detail"]
    governance.policy_acknowledge(user=world.ana, version=version)
    assert ana.post(SHARES, body).status_code == 201


def test_an_item_one_cannot_see_answers_404(ana, world):
    body = {"item": world.hidden.pk, "network": "x", "text": "Sales", "method": "intent"}
    assert ana.post(SHARES, body).status_code == 404


def test_a_share_page_share_answers_its_address_and_link(ana, world):
    response = ana.post(
        SHARES, {"item": world.item.pk, "network": "bluesky", "text": "Lisbon", "method": "intent"}
    )
    assert response.status_code == 201
    out = response.json()
    assert out["status"] == "opened" and out["method"] == "intent"
    assert out["text"] == "Lisbon #employee"
    assert out["link"] and "/r/" in out["link"]
    assert out["posted_text"] == f"Lisbon #employee {out['link']}"
    assert out["intent_url"].startswith("https://bsky.app/intent/compose?text=")


def test_posting_without_an_account_is_refused(ana, world):
    response = ana.post(SHARES, {"item": world.item.pk, "network": "x", "text": "Lisbon"})
    assert response.status_code == 422
    assert "Connect your X account" in response.json()["detail"][0]["msg"]


def test_scheduled_shares_are_listed_changed_and_cancelled(ana, world, fake):
    connect(world.ana, "x", fake)
    when = timezone.now() + datetime.timedelta(days=1)
    created = ana.post(
        SHARES,
        {
            "item": world.item.pk,
            "network": "x",
            "text": "Lisbon",
            "scheduled_for": when.isoformat(),
        },
    )
    assert created.status_code == 201, created.json()
    share_id = created.json()["id"]
    assert created.json()["status"] == "scheduled"
    Api(world.ben).post(
        SHARES, {"item": world.item.pk, "network": "x", "text": "Ben's", "method": "intent"}
    )

    listed = ana.get(SHARES).json()
    assert listed["count"] == 1 and [s["id"] for s in listed["items"]] == [share_id]
    assert ana.get(SHARES + "?status=opened").json()["count"] == 0

    later = (when + datetime.timedelta(hours=5)).replace(microsecond=0)
    changed = ana.patch(
        f"{SHARES}/{share_id}", {"text": "Lisbon, edited", "scheduled_for": later.isoformat()}
    )
    assert changed.status_code == 200
    assert changed.json()["text"] == "Lisbon, edited #employee"
    assert datetime.datetime.fromisoformat(changed.json()["scheduled_for"]) == later
    past = ana.patch(f"{SHARES}/{share_id}", {"scheduled_for": "2020-01-01T00:00:00Z"})
    assert past.status_code == 422 and "future" in past.json()["detail"][0]["msg"]

    assert Api(world.ben).delete(f"{SHARES}/{share_id}").status_code == 404
    assert ana.delete(f"{SHARES}/{share_id}").status_code == 204
    assert ana.get(f"{SHARES}/{share_id}").json()["status"] == "cancelled"
    again = ana.delete(f"{SHARES}/{share_id}")
    assert again.status_code == 422 and "no longer waiting" in again.json()["detail"][0]["msg"]


def test_bad_input_gets_a_reason_not_an_error(ana, world):
    for body in (
        {"item": world.item.pk, "network": "myspace", "text": "x"},
        {"item": world.item.pk, "network": "x", "text": ""},
        {"item": world.item.pk, "network": "x", "text": "x", "method": "carrier-pigeon"},
        {"item": world.item.pk, "network": "x", "text": "x", "scheduled_for": "2031-01-01T10:00"},
    ):
        response = ana.post(SHARES, body)
        assert response.status_code == 422, body
        assert response.json()["detail"]


def contract_scene(me: User) -> dict[str, dict[str, Any]]:
    """What the API contract test needs for the share operations: an item ``me`` may
    share, a connected X account, and scheduled shares to read, change and cancel."""
    from rallypoint.advocacy.models import ContentItem
    from rallypoint.networks.models import ConnectedAccount

    item = ContentItem.objects.create(
        title="Contract item", url="https://northwind.example/contract", published_at=timezone.now()
    )
    account = ConnectedAccount.objects.create(user=me, network="x", remote_id="1", handle="@me")
    later = timezone.now() + datetime.timedelta(days=3)
    kept, doomed = (
        Share.objects.create(
            user=me,
            item=item,
            network="x",
            method=Share.Method.API,
            account=account,
            status=Share.Status.SCHEDULED,
            text=f"Scheduled {n} #employee",
            scheduled_for=later,
            next_attempt_at=later,
        )
        for n in range(2)
    )
    return {
        "shared": {"share_id": kept.pk},
        "per_operation": {"DELETE /api/v1/shares/{share_id}": {"share_id": doomed.pk}},
        "bodies": {
            "POST /api/v1/shares": {
                "item": item.pk,
                "network": "x",
                "text": "From the contract",
                "method": "intent",
            },
            "PATCH /api/v1/shares/{share_id}": {"text": "Changed by the contract"},
        },
    }
