"""The share panel, the live check, my shares and the queue, as an employee uses them."""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.advocacy import sharing
from rallypoint.advocacy.models import Share, ShareMetric
from rallypoint.advocacy.tests.test_sharing_services import (
    PASSWORD,
    World,
    build_world,
    connect,
    publish_policy,
    started_fake,
)
from rallypoint.governance import services as governance
from rallypoint.governance.models import ComplianceRule
from rallypoint.links.models import Click
from rallypoint.networks.models import ConnectedAccount
from rallypoint.networks.testing import FakeNetwork, Reply

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def fake(fake_network, settings) -> FakeNetwork:
    return started_fake(fake_network, settings)


@pytest.fixture
def ana(client, world):
    client.login(email="ana@example.com", password=PASSWORD)
    return client


def _panel(client, world, **query):
    return client.get(reverse("advocacy_share", args=[world.item.pk]), query)


# ---------------------------------------------------------------- the panel


def test_the_panel_offers_every_network_with_its_suggested_text(ana, world):
    response = _panel(ana, world)
    page = response.content.decode()
    assert response.status_code == 200
    for label in (
        "LinkedIn",
        "X",
        "Facebook",
        "Mastodon",
        "Bluesky",
        "Instagram",
        "XING",
        "WhatsApp",
    ):
        assert f">{label}" in page
    assert "We are opening in Lisbon!</textarea>" in page
    assert "Big news: Lisbon.</textarea>" in page
    assert "Open X share page" in page
    assert "Copy text and link" in page
    assert 'href="/connections/"' in page
    assert "js/share-limits.js" in page and "js/share.js" in page
    assert "Post now with" not in page  # nothing connected


def test_a_connected_account_offers_post_now_and_schedule(ana, world, fake):
    connect(world.ana, "x", fake, handle="@ana_builds")
    page = _panel(ana, world, network="x").content.decode()
    assert "Post now with @ana_builds" in page
    assert 'type="datetime-local"' in page
    assert "Next suggested slot:" in page
    assert "(Europe/Berlin)" in page


def test_an_account_needing_reconnection_says_so(ana, world, fake):
    account = connect(world.ana, "mastodon", fake)
    ConnectedAccount.objects.filter(pk=account.pk).update(
        status=ConnectedAccount.Status.NEEDS_RECONNECT, status_reason="Token revoked."
    )
    page = _panel(ana, world).content.decode()
    assert "Your Mastodon account needs reconnecting" in page


def test_internal_only_items_have_no_share_buttons(ana, world):
    response = ana.get(reverse("advocacy_share", args=[world.internal.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "internal only" in page
    assert "share page" not in page and "Post now" not in page and "<textarea" not in page
    response = ana.post(
        reverse("advocacy_share", args=[world.internal.pk]),
        {"network": "x", "text": "Roadmap", "action": "intent"},
    )
    assert response.status_code == 400
    assert not Share.objects.exists()


def test_an_item_meant_for_others_answers_404(ana, world):
    assert ana.get(reverse("advocacy_share", args=[world.hidden.pk])).status_code == 404
    assert ana.get(reverse("advocacy_share", args=[99999])).status_code == 404


def test_before_the_policy_is_acknowledged_the_share_buttons_lead_to_it(ana, world):
    publish_policy(world)
    page = _panel(ana, world).content.decode()
    policy = f"/policy/?next=/library/{world.item.pk}/share/"
    assert f'href="{policy}"' in page
    assert "Open X share page" not in page
    response = ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "x", "text": "Lisbon", "action": "intent"},
    )
    assert response.status_code == 302 and response["Location"] == policy
    response = ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "x", "text": "Lisbon", "action": "intent"},
        **JSON,
    )
    assert response.status_code == 403 and response.json()["policy_url"] == policy
    assert not Share.objects.exists()


def test_the_panel_is_a_few_queries(ana, world, fake, django_assert_max_num_queries):
    connect(world.ana, "x", fake)
    connect(world.ana, "bluesky", fake)
    with django_assert_max_num_queries(10):
        assert _panel(ana, world).status_code == 200


