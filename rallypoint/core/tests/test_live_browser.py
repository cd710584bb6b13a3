"""In Chromium: the live status, toasts from events, and reconnecting after a restart."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from conftest import ROOT, child_env, free_port, save_screenshot
from rallypoint.core.audit import audit_record
from rallypoint.people.models import User

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]

PUBLISHER = """
import sys, django
django.setup()
from rallypoint.core.realtime import publish_to_user
publish_to_user(int(sys.argv[1]), "toast", {"message": sys.argv[2]})
"""


def publish_toast(env: dict[str, str], user_id: int, message: str) -> None:
    subprocess.run(
        [sys.executable, "-c", PUBLISHER, str(user_id), message],
        env=child_env(**env),
        cwd=ROOT,
        check=True,
        timeout=60,
    )


@pytest.mark.django_db(transaction=True)
def test_toast_arrives_after_the_server_restarts(
    browser, app_server_factory, redis_url, session_cookie
):
    from playwright.sync_api import expect

    admin = User.objects.create_user(
        "ops@example.com", "x" * 12, display_name="Ops", role=User.Role.ADMINISTRATOR
    )
    audit_record(action="people.invited", actor=admin, target=admin)
    redis_env = {
        "REDIS_URL": redis_url,
        "REALTIME_BROKER": "redis",
        "CACHE_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
    }
    server = app_server_factory(port=free_port(), **redis_env)
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {"name": name, "value": value, "url": server.url}
            for name, value in session_cookie(admin).items()
        ]
    )
    page = context.new_page()
    try:
        page.goto("/admin-tools/audit/")
        status = page.locator("#live-status")
        expect(status).to_have_attribute("data-state", "open")
        expect(status.locator(".visually-hidden")).to_have_text("Live updates on")

        server.stop()
        expect(status).to_have_attribute("data-state", "error")
        server.start()
        expect(status).to_have_attribute("data-state", "open")

        page.evaluate("""() => {
            window.seen = [];
            document.addEventListener("rallypoint:toast", (e) => window.seen.push(e.detail));
        }""")
        publish_toast(redis_env, admin.pk, "Back again <b>bold?</b>")

        toast = page.locator("#toasts .toast")
        expect(toast).to_have_text("Back again <b>bold?</b>")
        assert toast.locator("b").count() == 0
        assert page.evaluate("window.seen") == [{"message": "Back again <b>bold?</b>"}]
        save_screenshot(page, "audit-log")
    finally:
        context.close()
