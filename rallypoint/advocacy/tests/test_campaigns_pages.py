"""Campaign pages: mine, one campaign, its live numbers, and running campaigns."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.advocacy.models import Campaign
from rallypoint.advocacy.tests.test_campaigns_progress import click, share
from rallypoint.advocacy.tests.test_campaigns_services import (
    DAY,
    PASSWORD,
    build_team,
    campaign,
    item,
)


@pytest.fixture
def scene(db):
    team = build_team()
    office = item("Our new Berlin office", why_share="Show candidates where they would work.")
    engineering = campaign(
        team,
        name="Engineering hiring",
        audience_everyone=False,
        departments=[team.departments["Engineering"]],
        items=[office],
        goal_shares=4,
        goal_participants=3,
    )
    first = share(team["eli"], engineering, office)
    click(first, timezone.now() - datetime.timedelta(hours=1), "A")
    share(team["emma"], engineering, office, network="x")
    return team, engineering, office


def signed_in(client, person):
    client.login(email=person.email, password=PASSWORD)
    return client


def test_my_campaigns_lists_those_meant_for_me_with_my_contribution(client, scene):
    team, _engineering, _office = scene
    campaign(team, name="Sales kick-off", audience_everyone=False,
             departments=[team.departments["Sales"]])  # fmt: skip
    page = signed_in(client, team["eli"]).get(reverse("advocacy_campaigns")).content.decode()
    assert "Engineering hiring" in page
    assert "Sales kick-off" not in page
    assert "Your contribution: 1 share, 1 unique visitor." in page
    assert '<progress max="4" value="2"' in page


def test_my_campaigns_costs_the_same_queries_for_many_campaigns(
    client, scene, django_assert_num_queries
):
    team, _engineering, office = scene
    signed_in(client, team["eli"])
    client.get(reverse("advocacy_campaigns"))
    with django_assert_num_queries(9) as one:
        client.get(reverse("advocacy_campaigns"))
    for number in range(6):
        more = campaign(team, name=f"Push {number}", items=[office])
        share(team["eli"], more, office)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(reverse("advocacy_campaigns")).content.decode()
    assert page.count("campaign-card") >= 7


def test_campaign_page_is_404_outside_its_audience(client, scene):
    team, engineering, _office = scene
    url = reverse("advocacy_campaign", args=[engineering.slug])
    assert signed_in(client, team["sam"]).get(url).status_code == 404
    progress = reverse("advocacy_campaign_progress", args=[engineering.slug])
    assert client.get(progress).status_code == 404
    assert client.get(reverse("advocacy_campaign", args=["no-such"])).status_code == 404


def test_campaign_page_shows_goals_items_and_only_my_own_numbers(
    client, scene, django_assert_max_num_queries
):
    team, engineering, _office = scene
    signed_in(client, team["eli"])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("advocacy_campaign", args=[engineering.slug]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="progressbar"' in page or "<progress" in page
    assert '<progress max="4" value="2"' in page  # shares: 2 of 4
    assert '<progress max="3" value="2"' in page  # participants: 2 of 3
    assert "impressions reported by the networks" in page
    assert "Our new Berlin office" in page
    assert "You shared this" in page
    assert 'data-progress-url="/campaigns/engineering-hiring/progress.json"' in page
    # An employee sees no table of departments and no names of other sharers.
    assert "Participation by department" not in page
    assert "Top sharers" not in page
    assert "Emma Engineer" not in page


def test_communications_see_department_aggregates_and_top_sharers(
    client, scene, django_assert_max_num_queries
):
    team, engineering, _office = scene
    signed_in(client, team["cora"])  # not in the audience, but runs campaigns
    with django_assert_max_num_queries(17):
        response = client.get(reverse("advocacy_campaign", args=[engineering.slug]))
    page = response.content.decode()
    assert "Participation by department" in page
    assert '<th scope="row">Engineering</th><td>5</td><td>2 (40%)</td><td>2</td>' in page
    assert "Top sharers" in page
    assert "Eli Engineer" in page and "Emma Engineer" in page
    assert reverse("advocacy_campaign_edit", args=[engineering.slug]) in page


def test_progress_json_gives_numbers_and_my_contribution(client, scene):
    team, engineering, _office = scene
    url = reverse("advocacy_campaign_progress", args=[engineering.slug])
    body = signed_in(client, team["emma"]).get(url).json()
    assert body["campaign"] == "engineering-hiring"
    assert body["state"] == "active"
    assert body["goals"]["shares"] == {"value": 2, "goal": 4, "percent": 50, "bar": 50}
    assert body["goals"]["unique_clicks"]["value"] == 1
    assert body["goals"]["reach"]["goal"] is None
    assert body["contribution"] == {"shares": 1, "clicks": 0, "unique_visitors": 0, "rank": 1}


def test_progress_json_and_manage_page_keep_few_queries(
    client, scene, django_assert_max_num_queries
):
    team, engineering, office = scene
    for number in range(5):
        more = campaign(team, name=f"Push {number}", items=[office])
        share(team["eli"], more, office)
    signed_in(client, team["cora"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("advocacy_campaign_manage")).status_code == 200
    url = reverse("advocacy_campaign_progress", args=[engineering.slug])
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200


def test_progress_json_refreshes_after_a_few_seconds(client, scene, settings):
    team, engineering, office = scene
    url = reverse("advocacy_campaign_progress", args=[engineering.slug])
    signed_in(client, team["eli"])
    assert client.get(url).json()["goals"]["shares"]["value"] == 2
    share(team["erik"], engineering, office)
    # Cached for a few seconds per campaign: many open pages cost one computation…
    assert client.get(url).json()["goals"]["shares"]["value"] == 2
    from django.core.cache import cache

    cache.clear()  # …then computed again.
    assert client.get(url).json()["goals"]["shares"]["value"] == 3


def test_employees_cannot_run_campaigns(client, scene):
    team, engineering, _office = scene
    signed_in(client, team["eli"])
    for name, args in (
        ("advocacy_campaign_manage", []),
        ("advocacy_campaign_new", []),
        ("advocacy_campaign_edit", [engineering.slug]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse("advocacy_campaign_end", args=[engineering.slug])).status_code == 404
    assert Campaign.objects.get().ends_at > timezone.now()


def test_communications_create_a_campaign_from_the_form(client, scene):
    team, _engineering, office = scene
    signed_in(client, team["cora"])
    assert client.get(reverse("advocacy_campaign_new")).status_code == 200
    now = timezone.localtime()
    response = client.post(
        reverse("advocacy_campaign_new"),
        {
            "name": "Summer open day",
            "description": "Bring a friend.",
            "starts_at": (now + DAY).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + 8 * DAY).strftime("%Y-%m-%dT%H:%M"),
            "locations": [team.locations["Lisbon"].pk],
            "items": [office.pk],
            "goal_shares": "30",
        },
    )
    created = Campaign.objects.get(slug="summer-open-day")
    assert response.status_code == 302
    assert response["Location"] == reverse("advocacy_campaign", args=[created.slug])
    assert not created.audience_everyone
    assert list(created.locations.all()) == [team.locations["Lisbon"]]
    assert created.goal_shares == 30
    manage = client.get(reverse("advocacy_campaign_manage")).content.decode()
    assert "Summer open day" in manage


def test_campaign_form_says_what_is_wrong(client, scene):
    team, engineering, _office = scene
    signed_in(client, team["cora"])
    now = timezone.localtime()
    response = client.post(
        reverse("advocacy_campaign_new"),
        {
            "name": "Backwards",
            "slug": engineering.slug,
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now - DAY).strftime("%Y-%m-%dT%H:%M"),
            "audience_everyone": "on",
            "goal_reach": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The campaign must end after it starts." in page
    assert "Ensure this value is greater than or equal to 1." in page
    assert Campaign.objects.count() == 1
    response = client.post(
        reverse("advocacy_campaign_new"),
        {
            "name": "Taken",
            "slug": engineering.slug,
            "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (now + DAY).strftime("%Y-%m-%dT%H:%M"),
            "audience_everyone": "on",
        },
    )
    assert "Another campaign already has this address." in response.content.decode()


def test_communications_edit_and_end_a_campaign(client, scene):
    team, engineering, office = scene
    signed_in(client, team["cora"])
    url = reverse("advocacy_campaign_edit", args=[engineering.slug])
    form = client.get(url).content.decode()
    assert 'value="Engineering hiring"' in form
    response = client.post(
        url,
        {
            "name": "Engineering hiring, round two",
            "slug": engineering.slug,
            "starts_at": timezone.localtime(engineering.starts_at).strftime("%Y-%m-%dT%H:%M"),
            "ends_at": timezone.localtime(engineering.ends_at).strftime("%Y-%m-%dT%H:%M"),
            "departments": [team.departments["Engineering"].pk],
            "items": [office.pk],
            "goal_shares": "8",
        },
    )
    assert response.status_code == 302
    engineering.refresh_from_db()
    assert (engineering.name, engineering.goal_shares, engineering.goal_participants) == (
        "Engineering hiring, round two",
        8,
        None,
    )
    client.post(reverse("advocacy_campaign_end", args=[engineering.slug]))
    engineering.refresh_from_db()
    assert engineering.ends_at <= timezone.now()
