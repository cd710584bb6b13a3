"""Sharing an item: the policy gate, the compliance check, internal-only items, the tracked
link and campaign, share pages, copying, posting now and later, and the queue's edits.

The helpers here (``build_world``, ``connect``, ``fake_social``) are used by the other
sharing tests too."""

from __future__ import annotations

import datetime
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from rallypoint.advocacy import sharing
from rallypoint.advocacy.models import Campaign, ContentItem, Share
from rallypoint.governance import services as governance
from rallypoint.governance.models import ComplianceRule
from rallypoint.links.models import TrackedLink
from rallypoint.networks import services as network_services
from rallypoint.networks.base import TokenSet
from rallypoint.networks.models import ConnectedAccount
from rallypoint.networks.testing import FakeNetwork, Recorded, Reply
from rallypoint.people.models import Department, User

UTC = datetime.UTC
PASSWORD = "sharing-test-password"


# ---------------------------------------------------------------- the world


@dataclass
class World:
    ana: User
    ben: User
    ada: User
    item: ContentItem
    internal: ContentItem
    hidden: ContentItem
    people: dict[str, User] = field(default_factory=dict)


def build_world() -> World:
    """ana and ben: employees (ana in Engineering, Berlin time); ada: administrator;
    ``item``: a link for everyone; ``internal``: internal only; ``hidden``: meant for
    Sales only."""
    eng = Department.objects.create(name="Engineering", slug="engineering")
    sales = Department.objects.create(name="Sales", slug="sales")
    ana = User.objects.create_user(
        "ana@example.com",
        PASSWORD,
        display_name="Ana Advocate",
        department=eng,
        time_zone="Europe/Berlin",
    )
    ben = User.objects.create_user("ben@example.com", PASSWORD, display_name="Ben", department=eng)
    ada = User.objects.create_user(
        "ada@example.com", PASSWORD, display_name="Ada Admin", role=User.Role.ADMINISTRATOR
    )
    now = timezone.now()
    item = ContentItem.objects.create(
        title="Northwind opens a new office",
        description="The Lisbon office opens in May.",
        url="https://northwind.example/news/lisbon",
        site_name="Northwind",
        published_at=now,
        suggested_texts={"x": "We are opening in Lisbon!", "linkedin": "Big news: Lisbon."},
        created_by=ada,
    )
    internal = ContentItem.objects.create(
        title="Internal roadmap",
        url="https://intranet.northwind.example/roadmap",
        published_at=now,
        internal_only=True,
        created_by=ada,
    )
    hidden = ContentItem.objects.create(
        title="Sales kick-off",
        url="https://northwind.example/sales",
        published_at=now,
        audience_everyone=False,
        created_by=ada,
    )
    hidden.departments.add(sales)
    return World(ana=ana, ben=ben, ada=ada, item=item, internal=internal, hidden=hidden)


@pytest.fixture
def world(db) -> World:
    return build_world()


def publish_policy(world: World) -> Any:
    version = governance.policy_version_save(
        actor=world.ada, title="Social media policy", body="Be **kind**.", summary="First"
    )
    return governance.policy_version_publish(actor=world.ada, version=version)


def connect(
    user: User, network: str, fake: FakeNetwork, *, scopes: str = "", handle: str = ""
) -> ConnectedAccount:
    """Connect ``user``'s account on ``network`` to the fake network."""
    instance = {"mastodon": fake.host, "bluesky": fake.base_url}.get(network, "")
    remote = {"bluesky": "did:plc:ana", "linkedin": "urn:li:person:ana"}.get(network, "42")
    return network_services.account_connect(
        user=user,
        network=network,
        instance=instance,
        tokens=TokenSet(
            access_token=f"{network}-token",
            refresh_token="",
            expires_at=None,
            scopes=scopes,
            remote_id=remote,
            handle=handle or f"ana@{network}",
        ),
    )


