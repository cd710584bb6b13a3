"""Campaign progress and contributions, computed exactly from a handcrafted history."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from rallypoint.advocacy import campaign_selectors as selectors
from rallypoint.advocacy.models import Campaign, ContentItem, Share, ShareMetric
from rallypoint.advocacy.tests.test_campaigns_services import DAY, Team, build_team, campaign, item
from rallypoint.links.models import Click, TrackedLink
from rallypoint.people.models import User

_codes = itertools.count(1)


def share(
    person: User,
    in_campaign: Campaign | None,
    content: ContentItem,
    *,
    status: str = Share.Status.PUBLISHED,
    network: str = "linkedin",
    method: str = Share.Method.API,
) -> Share:
    link = TrackedLink.objects.create(
        code=f"t{next(_codes)}",
        destination=f"{content.url}?utm_source={network}&utm_medium=employee_advocacy",
        user=person,
        network=network,
    )
    return Share.objects.create(
        user=person,
        item=content,
        campaign=in_campaign,
        network=network,
        method=method,
        status=status,
        text="Worth a read",
        link=link,
        published_at=timezone.now() if status == Share.Status.PUBLISHED else None,
    )


def click(
    of: Share, at: datetime.datetime, visitor: str, *, bot: bool = False, device: str = "desktop"
) -> Click:
    assert of.link is not None
    return Click.objects.create(
        link=of.link,
        at=at,
        network=of.network,
        referrer_host="www.linkedin.com",
        device_class="bot" if bot else device,
        visitor_hash=visitor,
        is_bot=bot,
        bot_name="LinkedInBot" if bot else "",
    )


def metric(of: Share, at: datetime.datetime, impressions: int | None, likes: int = 1) -> None:
    ShareMetric.objects.create(share=of, fetched_at=at, impressions=impressions, likes=likes)


@pytest.fixture
def history(db):
    """A running campaign (started two days ago at noon UTC, ends in five days) with goals,
    and a history of shares and clicks that tests every rule of the count."""
    team = build_team()
    now = timezone.now()
    start = (now - 2 * DAY).replace(hour=12, minute=0, second=0, microsecond=0)
    office = item()
    hiring = campaign(
        team,
        starts_at=start,
        ends_at=now + 5 * DAY,
        items=[office],
        goal_shares=4,
        goal_unique_clicks=2,
        goal_participants=10,
        goal_reach=1000,
    )
    other = campaign(team, name="Other", starts_at=now - 3 * DAY)
    day1 = start + datetime.timedelta(hours=2)  # same UTC day as the start
    day2 = start + datetime.timedelta(hours=20)  # the next UTC day
    eli = share(team["eli"], hiring, office)  # api, linkedin, reports impressions
    eli_x = share(team["eli"], hiring, office, network="x", method=Share.Method.INTENT,
                  status=Share.Status.OPENED)  # fmt: skip
    emma = share(team["emma"], hiring, office, network="mastodon")  # api, no impressions
    share(team["sam"], hiring, office, status=Share.Status.FAILED)
    share(team["sue"], hiring, office, status=Share.Status.SCHEDULED)
    share(team["erik"], hiring, office, status=Share.Status.CANCELLED)
    outside = share(team["eva"], other, office)  # another campaign
    share(team["ezra"], None, office)  # no campaign
    # eli's linkedin link: visitor A twice on day 1 (one unique click), A again on day 2
    # (the salt changes daily, so a new visitor), a bot, and a click before the start.
    click(eli, day1, "A")
    click(eli, day1 + datetime.timedelta(minutes=5), "A", device="mobile")
    click(eli, day2, "A")
    click(eli, day1, "bot1", bot=True)
    click(eli, start - datetime.timedelta(minutes=1), "early")
    # eli's X link: visitor B on day 1.
    click(eli_x, day1, "B")
    # emma's mastodon link: visitor A on day 1 too (same hash, another link: one visitor
    # that day) and C on day 2; bots only otherwise.
    click(emma, day1, "A")
    click(emma, day2, "C")
    click(emma, day2, "bot2", bot=True)
    # clicks on the other campaign's share never count here.
    click(outside, day1, "D")
    # Impressions: eli's linkedin share reported 100 then 250 (latest counts), a later
    # report without impressions does not erase them; emma's network reports likes only.
    metric(eli, day1, 100)
    metric(eli, day2, 250)
    metric(eli, day2 + datetime.timedelta(hours=1), None)
    metric(emma, day2, None, likes=7)
    return team, hiring, other, {"eli": eli, "eli_x": eli_x, "emma": emma}


def test_campaign_progress_counts_exactly(history):
    _team, hiring, _other, _shares = history
    progress = selectors.campaign_progress(hiring)
    values = {key: goal.value for key, goal in progress.items()}
    # shares: eli (2) and emma (1); failed, scheduled and cancelled shares do not count.
    # participants: eli and emma.
    # unique clicks: (A, day1), (A, day2), (B, day1), (C, day2); no bot, nothing early,
    # A twice on day 1 once, other campaigns never.
    # reach: 250 impressions of eli's linkedin share, plus the unique visitors of the
    # shares without impressions: eli_x (B, day1) and emma (A, day1), (C, day2) = 3.
    assert values == {"shares": 3, "unique_clicks": 4, "participants": 2, "reach": 253}
    assert progress["shares"].goal == 4
    assert progress["shares"].percent == 75
    assert progress["unique_clicks"].percent == 200  # the real value is kept…
    assert progress["unique_clicks"].bar == 100  # …and the bar is capped
    assert progress["unique_clicks"].reached
    assert progress["participants"].percent == 20
    assert progress["reach"].percent == 25


def test_progress_without_goals_has_values_but_no_percent(history):
    _team, _hiring, other, _shares = history
    progress = selectors.campaign_progress(other)
    assert progress["shares"].value == 1
    assert progress["unique_clicks"].value == 1
    assert progress["shares"].goal is None
    assert progress["shares"].percent is None
    assert progress["shares"].bar is None
    assert progress["shares"].as_json() == {"value": 1, "goal": None, "percent": None, "bar": None}


def test_clicks_after_the_campaign_ends_do_not_count(history):
    _team, hiring, _other, _shares = history
    Campaign.objects.filter(pk=hiring.pk).update(
        ends_at=hiring.starts_at + datetime.timedelta(hours=10)
    )
    hiring.refresh_from_db()
    progress = selectors.campaign_progress(hiring)
    # Only day-1 clicks remain: (A, day1) and (B, day1).
    assert progress["unique_clicks"].value == 2
    assert progress["reach"].value == 250 + 2  # eli_x B and emma A


def test_progress_of_many_campaigns_in_three_queries(history, django_assert_num_queries):
    _team, hiring, other, _shares = history
    with django_assert_num_queries(3):
        many = selectors.campaigns_progress([hiring, other])
    assert many[hiring.pk]["shares"].value == 3
    assert many[other.pk]["shares"].value == 1


def test_contribution_of_counts_one_persons_part(history):
    team, hiring, _other, _shares = history
    eli = selectors.contribution_of(hiring, team["eli"])
    # eli: 2 shares; clicks A, A, A (day 2) and B = 4 human clicks in the dates, 3 unique.
    assert (eli.shares, eli.clicks, eli.unique_visitors, eli.rank) == (2, 4, 3, 1)
    emma = selectors.contribution_of(hiring, team["emma"])
    assert (emma.shares, emma.clicks, emma.unique_visitors, emma.rank) == (1, 2, 2, 2)
    sam = selectors.contribution_of(hiring, team["sam"])  # a failed share only
    assert (sam.shares, sam.clicks, sam.unique_visitors, sam.rank) == (0, 0, 0, None)


def test_campaigns_for_groups_by_state_and_respects_the_audience(db):
    team: Team = build_team()
    now = timezone.now()
    running = campaign(team, name="Running")
    coming = campaign(team, name="Coming", starts_at=now + DAY, ends_at=now + 3 * DAY)
    over = campaign(team, name="Over", starts_at=now - 9 * DAY, ends_at=now - 2 * DAY)
    sales = campaign(
        team, name="Sales only", audience_everyone=False, departments=[team.departments["Sales"]]
    )
    lisbon = campaign(
        team, name="Lisbon", audience_everyone=False, locations=[team.locations["Lisbon"]]
    )
    eli = selectors.campaigns_for(team["eli"])
    assert [c.campaign for c in eli.active] == [running]
    assert [c.campaign for c in eli.upcoming] == [coming]
    assert [c.campaign for c in eli.past] == [over]
    ezra = selectors.campaigns_for(team["ezra"])  # Engineering, in Lisbon
    assert {c.campaign for c in ezra.active} == {running, lisbon}
    sam = selectors.campaigns_for(team["sam"])  # Sales, in Lisbon
    assert {c.campaign for c in sam.active} == {running, sales, lisbon}
    assert sam.active[0].contribution is not None
    # Communications managers open every campaign, employees only theirs.
    assert selectors.campaign_for(team["cora"], sales.slug) == sales
    with pytest.raises(Exception) as error:
        selectors.campaign_for(team["eli"], sales.slug)
    assert error.type.__name__ == "Http404"


def test_department_participation_pools_small_departments(history):
    _team, hiring, _other, _shares = history
    rows = {row.name: row for row in selectors.department_participation(hiring)}
    # Engineering has 5 people (eli, emma, erik, eva, ezra): its own row.
    engineering = rows["Engineering"]
    assert (engineering.people, engineering.participants, engineering.shares) == (5, 2, 3)
    assert engineering.participation == 40
    # Sales (2), Marketing (1) and IT (1) are pooled; rita has no department.
    pooled = rows["Smaller departments together"]
    assert (pooled.people, pooled.participants, pooled.shares) == (4, 0, 0)
    assert rows["No department"].people == 1
    assert "Sales" not in rows


def test_top_sharers_lists_people_by_shares(history):
    _team, hiring, _other, _shares = history
    sharers = selectors.top_sharers(hiring)
    assert [(s.display_name, s.shares, s.unique_visitors) for s in sharers] == [
        ("Eli Engineer", 2, 3),
        ("Emma Engineer", 1, 2),
    ]
