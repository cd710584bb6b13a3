"""The connections page, disconnecting, and the account services around them."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.networks import services
from rallypoint.networks.base import TokenSet
from rallypoint.networks.models import ConnectedAccount, MastodonApp
from rallypoint.networks.testing import FakeNetwork, Reply
from rallypoint.notify.models import Notification
from rallypoint.people.models import User

MASTODON_APP = {
    "id": "563419",
    "name": "Rallypoint",
    "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
    "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
}


@pytest.fixture
def people(db) -> dict[str, User]:
    return {
        name: User.objects.create_user(f"{name}@example.com", f"pw-{name}-1234", display_name=name)
        for name in ("ana", "bo")
    }


@pytest.fixture
def configured(settings) -> None:
    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = "li-client", "li-secret"
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "x-client", "x-secret"


def connect(user: User, network: str, handle: str, *, access: str = "tok-1", instance: str = ""):
    return services.account_connect(
        user=user,
        network=network,
        tokens=TokenSet(access_token=access, remote_id=f"id-{handle}", handle=handle),
        instance=instance,
    )


def test_the_page_shows_my_connections_and_never_anyone_elses(
    client, people, configured, django_assert_max_num_queries
):
    connect(people["ana"], "x", "ana_on_x")
    marked = connect(people["ana"], "mastodon", "@ana@social.example", instance="social.example")
    services.account_mark_needs_reconnect(account=marked, reason="The token was revoked.")
    connect(people["bo"], "linkedin", "Bo on LinkedIn")
    client.force_login(people["ana"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("networks_accounts"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "ana_on_x" in page and "@ana@social.example" in page
    assert "Needs reconnecting: The token was revoked." in page
    assert 'value="social.example"' in page  # Reconnect keeps the instance
    assert "Bo on LinkedIn" not in page
    assert page.count("stored encrypted") == 2
    assert "tok-1" not in page
    assert reverse("networks_disconnect", args=["x"]) in page
    assert reverse("networks_disconnect", args=["linkedin"]) not in page
    assert "app password" in page and "Facebook, Instagram, XING and WhatsApp" in page


def test_the_page_needs_sign_in(client, db):
    response = client.get(reverse("networks_accounts"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_disconnect_asks_then_deletes_only_my_connection(client, people):
    mine = connect(people["ana"], "x", "ana_on_x", access="ana-secret-token")
    theirs = connect(people["bo"], "x", "bo_on_x")
    client.force_login(people["ana"])
    url = reverse("networks_disconnect", args=["x"])
    confirm = client.get(url).content.decode()
    assert "Disconnect X?" in confirm and "ana_on_x" in confirm
    assert ConnectedAccount.objects.filter(pk=mine.pk).exists()
    response = client.post(url, follow=True)
    assert "Your X account is disconnected" in response.content.decode()
    assert not ConnectedAccount.objects.filter(pk=mine.pk).exists()
    assert ConnectedAccount.objects.filter(pk=theirs.pk).exists()
    entry = AuditEntry.objects.get(action="networks.account_disconnected")
    assert entry.actor == people["ana"] and "ana-secret-token" not in str(entry.details)
    assert client.post(url).status_code == 404
    assert client.get(reverse("networks_disconnect", args=["linkedin"])).status_code == 404
    assert client.post(reverse("networks_disconnect", args=["facebook"])).status_code == 404


def test_connect_keeps_one_row_per_network_and_audits_without_secrets(people):
    first = connect(people["ana"], "x", "old_handle", access="first-secret")
    second = connect(people["ana"], "x", "new_handle", access="second-secret")
    assert first.pk == second.pk and ConnectedAccount.objects.count() == 1
    assert ConnectedAccount.objects.get().access_token == "second-secret"
    entries = AuditEntry.objects.filter(action="networks.account_connected").order_by("pk")
    assert [e.details["reconnected"] for e in entries] == [False, True]
    assert entries[1].details["account_changed"] is True
    assert "secret" not in str(list(entries.values()))


def test_connect_refuses_what_cannot_be_connected(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        connect(people["ana"], "facebook", "ana")
    with pytest.raises(ValidationError):
        services.account_connect(user=people["ana"], network="x", tokens=TokenSet(access_token="t"))
    assert not ConnectedAccount.objects.exists()


def test_needs_reconnect_notifies_once_per_change(people, django_capture_on_commit_callbacks):
    ana = people["ana"]
    account = connect(ana, "bluesky", "ana.bsky.social")
    with django_capture_on_commit_callbacks(execute=True):
        services.account_mark_needs_reconnect(account=account, reason="Session expired.")
        services.account_mark_needs_reconnect(account=account, reason="Session expired again.")
    notices = Notification.objects.filter(recipient=ana, kind=Notification.Kind.ADVOCACY)
    assert list(notices.values_list("summary", flat=True)) == [
        "Your Bluesky connection needs reconnecting: Session expired."
    ]
    assert ConnectedAccount.objects.get().status_reason == "Session expired again."
    connect(ana, "bluesky", "ana.bsky.social")
    with django_capture_on_commit_callbacks(execute=True):
        services.account_mark_needs_reconnect(
            account=ConnectedAccount.objects.get(), reason="Revoked."
        )
    assert notices.count() == 2


@pytest.fixture
def mastodon(fake_network, settings) -> FakeNetwork:
    settings.MASTODON_INSECURE_HTTP = True
    return fake_network()


def test_mastodon_app_is_registered_again_when_the_callback_changes(mastodon, db):
    mastodon.route("POST", "/api/v1/apps", Reply(200, MASTODON_APP))
    first = services.mastodon_app_for(instance=mastodon.host, redirect_uri="https://a.example/cb/")
    same = services.mastodon_app_for(instance=mastodon.host, redirect_uri="https://a.example/cb/")
    assert first.pk == same.pk and len(mastodon.sent("POST", "/api/v1/apps")) == 1
    moved = services.mastodon_app_for(instance=mastodon.host, redirect_uri="https://b.example/cb/")
    assert moved.pk == first.pk and moved.redirect_uri == "https://b.example/cb/"
    assert len(mastodon.sent("POST", "/api/v1/apps")) == 2
    assert MastodonApp.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_connections_to_an_instance_end_with_one_application(mastodon):
    answers = iter(
        [
            Reply(200, {**MASTODON_APP, "client_id": "first"}, delay=0.3),
            Reply(200, {**MASTODON_APP, "client_id": "second"}, delay=0.3),
        ]
    )
    lock = threading.Lock()

    def register(_request):
        with lock:
            return next(answers)

    mastodon.route("POST", "/api/v1/apps", register)
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = services.mastodon_app_for(
                instance=mastodon.host, redirect_uri="https://a.example/cb/"
            ).client_id
        except Exception as error:  # reported by the assertion below
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    app = MastodonApp.objects.get()
    assert results == [app.client_id, app.client_id], results


@pytest.mark.browser
@pytest.mark.timeout(120)
def test_connections_page_in_a_browser(page, transactional_db):
    from playwright.sync_api import expect

    from conftest import save_screenshot, sign_in
    from rallypoint.notify.tests.test_browser import serious_violations

    ana = User.objects.create_user("ana@example.com", "pw-ana-browser", display_name="Ana")
    marked = connect(ana, "x", "ana_on_x")
    services.account_mark_needs_reconnect(
        account=marked, reason="X no longer accepts Rallypoint's access to your account."
    )
    connect(ana, "mastodon", "@ana@social.example", instance="social.example")
    sign_in(page, "ana@example.com", "pw-ana-browser")
    page.goto(reverse("networks_accounts"))
    x_block = page.locator("#network-x")
    expect(x_block).to_contain_text("Needs reconnecting: X no longer accepts")
    expect(page.locator("#network-mastodon")).to_contain_text("@ana@social.example")
    expect(page.get_by_label("App password")).to_have_attribute("type", "password")
    assert serious_violations(page) == []
    save_screenshot(page, "connected-accounts")
    page.locator("#network-mastodon").get_by_role("link", name="Disconnect").click()
    page.get_by_role("button", name="Disconnect").click()
    expect(page.locator(".messages")).to_contain_text("Your Mastodon account is disconnected")
    assert not ConnectedAccount.objects.filter(network="mastodon").exists()