def point_networks_at(settings: Any, fake: FakeNetwork) -> None:
    settings.X_API_URL = settings.X_AUTH_URL = fake.base_url
    settings.BLUESKY_PDS_URL = settings.BLUESKY_APPVIEW_URL = fake.base_url
    settings.LINKEDIN_API_URL = settings.LINKEDIN_AUTH_URL = fake.base_url
    settings.MASTODON_INSECURE_HTTP = True


class FakeSocial:
    """The posting side of Mastodon and Bluesky as their documentation describes it:
    Mastodon gives back the first post for a repeated ``Idempotency-Key``; a Bluesky PDS
    refuses a second record at a taken key, which ``getRecord`` then finds."""

    def __init__(self, fake: FakeNetwork) -> None:
        self.fake = fake
        self.lock = threading.Lock()
        self.statuses: dict[str, dict[str, Any]] = {}  # Idempotency-Key → status
        self.records: dict[str, dict[str, Any]] = {}  # rkey → record
        self.ids = itertools.count(109_000_000_000_000_001)
        fake.route("POST", "/api/v1/statuses", self.mastodon_post)
        fake.route("POST", "/xrpc/com.atproto.repo.createRecord", self.bluesky_create)
        fake.route("GET", "/xrpc/com.atproto.repo.getRecord", self.bluesky_get)

    def mastodon_post(self, request: Recorded) -> Reply:
        key = request.header("Idempotency-Key")
        with self.lock:
            status = self.statuses.get(key) if key else None
            if status is None:
                number = str(next(self.ids))
                status = {
                    "id": number,
                    "url": f"https://{self.fake.host}/@ana/{number}",
                    "content": request.json()["status"],
                }
                self.statuses[key or number] = status
        return Reply(200, status)

    def bluesky_create(self, request: Recorded) -> Reply:
        body = request.json()
        rkey = body.get("rkey") or str(next(self.ids))
        with self.lock:
            if rkey in self.records:
                return Reply(400, {"error": "InvalidRequest", "message": "Record already exists"})
            uri = f"at://{body['repo']}/app.bsky.feed.post/{rkey}"
            self.records[rkey] = {"uri": uri, "cid": "bafyrei" + rkey, "value": body["record"]}
        return Reply(200, {"uri": uri, "cid": "bafyrei" + rkey})

    def bluesky_get(self, request: Recorded) -> Reply:
        rkey = request.query.get("rkey", [""])[0]
        with self.lock:
            record = self.records.get(rkey)
        if record is None:
            return Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"})
        return Reply(200, record)

    @property
    def posts(self) -> int:
        return len(self.statuses) + len(self.records)


def started_fake(fake_network: Any, settings: Any) -> FakeNetwork:
    """A fake network that every connector's settings point at."""
    network = fake_network()
    point_networks_at(settings, network)
    return network


@pytest.fixture
def fake(fake_network, settings) -> FakeNetwork:
    return started_fake(fake_network, settings)


@pytest.fixture
def social(fake) -> FakeSocial:
    return FakeSocial(fake)


# ---------------------------------------------------------------- share pages and copying


def test_an_intent_share_is_opened_with_a_tracked_link_and_the_disclosure(world):
    share = sharing.share_create(
        user=world.ana,
        item=world.item,
        network="x",
        text="We are opening in Lisbon!",
        method="intent",
    )

    assert share.status == Share.Status.OPENED
    assert share.method == Share.Method.INTENT
    assert share.text == "We are opening in Lisbon! #employee"
    assert share.link is not None
    link = TrackedLink.objects.get(pk=share.link.pk)
    assert link.user_id == world.ana.pk and link.network == "x"
    query = parse_qs(urlsplit(link.destination).query)
    assert query["utm_source"] == ["x"]
    assert query["utm_medium"] == ["employee_advocacy"]
    assert query["utm_campaign"] == ["library"]
    short = sharing.short_url(share)
    assert short.endswith(f"/r/{link.code}")
    url = sharing.share_intent_url(share=share)
    assert url is not None and url.startswith("https://twitter.com/intent/tweet?")
    params = parse_qs(urlsplit(url).query)
    assert params["url"] == [short]
    assert params["text"] == ["We are opening in Lisbon! #employee"]
    assert sharing.posted_text(share) == f"We are opening in Lisbon! #employee {short}"


