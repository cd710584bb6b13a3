"""Click figures of links: counts per link in one query, totals and breakdowns."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from rallypoint.links.models import Click
from rallypoint.links.selectors import (
    Breakdown,
    ClickCounts,
    clicks_by_day,
    clicks_by_device,
    clicks_by_network,
    clicks_by_referrer,
    clicks_for_links,
    clicks_total,
    human_clicks,
)
from rallypoint.links.services import tracked_link_create

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2026, 4, 1, 12, 0, tzinfo=datetime.UTC)


def click(link, visitor: str, *, at=DAY, device="mobile", referrer="", bot=False) -> None:
    Click.objects.create(
        link=link,
        at=at,
        network=link.network,
        referrer_host=referrer,
        device_class="bot" if bot else device,
        visitor_hash=visitor * 64,
        is_bot=bot,
        bot_name="Twitterbot" if bot else "",
    )


@pytest.fixture
def links():
    linkedin = tracked_link_create(user=None, network="linkedin", destination="https://a.example")
    x = tracked_link_create(user=None, network="x", destination="https://a.example")
    quiet = tracked_link_create(user=None, network="x", destination="https://b.example")
    click(linkedin, "a", referrer="www.linkedin.com")
    click(linkedin, "a", referrer="www.linkedin.com", device="desktop")
    click(linkedin, "b", at=DAY + datetime.timedelta(days=1), referrer="lnkd.in")
    click(linkedin, "z", bot=True)
    click(x, "a", at=DAY + datetime.timedelta(hours=11, minutes=30), referrer="t.co")
    click(x, "c", bot=True)
    click(x, "d", bot=True)
    return linkedin, x, quiet


def test_clicks_for_links_counts_people_only_in_one_query(links, django_assert_num_queries):
    linkedin, x, quiet = links

    with django_assert_num_queries(1):
        counts = clicks_for_links([linkedin.pk, x.pk, quiet.pk])

    assert counts == {
        linkedin.pk: ClickCounts(clicks=3, unique_visitors=2, bots=1),
        x.pk: ClickCounts(clicks=1, unique_visitors=1, bots=2),
        quiet.pk: ClickCounts(0, 0, 0),
    }
    assert clicks_for_links([]) == {}


def test_a_visitor_of_two_links_counts_once_in_the_total(links):
    linkedin, x, _quiet = links

    assert clicks_total([linkedin.pk, x.pk]) == ClickCounts(clicks=4, unique_visitors=2, bots=3)
    assert human_clicks([x.pk]).count() == 1
    assert human_clicks().count() == 4


def test_breakdowns_by_day_network_device_and_referrer(links):
    linkedin, x, _quiet = links
    ids = [linkedin.pk, x.pk]

    assert clicks_by_day(ids) == [
        Breakdown(datetime.date(2026, 4, 1), 3, 1),
        Breakdown(datetime.date(2026, 4, 2), 1, 1),
    ]
    # 23:30 in UTC is the next morning in Tokyo.
    tokyo = clicks_by_day(ids, tz=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert [(row.key, row.clicks) for row in tokyo] == [
        (datetime.date(2026, 4, 1), 2),
        (datetime.date(2026, 4, 2), 2),
    ]
    assert clicks_by_day(ids, since=DAY + datetime.timedelta(hours=1)) == [
        Breakdown(datetime.date(2026, 4, 1), 1, 1),
        Breakdown(datetime.date(2026, 4, 2), 1, 1),
    ]
    assert clicks_by_network(ids) == [Breakdown("linkedin", 3, 2), Breakdown("x", 1, 1)]
    assert clicks_by_device(ids) == [Breakdown("mobile", 3, 2), Breakdown("desktop", 1, 1)]
    assert clicks_by_referrer(ids, limit=2) == [
        Breakdown("www.linkedin.com", 2, 1),
        Breakdown("lnkd.in", 1, 1),
    ]