# ---------------------------------------------------------------- sharing from the panel


def test_opening_a_share_page_records_the_share_and_answers_its_address(ana, world):
    response = ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "x", "text": "Lisbon!", "action": "intent"},
        **JSON,
    )
    assert response.status_code == 200
    share = Share.objects.get()
    assert share.status == Share.Status.OPENED and share.method == Share.Method.INTENT
    url = response.json()["intent_url"]
    assert url.startswith("https://twitter.com/intent/tweet?")
    assert parse_qs(urlsplit(url).query)["url"] == [sharing.short_url(share)]


def test_without_javascript_the_share_page_is_a_link_in_a_new_tab(ana, world):
    response = ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "linkedin", "text": "Lisbon!", "action": "intent"},
    )
    page = response.content.decode()
    share = Share.objects.get()
    assert 'target="_blank" rel="noopener noreferrer"' in page
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in page
    assert sharing.short_url(share).replace(":", "%3A").replace("/", "%2F") in page


def test_mastodon_share_page_asks_for_the_server_and_remembers_it(ana, world):
    url = reverse("advocacy_share", args=[world.item.pk])
    refused = ana.post(url, {"network": "mastodon", "text": "Hi", "action": "intent"}, **JSON)
    assert refused.status_code == 400 and "Mastodon server" in refused.json()["error"]
    response = ana.post(
        url,
        {"network": "mastodon", "text": "Hi", "action": "intent", "instance": "@ana@fosstodon.org"},
        **JSON,
    )
    assert response.json()["intent_url"].startswith("https://fosstodon.org/share?text=")
    again = ana.post(url, {"network": "mastodon", "text": "Again", "action": "intent"}, **JSON)
    assert again.json()["intent_url"].startswith("https://fosstodon.org/share?text=")


def test_copy_answers_the_text_with_the_link(ana, world):
    response = ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "whatsapp", "text": "Look at this", "action": "copy"},
        **JSON,
    )
    share = Share.objects.get()
    assert response.json()["text"] == f"Look at this #employee {sharing.short_url(share)}"


@pytest.mark.django_db(transaction=True)
def test_post_now_from_the_panel(client, fake):
    from rallypoint.advocacy.tests.test_sharing_services import FakeSocial

    world = build_world()
    social = FakeSocial(fake)
    client.login(email="ana@example.com", password=PASSWORD)
    connect(world.ana, "mastodon", fake)
    response = client.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "mastodon", "text": "Lisbon", "action": "now"},
        follow=True,
    )
    assert "Posted on Mastodon." in response.content.decode()
    assert Share.objects.get().status == Share.Status.PUBLISHED
    assert len(social.statuses) == 1


def test_scheduling_reads_the_time_on_the_employees_clock(ana, world, fake):
    connect(world.ana, "linkedin", fake)
    local = (timezone.now() + datetime.timedelta(days=2)).astimezone(
        sharing.zone_of("Europe/Berlin")
    )
    response = ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {
            "network": "linkedin",
            "text": "Lisbon",
            "action": "schedule",
            "scheduled_for": local.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("advocacy_queue")
    share = Share.objects.get()
    assert share.status == Share.Status.SCHEDULED
    assert share.scheduled_for == local.replace(second=0, microsecond=0)


def test_the_next_suggested_slot_button_schedules_it(ana, world, fake):
    connect(world.ana, "x", fake)
    ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "x", "text": "Lisbon", "action": "slot"},
    )
    share = Share.objects.get()
    assert share.scheduled_for is not None
    local = share.scheduled_for.astimezone(sharing.zone_of("Europe/Berlin"))
    assert share.status == Share.Status.SCHEDULED
    assert local.weekday() < 5 and (local.hour, local.minute) in {(9, 0), (12, 0), (17, 0)}