def test_a_mastodon_share_page_is_on_the_employees_own_server(world):
    share = sharing.share_create(
        user=world.ana, item=world.item, network="mastodon", text="Lisbon!", method="intent"
    )
    url = sharing.share_intent_url(share=share, instance="mastodon.social")
    assert url is not None and url.startswith("https://mastodon.social/share?text=")
    assert sharing.short_url(share) in parse_qs(urlsplit(url).query)["text"][0]
    with pytest.raises(ValidationError):
        sharing.clean_instance("http://mastodon.social/@ana/path")


def test_copy_networks_give_text_and_link_and_have_no_share_page(world):
    share = sharing.share_create(
        user=world.ana, item=world.item, network="instagram", text="Lisbon", method="copy"
    )
    assert share.status == Share.Status.OPENED
    assert sharing.posted_text(share).endswith(sharing.short_url(share))
    assert sharing.share_intent_url(share=share) is None
    with pytest.raises(ValidationError, match="no share page"):
        sharing.share_create(
            user=world.ana, item=world.item, network="whatsapp", text="x", method="intent"
        )


# ---------------------------------------------------------------- refusals


def test_internal_only_items_are_never_shared(world):
    with pytest.raises(ValidationError, match="internal only"):
        sharing.share_create(
            user=world.ana, item=world.internal, network="x", text="Roadmap", method="intent"
        )
    assert not Share.objects.exists()
    assert not TrackedLink.objects.exists()


def test_an_item_the_employee_cannot_see_answers_404(world):
    with pytest.raises(Http404):
        sharing.share_create(
            user=world.ana, item=world.hidden, network="x", text="Sales", method="intent"
        )
    assert not Share.objects.exists()


def test_a_blocked_text_is_refused_with_the_rules_reason(world):
    governance.compliance_rule_save(
        actor=world.ada,
        kind=ComplianceRule.Kind.BLOCKED_TERM,
        action=ComplianceRule.Action.BLOCK,
        value="guaranteed returns",
        message="Never promise returns.",
    )
    with pytest.raises(ValidationError) as refused:
        sharing.share_create(
            user=world.ana,
            item=world.item,
            network="linkedin",
            text="Guaranteed returns in Lisbon",
            method="intent",
        )
    assert "Never promise returns." in " ".join(refused.value.messages)
    assert not Share.objects.exists() and not TrackedLink.objects.exists()


def test_personal_data_warns_but_the_share_goes_through(world):
    governance.compliance_rule_save(
        actor=world.ada, kind=ComplianceRule.Kind.EMAIL, action=ComplianceRule.Action.WARN
    )
    check = sharing.share_check(
        user=world.ana, item=world.item, network="x", text="Write to ana@northwind.example"
    )
    assert not check.blocked
    assert {f["action"] for f in check.findings} == {"warn", "added"}
    assert check.text.endswith("#employee")
    assert check.limit == 280


def test_a_text_over_the_limit_is_refused(world):
    with pytest.raises(ValidationError, match="over the limit"):
        sharing.share_create(
            user=world.ana, item=world.item, network="x", text="a" * 280, method="intent"
        )


def test_sharing_waits_for_the_policy_to_be_acknowledged(world):
    # No policy was ever published: sharing is allowed.
    sharing.share_check(user=world.ana, item=world.item, network="x", text="Lisbon")
    version = publish_policy(world)
    with pytest.raises(sharing.PolicyNotAcknowledged) as refused:
        sharing.share_create(
            user=world.ana, item=world.item, network="x", text="Lisbon", method="intent"
        )
    expected = f"/policy/?next=/library/{world.item.pk}/share/"
    assert refused.value.policy_url == expected
    assert expected in str(refused.value)
    with pytest.raises(sharing.PolicyNotAcknowledged):
        sharing.share_check(user=world.ana, item=world.item, network="x", text="Lisbon")
    governance.policy_acknowledge(user=world.ana, version=version)
    share = sharing.share_create(
        user=world.ana, item=world.item, network="x", text="Lisbon", method="intent"
    )
    assert share.status == Share.Status.OPENED


