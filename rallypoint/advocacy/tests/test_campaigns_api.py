"""Campaigns in the API: the list with progress, one campaign, and the audience's limits."""

from __future__ import annotations

import pytest
from django.utils import timezone

from rallypoint.advocacy.tests.test_campaigns_progress import share
from rallypoint.advocacy.tests.test_campaigns_services import DAY, build_team, campaign, item
from rallypoint.api.services import token_create


@pytest.fixture
def scene(db):
    team = build_team()
    office = item()
    everyone = campaign(team, name="Everyone", items=[office], goal_shares=2)
    sales = campaign(
        team, name="Sales", audience_everyone=False, departments=[team.departments["Sales"]]
    )
    later = campaign(
        team, name="Later", starts_at=timezone.now() + DAY, ends_at=timezone.now() + 2 * DAY
    )
    share(team["eli"], everyone, office)
    share(team["emma"], everyone, office)
    share(team["emma"], everyone, office, network="x")
    return team, everyone, sales, later, office


def bearer(person) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_create(user=person, name='t')[1]}"}


def test_campaign_list_gives_my_campaigns_with_progress(client, scene):
    team, everyone, _sales, later, _office = scene
    body = client.get("/api/v1/campaigns", headers=bearer(team["eli"])).json()
    assert body["count"] == 2
    assert {row["slug"] for row in body["items"]} == {everyone.slug, later.slug}
    row = next(row for row in body["items"] if row["slug"] == everyone.slug)
    assert row["state"] == "active"
    assert row["progress"]["shares"] == {"value": 3, "goal": 2, "percent": 150}
    assert row["progress"]["participants"]["value"] == 2
    assert row["contribution"] == {"shares": 1, "clicks": 0, "unique_visitors": 0}


def test_campaign_list_filters_by_state(client, scene):
    team, _everyone, _sales, later, _office = scene
    body = client.get("/api/v1/campaigns?state=upcoming", headers=bearer(team["eli"])).json()
    assert [row["slug"] for row in body["items"]] == [later.slug]
    bad = client.get("/api/v1/campaigns?state=someday", headers=bearer(team["eli"]))
    assert bad.status_code == 422


def test_communications_see_every_campaign(client, scene):
    team, *_rest = scene
    body = client.get("/api/v1/campaigns", headers=bearer(team["cora"])).json()
    assert body["count"] == 3


def test_one_campaign_with_its_items_and_404_outside_the_audience(client, scene):
    team, everyone, sales, _later, office = scene
    body = client.get(f"/api/v1/campaigns/{everyone.slug}", headers=bearer(team["emma"])).json()
    assert body["items"] == [{"id": office.pk, "title": office.title}]
    assert body["contribution"]["shares"] == 2
    outside = client.get(f"/api/v1/campaigns/{sales.slug}", headers=bearer(team["eli"]))
    assert outside.status_code == 404
    assert (
        client.get(f"/api/v1/campaigns/{sales.slug}", headers=bearer(team["sam"])).status_code
        == 200
    )
    assert client.get(f"/api/v1/campaigns/{sales.slug}").status_code == 401
