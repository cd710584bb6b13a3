"""The engagement job: each api share's figures fetched from its network at growing
intervals for 30 days and kept as a time series; a network that gives nothing is shown as
"not available", never as zero."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.advocacy import share_selectors, sharing
from rallypoint.advocacy.models import Share, ShareMetric
from rallypoint.advocacy.tests.test_sharing_services import (
    PASSWORD,
    World,
    build_world,
    connect,
    started_fake,
)
from rallypoint.networks.testing import FakeNetwork, Reply

MASTODON_STATUS = {
    "id": "103270115826048975",
    "favourites_count": 12,
    "reblogs_count": 4,
    "replies_count": 2,
}
BLUESKY_POSTS = {
    "posts": [
        {
            "uri": "at://did:plc:ana/app.bsky.feed.post/3k4duaz5vfs2b",
            "likeCount": 7,
            "repostCount": 3,
            "replyCount": 1,
            "quoteCount": 1,
        }
    ]
}
X_TWEET = {
    "data": {
        "id": "1445880548472328192",
        "text": "Lisbon",
        "public_metrics": {
            "retweet_count": 5,
            "reply_count": 2,
            "like_count": 30,
            "quote_count": 1,
            "impression_count": 1200,
        },
    }
}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def fake(fake_network, settings) -> FakeNetwork:
    return started_fake(fake_network, settings)


def _published(world: World, fake: FakeNetwork, network: str, remote_id: str, **kw) -> Share:
    account = connect(world.ana, network, fake, **kw)
    link_share = sharing.share_create(
        user=world.ana,
        item=world.item,
        network=network,
        text="Lisbon",
        method="api",
        scheduled_for=timezone.now() + datetime.timedelta(hours=1),
    )
    Share.objects.filter(pk=link_share.pk).update(
        status=Share.Status.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(minutes=30),
        remote_id=remote_id,
        account=account,
    )
    link_share.refresh_from_db()
    return link_share


def test_mastodon_engagement_is_stored_as_a_time_series(world, fake):
    share = _published(world, fake, "mastodon", "103270115826048975")
    path = "/api/v1/statuses/103270115826048975"
    fake.route(
        "GET",
        path,
        Reply(200, MASTODON_STATUS),
        Reply(200, {**MASTODON_STATUS, "favourites_count": 20}),
    )
    now = timezone.now()

    assert sharing.share_metrics_fetch_due(now=now).fetched == 1
    # Fetched less than an hour ago: not again yet.
    assert sharing.share_metrics_fetch_due(now=now + datetime.timedelta(minutes=30)).fetched == 0
    assert sharing.share_metrics_fetch_due(now=now + datetime.timedelta(hours=1)).fetched == 1

    rows = list(ShareMetric.objects.filter(share=share).order_by("fetched_at"))
    assert [(r.likes, r.reposts, r.replies, r.impressions) for r in rows] == [
        (12, 4, 2, None),
        (20, 4, 2, None),
    ]
    assert fake.sent("GET", path)[0].header("Authorization") == "Bearer mastodon-token"
    engagement = share_selectors.share_rows([share])[0].engagement
    assert engagement.available
    assert dict(engagement.figures) == {"likes": 20, "reposts": 4, "replies": 2}


def test_bluesky_engagement_comes_from_the_appview(world, fake):
    uri = "at://did:plc:ana/app.bsky.feed.post/3k4duaz5vfs2b"
    share = _published(world, fake, "bluesky", uri)
    fake.route("GET", "/xrpc/app.bsky.feed.getPosts", Reply(200, BLUESKY_POSTS))

    sharing.share_metrics_fetch_due()

    row = ShareMetric.objects.get(share=share)
    assert (row.likes, row.reposts, row.replies, row.quotes) == (7, 3, 1, 1)
    assert fake.sent("GET", "/xrpc/app.bsky.feed.getPosts")[0].query["uris"] == [uri]


def test_x_public_metrics_include_impressions(world, fake):
    share = _published(world, fake, "x", "1445880548472328192")
    fake.route("GET", "/2/tweets/1445880548472328192", Reply(200, X_TWEET))

    sharing.share_metrics_fetch_due()

    row = ShareMetric.objects.get(share=share)
    assert (row.likes, row.reposts, row.replies, row.quotes, row.impressions) == (
        30,
        5,
        2,
        1,
        1200,
    )


def test_linkedin_without_analytics_is_not_available_rather_than_zero(world, fake, client):
    share = _published(world, fake, "linkedin", "urn:li:share:6844785523593134080")

    report = sharing.share_metrics_fetch_due()

    assert report.unavailable == 1 and report.fetched == 0
    assert not fake.requests  # LinkedIn is not even asked without the scope
    row = ShareMetric.objects.get(share=share)
    assert row.likes is None and row.impressions is None
    client.login(email="ana@example.com", password=PASSWORD)
    page = client.get(reverse("advocacy_my_shares")).content.decode()
    assert "Engagement not available from LinkedIn" in page


def test_intent_shares_show_engagement_as_not_available(world, client):
    sharing.share_create(
        user=world.ana, item=world.item, network="facebook", text="Lisbon", method="intent"
    )
    assert sharing.share_metrics_fetch_due().fetched == 0
    client.login(email="ana@example.com", password=PASSWORD)
    page = client.get(reverse("advocacy_my_shares")).content.decode()
    assert "Engagement not available from Facebook" in page


def test_a_network_that_is_down_is_asked_again_next_time(world, fake):
    share = _published(world, fake, "mastodon", "1")
    fake.route(
        "GET", "/api/v1/statuses/1", Reply(503, {"error": "down"}), Reply(200, MASTODON_STATUS)
    )
    now = timezone.now()
    assert sharing.share_metrics_fetch_due(now=now).skipped == 1
    assert not ShareMetric.objects.exists()
    assert sharing.share_metrics_fetch_due(now=now + datetime.timedelta(minutes=1)).fetched == 1
    assert ShareMetric.objects.get(share=share).likes == 12


def test_fetches_grow_apart_and_stop_after_thirty_days(world, fake):
    share = _published(world, fake, "mastodon", "1")
    fake.route("GET", "/api/v1/statuses/1", Reply(200, MASTODON_STATUS))
    published = timezone.now() - datetime.timedelta(days=3)
    Share.objects.filter(pk=share.pk).update(published_at=published)
    now = timezone.now()
    assert sharing.share_metrics_fetch_due(now=now).fetched == 1
    # Three days old: every six hours.
    assert sharing.share_metrics_fetch_due(now=now + datetime.timedelta(hours=5)).fetched == 0
    assert sharing.share_metrics_fetch_due(now=now + datetime.timedelta(hours=6)).fetched == 1
    # Past thirty days: no more.
    assert sharing.share_metrics_fetch_due(now=published + datetime.timedelta(days=31)).fetched == 0
    assert sharing.metrics_interval(datetime.timedelta(hours=2)) == datetime.timedelta(hours=1)
    assert sharing.metrics_interval(datetime.timedelta(days=10)) == datetime.timedelta(days=1)