def test_a_blocked_text_is_shown_with_its_reason(ana, world):
    governance.compliance_rule_save(
        actor=world.ada,
        kind=ComplianceRule.Kind.BLOCKED_TERM,
        action=ComplianceRule.Action.BLOCK,
        value="confidential",
        message="Nothing confidential.",
    )
    response = ana.post(
        reverse("advocacy_share", args=[world.item.pk]),
        {"network": "x", "text": "Confidential numbers", "action": "intent"},
    )
    assert response.status_code == 400
    assert "Nothing confidential." in response.content.decode()
    assert not Share.objects.exists()


# ---------------------------------------------------------------- the live check


def test_the_live_check_answers_the_corrected_text_findings_and_length(ana, world):
    governance.compliance_rule_save(
        actor=world.ada, kind=ComplianceRule.Kind.PHONE, action=ComplianceRule.Action.WARN
    )
    response = ana.post(
        reverse("advocacy_share_check"),
        {"network": "x", "text": "Call +49 30 1234567", "item": world.item.pk},
    )
    result = response.json()
    assert response.status_code == 200
    assert result["text"] == "Call +49 30 1234567 #employee"
    assert result["blocked"] is False
    assert {f["action"] for f in result["findings"]} == {"warn", "added"}
    assert result["limit"] == 280
    assert result["length"] == len("Call +49 30 1234567 #employee") + 1 + 23
    long = ana.post(reverse("advocacy_share_check"), {"network": "x", "text": "a" * 300}).json()
    assert long["blocked"] is True
    assert any(f["action"] == "block" for f in long["findings"])


def test_the_live_check_refuses_unknown_networks_and_the_unacknowledged(ana, world):
    assert ana.post(reverse("advocacy_share_check"), {"network": "myspace"}).status_code == 400
    publish_policy(world)
    response = ana.post(reverse("advocacy_share_check"), {"network": "x", "text": "Hi"})
    assert response.status_code == 403 and response.json()["policy_url"].startswith("/policy/")
    assert ana.get(reverse("advocacy_share_check")).status_code == 405


# ---------------------------------------------------------------- my shares and the queue


def _shares(world: World, fake, count: int = 3) -> list[Share]:
    connect(world.ana, "x", fake)
    made = []
    for n in range(count):
        made.append(
            sharing.share_create(
                user=world.ana,
                item=world.item,
                network="linkedin",
                text=f"Lisbon {n}",
                method="intent",
            )
        )
        made.append(
            sharing.share_create(
                user=world.ana,
                item=world.item,
                network="x",
                text=f"Later {n}",
                method="api",
                scheduled_for=timezone.now() + datetime.timedelta(days=n + 1),
            )
        )
    return made


def test_my_shares_shows_clicks_visitors_and_engagement(ana, world, fake):
    opened, scheduled = _shares(world, fake, 1)
    assert opened.link is not None
    link = opened.link
    now = timezone.now()
    Click.objects.bulk_create(
        [
            Click(link=link, at=now, network="linkedin", visitor_hash="v1"),
            Click(link=link, at=now, network="linkedin", visitor_hash="v1"),
            Click(link=link, at=now, network="linkedin", visitor_hash="v2"),
            Click(
                link=link,
                at=now,
                network="linkedin",
                visitor_hash="b",
                is_bot=True,
                bot_name="LinkedInBot",
            ),
        ]
    )
    Share.objects.filter(pk=scheduled.pk).update(
        status=Share.Status.PUBLISHED, published_at=now, remote_id="1"
    )
    ShareMetric.objects.create(share=scheduled, fetched_at=now, likes=9, reposts=2)
    page = ana.get(reverse("advocacy_my_shares")).content.decode()
    row = page.split(f'data-share-row="{opened.pk}"')[1].split("</tr>")[0]
    assert "<td>3</td>" in row and "<td>2</td>" in row  # clicks, unique visitors; no bot
    assert "Engagement not available from LinkedIn" in row
    row = page.split(f'data-share-row="{scheduled.pk}"')[1].split("</tr>")[0]
    assert "9 likes" in row and "2 reposts" in row
    assert f"/r/{link.code}" in page


def test_my_shares_is_a_few_queries_whatever_the_number(
    ana, world, fake, django_assert_max_num_queries
):
    _shares(world, fake, 6)
    with django_assert_max_num_queries(7):
        assert ana.get(reverse("advocacy_my_shares")).status_code == 200
    with django_assert_max_num_queries(6):
        assert ana.get(reverse("advocacy_queue")).status_code == 200