def test_posting_needs_a_connected_account(world):
    with pytest.raises(ValidationError, match="Connect your X account"):
        sharing.share_create(
            user=world.ana, item=world.item, network="x", text="Lisbon", method="api"
        )
    with pytest.raises(ValidationError, match="cannot post to Facebook"):
        sharing.share_create(
            user=world.ana, item=world.item, network="facebook", text="Lisbon", method="api"
        )


# ---------------------------------------------------------------- campaigns


def test_a_share_counts_for_the_active_campaign_holding_the_item(world):
    now = timezone.now()
    over = Campaign.objects.create(
        name="Old",
        slug="old",
        starts_at=now - datetime.timedelta(days=9),
        ends_at=now - datetime.timedelta(days=2),
    )
    spring = Campaign.objects.create(
        name="Spring",
        slug="spring-launch",
        starts_at=now - datetime.timedelta(days=1),
        ends_at=now + datetime.timedelta(days=9),
    )
    for campaign in (over, spring):
        campaign.items.add(world.item)

    share = sharing.share_create(
        user=world.ana, item=world.item, network="linkedin", text="Lisbon", method="intent"
    )

    assert share.campaign_id == spring.pk
    assert share.link is not None
    destination = TrackedLink.objects.get(pk=share.link.pk).destination
    assert parse_qs(urlsplit(destination).query)["utm_campaign"] == ["spring-launch"]
    with pytest.raises(ValidationError, match="campaign"):
        sharing.share_create(
            user=world.ana,
            item=world.item,
            network="x",
            text="Lisbon",
            method="intent",
            campaign=over,
        )


# ---------------------------------------------------------------- posting now and later


@pytest.mark.django_db(transaction=True)
def test_post_now_publishes_through_the_connected_account_once(world, social, fake):
    account = connect(world.ana, "mastodon", fake)

    share = sharing.share_create(
        user=world.ana, item=world.item, network="mastodon", text="Lisbon!", method="api"
    )

    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHED, share.last_error
    assert share.account_id == account.pk
    assert share.attempts == 1
    [sent] = fake.sent("POST", "/api/v1/statuses")
    assert sent.header("Idempotency-Key") == str(share.idempotency_key)
    assert sent.header("Authorization") == "Bearer mastodon-token"
    assert sent.json()["status"] == f"Lisbon! #employee {sharing.short_url(share)}"
    assert share.remote_id == social.statuses[str(share.idempotency_key)]["id"]
    assert share.remote_url.endswith(share.remote_id)
    # The periodic job finds nothing left to do.
    assert sharing.share_publish_due().published == 0
    assert len(fake.sent("POST", "/api/v1/statuses")) == 1


def test_a_scheduled_share_waits_for_its_time(world, social, fake, settings):
    connect(world.ana, "bluesky", fake)
    later = timezone.now() + datetime.timedelta(hours=3)

    share = sharing.share_create(
        user=world.ana,
        item=world.item,
        network="bluesky",
        text="Lisbon",
        method="api",
        scheduled_for=later,
    )

    assert share.status == Share.Status.SCHEDULED and share.scheduled_for == later
    assert sharing.share_publish_due().published == 0
    assert social.posts == 0
    report = sharing.share_publish_due(now=later + datetime.timedelta(seconds=1))
    assert report.published == 1
    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHED
    [record] = social.records.values()
    assert record["value"]["embed"]["external"]["uri"] == sharing.short_url(share)
    assert record["value"]["embed"]["external"]["title"] == world.item.title


