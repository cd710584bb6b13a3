"""In Chromium: the bell's count follows new notifications live, without a reload."""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings as django_settings
from django.test import Client

from conftest import save_screenshot
from rallypoint.notify.models import Notification
from rallypoint.notify.services import notification_notify
from rallypoint.people.models import User

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

Kind = Notification.Kind
AXE = Axe()


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def session_cookies(user: User, url: str) -> list[dict[str, str]]:
    client = Client()
    client.force_login(user)
    name = django_settings.SESSION_COOKIE_NAME
    return [{"name": name, "value": client.cookies[name].value, "url": url}]


@pytest.mark.django_db(transaction=True)
def test_a_new_notification_updates_the_bell_live(browser, app_server_factory, redis_url, settings):
    from playwright.sync_api import expect

    ana = User.objects.create_user("ana@example.com", "x" * 12, display_name="Ana Lopez")
    ben = User.objects.create_user("ben@example.com", "x" * 12, display_name="Ben Okafor")
    cleo = User.objects.create_user("cleo@example.com", "x" * 12, display_name="Cleo Marsh")
    dan = User.objects.create_user("dan@example.com", "x" * 12, display_name="Dan Ito")
    # The server and this process publish through the same Redis channels.
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    server = app_server_factory(REDIS_URL=redis_url, REALTIME_BROKER="redis", CACHE_PREFIX=prefix)
    settings.REDIS_URL = redis_url
    settings.REALTIME_BROKER = "redis"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": prefix,
        }
    }

    def notify(actor: User | None, kind: str, summary: str, group_key: str | None = None) -> None:
        notification_notify(
            recipients=[ana],
            kind=kind,
            actor=actor,
            space=None,
            target=None,
            url="/spaces/",
            summary=summary,
            group_key=group_key,
        )

    notify(None, Kind.ANNOUNCEMENT, "Office closed on Friday for the summer party")
    Notification.objects.update(read_at="2026-01-01T00:00Z")
    notify(ben, Kind.MENTION, "mentioned you in “Q3 launch checklist”")

    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    context.add_cookies(session_cookies(ana, server.url))
    page = context.new_page()
    try:
        page.goto("/notifications/")
        expect(page.locator("#live-status")).to_have_attribute("data-state", "open")
        expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
        badge = page.locator("#notify-bell .notify-count")
        expect(badge).to_have_text("1")
        page.evaluate("window.notReloaded = true")

        for actor in (ben, cleo, dan):
            notify(actor, Kind.REACTION, "reacted to your post “Launch day”", "reaction:post:1")

        expect(page.get_by_role("link", name="Notifications, 2 unread")).to_be_visible()
        expect(badge).to_have_text("2")
        assert page.evaluate("window.notReloaded") is True

        page.reload()
        expect(page.get_by_text("Dan Ito and 2 others")).to_be_visible()
        expect(page.locator(".notification.unread")).to_have_count(2)
        for scheme in ("dark", "light"):
            page.emulate_media(color_scheme=scheme)
            assert serious_violations(page) == [], scheme
        save_screenshot(page, "notifications")

        page.get_by_role("button", name="Mark read mentioned you").click()
        expect(page.locator(".notification.unread")).to_have_count(1)
        expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()

        page.get_by_role("button", name="Mark all read").click()
        expect(page.locator(".notification.unread")).to_have_count(0)
        expect(badge).to_be_hidden()
        expect(page.get_by_role("link", name="Notifications, 0 unread")).to_be_visible()

        # Events missed while the stream was down are not replayed: after a reconnection
        # the bell asks for the count again.
        Notification.objects.create(recipient=ana, kind=Kind.REPLY, summary="replied to you")
        page.evaluate("document.dispatchEvent(new CustomEvent('rallypoint:reconnected'))")
        expect(badge).to_have_text("1")
        expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    finally:
        context.close()