def test_nobody_sees_or_changes_anothers_shares(client, world, fake):
    share = _shares(world, fake, 1)[1]
    client.login(email="ben@example.com", password=PASSWORD)
    assert share.text not in client.get(reverse("advocacy_queue")).content.decode()
    assert client.get(reverse("advocacy_share_edit", args=[share.pk])).status_code == 404
    assert client.post(reverse("advocacy_share_cancel", args=[share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.status == Share.Status.SCHEDULED


def test_the_queue_edits_and_cancels_scheduled_shares(ana, world, fake):
    share = _shares(world, fake, 1)[1]
    page = ana.get(reverse("advocacy_queue")).content.decode()
    assert f'data-share-queued="{share.pk}"' in page
    local = (timezone.now() + datetime.timedelta(days=4)).astimezone(
        sharing.zone_of("Europe/Berlin")
    )
    response = ana.post(
        reverse("advocacy_share_edit", args=[share.pk]),
        {"text": "Lisbon, edited", "scheduled_for": local.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.text == "Lisbon, edited #employee"
    assert share.scheduled_for == local.replace(second=0, microsecond=0)
    past = ana.post(
        reverse("advocacy_share_edit", args=[share.pk]),
        {"text": "Lisbon", "scheduled_for": "2020-01-01T10:00"},
    )
    assert past.status_code == 400 and "future" in past.content.decode()
    ana.post(reverse("advocacy_share_cancel", args=[share.pk]))
    share.refresh_from_db()
    assert share.status == Share.Status.CANCELLED
    assert (
        f'data-share-queued="{share.pk}"' not in ana.get(reverse("advocacy_queue")).content.decode()
    )


def test_a_failed_share_shows_its_reason_and_can_be_tried_again(ana, world, fake):
    share = _shares(world, fake, 1)[1]
    Share.objects.filter(pk=share.pk).update(
        status=Share.Status.FAILED, last_error="X did not accept this (error 403).", attempts=1
    )
    page = ana.get(reverse("advocacy_queue")).content.decode()
    failed = page.split(f'data-share-failed="{share.pk}"')[1]
    assert "X did not accept this (error 403)." in failed and "Try again" in failed
    response = ana.post(reverse("advocacy_share_retry", args=[share.pk]))
    assert response.status_code == 302
    share.refresh_from_db()
    assert share.status == Share.Status.SCHEDULED
    assert share.attempts == 0 and share.last_error == ""
    assert share.next_attempt_at is not None and share.next_attempt_at <= timezone.now()
    fake.route("POST", "/2/tweets", Reply(201, {"data": {"id": "77", "text": "Later 0"}}))
    assert sharing.share_publish_due().published == 1
    share.refresh_from_db()
    assert share.status == Share.Status.PUBLISHED and share.remote_id == "77"


def test_a_share_from_a_campaign_page_counts_for_that_campaign(ana, world):
    from rallypoint.advocacy.models import Campaign

    now = timezone.now()
    first, chosen = (
        Campaign.objects.create(
            name=name,
            slug=name.lower(),
            starts_at=now - datetime.timedelta(days=days),
            ends_at=now + datetime.timedelta(days=9),
        )
        for name, days in (("Spring", 3), ("Lisbon", 1))
    )
    for campaign in (first, chosen):
        campaign.items.add(world.item)
    page = _panel(ana, world, campaign="lisbon").content.decode()
    assert '<input type="hidden" name="campaign" value="lisbon">' in page
    url = reverse("advocacy_share", args=[world.item.pk])
    ana.post(url, {"network": "x", "text": "Hi", "action": "intent", "campaign": "lisbon"})
    assert Share.objects.get().campaign == chosen
    refused = ana.post(
        url, {"network": "x", "text": "Hi", "action": "intent", "campaign": "nope"}, **JSON
    )
    assert refused.status_code == 400 and "campaign" in refused.json()["error"]
