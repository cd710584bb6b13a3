"""The advocacy demo: what it adds to Northwind, that it fits every network's limit, and
that running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.db.models import Count
from django.urls import reverse

from rallypoint.advocacy import campaign_selectors
from rallypoint.advocacy.models import Campaign, ContentItem, Share, ShareMetric, Topic
from rallypoint.advocacy.seed import ITEMS, seed_advocacy, suggested_texts
from rallypoint.links.models import Click, TrackedLink
from rallypoint.networks.limits import check
from rallypoint.people.models import User
from rallypoint.people.seed import demo_company_seed
from rallypoint.people.seed_data import COMMS_EMAIL, DEMO_PASSWORD


@pytest.fixture
def northwind(db):
    demo_company_seed(people=250)


def _counts() -> dict[str, int]:
    return {
        "topics": Topic.objects.count(),
        "items": ContentItem.objects.count(),
        "campaigns": Campaign.objects.count(),
        "shares": Share.objects.count(),
        "links": TrackedLink.objects.count(),
        "clicks": Click.objects.count(),
        "metrics": ShareMetric.objects.count(),
    }


def test_seed_adds_a_believable_advocacy_program_once(db):
    # Seeding the demo company seeds its advocacy programme too.
    demo_company_seed(people=250)
    first = _counts()
    assert first["topics"] == 6
    published = ContentItem.objects.filter(status=ContentItem.Status.PUBLISHED)
    assert published.count() == 16
    assert {item.kind for item in published} == set(ContentItem.Kind.values)
    assert published.filter(featured=True).count() == 2
    assert published.filter(internal_only=True).count() == 1
    pending = ContentItem.objects.filter(status=ContentItem.Status.PENDING)
    assert pending.count() == 2
    assert all(item.submitted_by_id for item in pending)
    # Two campaigns for departments: one running with goals, one coming.
    states = {
        campaign.slug: campaign_selectors.campaign_state(campaign)
        for campaign in Campaign.objects.all()
    }
    assert sorted(states.values()) == ["active", "upcoming"]
    assert not Campaign.objects.filter(audience_everyone=True).exists()
    # About forty people shared over three weeks, each share with its own tracked link.
    sharers = Share.objects.values("user").distinct().count()
    assert 35 <= sharers <= 40
    assert Share.objects.filter(link__isnull=True).count() == 0
    assert first["links"] == first["shares"]
    assert Click.objects.filter(is_bot=True).exists()
    assert Click.objects.filter(is_bot=False).count() > 200
    devices = set(Click.objects.values_list("device_class", flat=True))
    assert {"desktop", "mobile", "bot"} <= devices
    assert (
        TrackedLink.objects.filter(destination__contains="utm_medium=employee_advocacy").count()
        == first["links"]
    )
    # No api share has an account: nothing will ever ask a network about them.
    assert not Share.objects.filter(method=Share.Method.API, account__isnull=False).exists()
    assert first["metrics"] > 0
    assert ShareMetric.objects.filter(impressions__isnull=False).exists()
    assert ShareMetric.objects.filter(impressions__isnull=True).exists()

    for _again in range(2):
        out = io.StringIO()
        assert seed_advocacy(out=out).created is False
        assert "already here" in out.getvalue()
    assert _counts() == first


def test_seed_on_a_company_without_it_reports_what_it_added(northwind):
    Campaign.objects.all().delete()
    ContentItem.objects.all().delete()
    out = io.StringIO()
    result = seed_advocacy(out=out)
    assert result.created
    assert result.items == 16
    assert result.campaigns == 2
    assert "16 library items, 2 campaigns" in out.getvalue()


def test_running_campaign_shows_real_progress(northwind):
    running = Campaign.objects.get(slug="hiring-spring")
    progress = campaign_selectors.campaign_progress(running)
    assert progress["shares"].value > 10
    assert 0 < progress["participants"].value <= progress["shares"].value
    assert progress["unique_clicks"].value > 50
    assert progress["reach"].value > progress["unique_clicks"].value
    assert all(goal.goal for goal in progress.values())
    # Shares counted for the campaign are of its items, within its dates.
    shares = Share.objects.filter(campaign=running)
    assert not shares.exclude(item__in=running.items.all()).exists()
    assert not shares.filter(published_at__lt=running.starts_at).exists()


def test_every_suggested_text_fits_its_network(northwind):
    checked = 0
    for item in ContentItem.objects.all():
        for network, text in item.suggested_texts.items():
            fits = check(network, text, item.url)
            assert fits.ok, (item.title, network, fits.over_by)
            checked += 1
    assert checked >= 15 * 5
    for demo in ITEMS:
        assert suggested_texts(demo).keys() == {"linkedin", "x", "bluesky", "mastodon", "facebook"}


def test_seed_waits_for_the_demo_company(db):
    out = io.StringIO()
    assert seed_advocacy(out=out).created is False
    assert "needs the Northwind demo company" in out.getvalue()
    assert not ContentItem.objects.exists()


def test_demo_employee_sees_their_campaign_and_contribution(northwind, client):
    running = Campaign.objects.get(slug="hiring-spring")
    busiest = (
        Share.objects.filter(campaign=running, status__in=campaign_selectors.COUNTED)
        .values("user")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    person = User.objects.get(pk=busiest["user"])
    client.login(email=person.email, password=DEMO_PASSWORD)
    page = client.get(reverse("advocacy_campaigns")).content.decode()
    assert "Spring hiring push" in page
    assert "Your contribution:" in page
    client.login(email=COMMS_EMAIL, password=DEMO_PASSWORD)
    page = client.get(reverse("advocacy_campaign", args=[running.slug])).content.decode()
    assert "Participation by department" in page
    assert "Engineering" in page
