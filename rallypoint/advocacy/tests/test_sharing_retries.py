"""The publishing job's answers to a network that refuses or fails: Retry-After honoured
to the second, exponential backoff for server errors, immediate failure for refusals, the
employee told why, and shares left behind by a worker that died."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from rallypoint.advocacy import sharing
from rallypoint.advocacy.models import Share
from rallypoint.advocacy.tests.test_sharing_services import (
    FakeSocial,
    World,
    build_world,
    connect,
    started_fake,
)
from rallypoint.networks.models import ConnectedAccount
from rallypoint.networks.testing import FakeNetwork, Reply
from rallypoint.notify.models import Notification

STATUSES = "/api/v1/statuses"
TWEETS = "/2/tweets"
TWEET = {"data": {"id": "1445880548472328192", "text": "Lisbon"}}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def fake(fake_network, settings) -> FakeNetwork:
    return started_fake(fake_network, settings)


@pytest.fixture
def social(fake) -> FakeSocial:
    return FakeSocial(fake)


def _due_share(world: World, fake: FakeNetwork, network: str) -> Share:
    """A share of ``network`` scheduled for a minute ago."""
    connect(world.ana, network, fake)
    share = sharing.share_create(
        user=world.ana,
        item=world.item,
        network=network,
        text="Lisbon",
        method="api",
        scheduled_for=timezone.now() + datetime.timedelta(minutes=1),
    )
    past = timezone.now() - datetime.timedelta(minutes=1)
    Share.objects.filter(pk=share.pk).update(scheduled_for=past, next_attempt_at=past)
    share.refresh_from_db()
    return share


def _notices(world: World):
    return Notification.objects.filter(recipient=world.ana, kind=Notification.Kind.ADVOCACY)


def test_429_with_retry_after_is_retried_exactly_then(world, fake):
    share = _due_share(world, fake, "mastodon")
    fake.route(
        "POST",
        STATUSES,
        Reply(429, {"error": "Too many requests"}, headers={"Retry-After": "120"}),
        Reply(200, {"id": "1", "url": "https://m.example/@ana/1"}),
    )
    now = timezone.now()

    report = sharing.share_publish_due(now=now)

    share.refresh_from_db()
    assert report.retried == 1
    assert share.status == Share.Status.SCHEDULED
    assert share.next_attempt_at == now + datetime.timedelta(seconds=120)
    assert share.attempts == 1 and share.claimed_at is None
    assert share.last_error  # the reason is kept for the queue page
    # Not before its time…
    assert sharing.share_publish_due(now=now + datetime.timedelta(seconds=119)).published == 0
    # …and then once.
    report = sharing.share_publish_due(now=now + datetime.timedelta(seconds=120))
    share.refresh_from_db()
    assert report.published == 1 and share.status == Share.Status.PUBLISHED
    assert share.attempts == 2 and share.last_error == ""
    keys = {r.header("Idempotency-Key") for r in fake.sent("POST", STATUSES)}
    assert keys == {str(share.idempotency_key)}


def test_retry_after_of_zero_waits_at_least_a_second(world, fake):
    share = _due_share(world, fake, "x")
    fake.route(
        "POST", TWEETS, Reply(429, {"title": "Too Many Requests"}, headers={"Retry-After": "0"})
    )
    now = timezone.now()
    sharing.share_publish_due(now=now)
    share.refresh_from_db()
    assert share.next_attempt_at == now + datetime.timedelta(seconds=1)


def test_server_errors_back_off_exponentially_then_fail_and_tell_the_employee(
    world, fake, settings
):
    settings.SHARE_MAX_ATTEMPTS = 4
    share = _due_share(world, fake, "mastodon")
    fake.route("POST", STATUSES, Reply(503, {"error": "Service Unavailable"}))
    now = timezone.now()
    waits = []
    for _attempt in range(3):
        report = sharing.share_publish_due(now=now)
        share.refresh_from_db()
        assert report.retried == 1 and share.status == Share.Status.SCHEDULED
        assert share.next_attempt_at is not None
        waits.append((share.next_attempt_at - now).total_seconds())
        now = share.next_attempt_at
    # 1, 2 and 4 minutes, each with up to a quarter more at random.
    for wait, base in zip(waits, (60, 120, 240), strict=True):
        assert base <= wait <= base * 1.25
    assert not _notices(world).exists()

    report = sharing.share_publish_due(now=now)

    share.refresh_from_db()
    assert report.failed == 1
    assert share.status == Share.Status.FAILED and share.attempts == 4
    assert "503" in share.last_error and "4 attempts" in share.last_error
    [notice] = _notices(world)
    assert notice.url == "/shares/"
    assert share.last_error in notice.summary
    assert len(fake.sent("POST", STATUSES)) == 4


def test_a_refused_post_fails_at_once_with_the_networks_reason(world, fake):
    share = _due_share(world, fake, "x")
    fake.route(
        "POST",
        TWEETS,
        Reply(
            403, {"title": "Forbidden", "detail": "You are not permitted to perform this action."}
        ),
    )
    report = sharing.share_publish_due()
    share.refresh_from_db()
    assert report.failed == 1 and share.status == Share.Status.FAILED
    assert share.attempts == 1 and share.last_error
    assert _notices(world).filter(summary__contains=share.last_error).exists()


def test_a_revoked_token_fails_and_asks_to_reconnect(world, fake):
    share = _due_share(world, fake, "mastodon")
    fake.route("POST", STATUSES, Reply(401, {"error": "The access token was revoked"}))
    sharing.share_publish_due()
    share.refresh_from_db()
    assert share.status == Share.Status.FAILED
    account = ConnectedAccount.objects.get(user=world.ana, network="mastodon")
    assert account.status == ConnectedAccount.Status.NEEDS_RECONNECT
    # Trying again is refused until the account is reconnected.
    with pytest.raises(Exception, match="needs reconnecting"):
        sharing.share_retry(user=world.ana, share=share)


def test_a_failed_share_is_tried_again_with_the_same_key(world, fake, social):
    share = _due_share(world, fake, "mastodon")
    fake.route("POST", STATUSES, Reply(422, {"error": "Validation failed: Text too long"}))
    sharing.share_publish_due()
    share.refresh_from_db()
    assert share.status == Share.Status.FAILED
    fake.route("POST", STATUSES, social.mastodon_post)

    sharing.share_retry(user=world.ana, share=share)
    sharing.share_publish_due()

    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHED and share.last_error == ""
    assert list(social.statuses) == [str(share.idempotency_key)]


def test_an_item_made_internal_after_scheduling_is_not_posted(world, fake):
    share = _due_share(world, fake, "x")
    world.item.internal_only = True
    world.item.save()
    sharing.share_publish_due()
    share.refresh_from_db()
    assert share.status == Share.Status.FAILED and "internal only" in share.last_error
    assert not fake.sent("POST", TWEETS)


# ---------------------------------------------------------------- abandoned claims


def _abandoned(share: Share, claimed_at: datetime.datetime) -> None:
    """As a worker killed after its claim (and perhaps after posting) leaves a share."""
    Share.objects.filter(pk=share.pk).update(
        status=Share.Status.PUBLISHING, claimed_at=claimed_at, attempts=1
    )


def test_an_abandoned_mastodon_share_is_retried_with_the_same_key(world, fake, social):
    share = _due_share(world, fake, "mastodon")
    # The dead worker's request reached Mastodon before it died.
    social.mastodon_post(_recorded_post(share))
    claimed = timezone.now() - datetime.timedelta(minutes=2)
    _abandoned(share, claimed)
    # Within the lease nobody touches it.
    assert sharing.share_publish_due().published == 0
    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHING

    report = sharing.share_publish_due(now=claimed + datetime.timedelta(minutes=6))

    share.refresh_from_db()
    assert report.recovered == 1 and report.published == 1
    assert share.status == Share.Status.PUBLISHED and share.attempts == 2
    assert len(social.statuses) == 1  # one post, although asked twice
    assert share.remote_id == social.statuses[str(share.idempotency_key)]["id"]


def test_an_abandoned_bluesky_share_finds_its_first_record(world, fake, social):
    share = _due_share(world, fake, "bluesky")
    claimed = timezone.now() - datetime.timedelta(minutes=10)
    sharing.share_publish_due()  # posts it…
    share.refresh_from_db()
    first = share.remote_id
    _abandoned(share, claimed)  # …as if the worker died before recording that

    report = sharing.share_publish_due()

    share.refresh_from_db()
    assert report.recovered == 1 and share.status == Share.Status.PUBLISHED
    assert share.remote_id == first
    assert len(social.records) == 1


X_RECENT = "/2/users/42/tweets"


def test_an_abandoned_x_share_takes_the_post_the_dead_worker_made(world, fake):
    share = _due_share(world, fake, "x")
    fake.route("POST", TWEETS, Reply(201, TWEET))
    # The dead worker's post is on the account, carrying the share's own tracked link.
    fake.route(
        "GET",
        X_RECENT,
        Reply(
            200,
            {
                "data": [
                    {"id": "1", "text": "older", "entities": {"urls": []}},
                    {
                        "id": "1445880548472328192",
                        "text": "Lisbon https://t.co/x",
                        "entities": {"urls": [{"expanded_url": sharing.short_url(share)}]},
                    },
                ]
            },
        ),
    )
    _abandoned(share, timezone.now() - datetime.timedelta(minutes=10))

    report = sharing.share_publish_due()

    share.refresh_from_db()
    assert report.recovered == 1 and report.published == 1
    assert share.status == Share.Status.PUBLISHED
    assert share.remote_id == "1445880548472328192"
    assert not fake.sent("POST", TWEETS)  # never posted twice
    assert fake.sent("GET", X_RECENT)[0].query["max_results"] == ["10"]


def test_an_abandoned_x_share_that_never_reached_x_is_posted_once(world, fake):
    share = _due_share(world, fake, "x")
    fake.route("POST", TWEETS, Reply(201, TWEET))
    fake.route("GET", X_RECENT, Reply(200, {"meta": {"result_count": 0}}))
    _abandoned(share, timezone.now() - datetime.timedelta(minutes=10))

    report = sharing.share_publish_due()

    share.refresh_from_db()
    assert report.recovered == 1 and report.published == 1
    assert share.status == Share.Status.PUBLISHED and share.attempts == 2
    assert len(fake.sent("POST", TWEETS)) == 1
    assert not _notices(world).exists()


def test_a_first_attempt_does_not_look_for_an_earlier_post(world, fake):
    share = _due_share(world, fake, "x")
    fake.route("POST", TWEETS, Reply(201, TWEET))

    sharing.share_publish_due()

    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHED
    assert not fake.sent("GET", X_RECENT)


def test_a_late_answer_does_not_overwrite_a_recovered_share(world, fake, social):
    share = _due_share(world, fake, "mastodon")
    claimed = sharing._claim(share.pk, timezone.now())
    assert claimed is not None
    # The lease ran out and another worker recovered and published it meanwhile.
    later = timezone.now() + datetime.timedelta(minutes=6)
    sharing.share_publish_due(now=later)
    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHED
    # The first worker's outcome arrives late and is ignored.
    assert not sharing._settle(claimed, status=Share.Status.FAILED, last_error="late")
    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHED and share.last_error == ""


def _recorded_post(share: Share):
    from rallypoint.networks.testing import Recorded

    body = f'{{"status": "{sharing.posted_text(share)}"}}'.encode()
    return Recorded(
        method="POST",
        path=STATUSES,
        query={},
        headers={"idempotency-key": str(share.idempotency_key)},
        body=body,
    )