def test_a_time_in_the_past_is_refused(world, fake):
    connect(world.ana, "x", fake)
    with pytest.raises(ValidationError, match="future"):
        sharing.share_create(
            user=world.ana,
            item=world.item,
            network="x",
            text="Lisbon",
            method="api",
            scheduled_for=timezone.now() - datetime.timedelta(minutes=1),
        )


# ---------------------------------------------------------------- the queue


def _scheduled(world: World, fake: FakeNetwork, network: str = "x") -> Share:
    connect(world.ana, network, fake)
    return sharing.share_create(
        user=world.ana,
        item=world.item,
        network=network,
        text="Lisbon",
        method="api",
        scheduled_for=timezone.now() + datetime.timedelta(days=1),
    )


def test_a_scheduled_share_is_edited_and_checked_again(world, fake):
    share = _scheduled(world, fake)
    governance.compliance_rule_save(
        actor=world.ada,
        kind=ComplianceRule.Kind.BLOCKED_TERM,
        action=ComplianceRule.Action.BLOCK,
        value="secret",
        message="No secrets.",
    )
    with pytest.raises(ValidationError, match="No secrets"):
        sharing.share_reschedule(user=world.ana, share=share, text="A secret plan")
    when = timezone.now() + datetime.timedelta(days=2)
    changed = sharing.share_reschedule(
        user=world.ana, share=share, text="Lisbon, really", scheduled_for=when
    )
    share.refresh_from_db()
    assert share.text == changed.text == "Lisbon, really #employee"
    assert share.scheduled_for == share.next_attempt_at == when
    with pytest.raises(ValidationError):
        sharing.share_reschedule(user=world.ben, share=share, text="Mine now")


def test_a_scheduled_share_is_cancelled_and_stays_cancelled(world, fake):
    share = _scheduled(world, fake)
    sharing.share_cancel(user=world.ana, share=share)
    share.refresh_from_db()
    assert share.status == Share.Status.CANCELLED
    assert sharing.share_publish_due(now=timezone.now() + datetime.timedelta(days=3)).published == 0
    with pytest.raises(ValidationError, match="no longer waiting"):
        sharing.share_reschedule(user=world.ana, share=share, text="Back")


# ---------------------------------------------------------------- suggested times


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("network", "now", "expected"),
    [
        # Monday 10:00 in Berlin: LinkedIn's next slot is Tuesday 08:00 Berlin.
        ("linkedin", "2026-03-02T09:00:00+00:00", "2026-03-03T08:00:00+01:00"),
        # Tuesday 07:59 Berlin is too close to 08:00: the next one is 12:00.
        ("linkedin", "2026-03-03T06:59:00+00:00", "2026-03-03T12:00:00+01:00"),
        # Thursday afternoon: next Tuesday.
        ("linkedin", "2026-03-05T15:00:00+00:00", "2026-03-10T08:00:00+01:00"),
        # Friday 18:00 Berlin: X's next slot is Monday 09:00.
        ("x", "2026-03-06T17:00:00+00:00", "2026-03-09T09:00:00+01:00"),
        ("mastodon", "2026-03-02T10:00:00+00:00", "2026-03-02T15:00:00+01:00"),
        # Across the change to summer time (29 March 2026 in Berlin).
        ("bluesky", "2026-03-27T16:00:00+00:00", "2026-03-30T10:00:00+02:00"),
    ],
)
def test_the_next_suggested_slot_is_on_the_employees_clock(network, now, expected):
    slot = sharing.next_suggested_slot(network, _at(now), "Europe/Berlin")
    assert slot == _at(expected)
    assert slot.tzinfo == UTC
    assert slot > _at(now)


def test_the_next_suggested_slot_follows_the_time_zone():
    now = _at("2026-03-03T06:00:00+00:00")  # Tuesday: 07:00 Berlin, 01:00 New York
    assert sharing.next_suggested_slot("linkedin", now, "America/New_York") == _at(
        "2026-03-03T08:00:00-05:00"
    )
    assert sharing.next_suggested_slot("linkedin", now, "Not/AZone") == _at(
        "2026-03-03T08:00:00+00:00"
    )
