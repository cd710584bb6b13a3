"""The redirect of /r/<code>: through Django's view and through the ASGI fast path."""

from __future__ import annotations

import asyncio
import datetime
import logging

import httpx
import pytest

from rallypoint.config.asgi import application
from rallypoint.links import views
from rallypoint.links.buffer import CLICKS
from rallypoint.links.capture import SALTS, visitor_hash
from rallypoint.links.models import Click, VisitorSalt
from rallypoint.links.selectors import ClickCounts, clicks_for_links
from rallypoint.links.services import tracked_link_create
from rallypoint.links.tests.conftest import BROWSER, CARDYB, LINKEDIN_BOT, PHONE
from rallypoint.people.models import User

VISITOR = "203.0.113.77"
DESTINATION = "https://example.com/news?utm_source=linkedin"


@pytest.fixture
def link(db):
    ada = User.objects.create_user("ada@example.com", "a-long-password", display_name="Ada")
    return tracked_link_create(user=ada, network="linkedin", destination="https://example.com/news")


def stored_values() -> list[str]:
    return [str(value) for row in Click.objects.values_list() for value in row]


def assert_redirect_headers(headers) -> None:
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


# ---------------------------------------------------------------- the Django view


def test_a_click_redirects_with_utm_parameters_and_is_stored(client, link):
    response = client.get(
        f"/r/{link.code}",
        headers={
            "User-Agent": BROWSER,
            "Referer": "https://www.linkedin.com/feed/update/urn:li:activity:7?trk=feed",
        },
        REMOTE_ADDR=VISITOR,
    )

    assert response.status_code == 302
    assert response["Location"] == link.destination
    assert "utm_medium=employee_advocacy" in response["Location"]
    assert_redirect_headers(response.headers)
    click = Click.objects.get()
    assert click.link == link
    assert click.network == "linkedin"
    assert click.referrer_host == "www.linkedin.com"
    assert click.device_class == "desktop"
    assert click.is_bot is False
    assert click.bot_name == ""
    assert len(click.visitor_hash) == 64
    assert abs(click.at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_the_same_visitor_has_the_same_hash_that_day_and_another_visitor_another(client, link):
    for user_agent, address in ((BROWSER, VISITOR), (BROWSER, VISITOR), (PHONE, VISITOR),
                                (BROWSER, "198.51.100.4")):  # fmt: skip
        client.get(f"/r/{link.code}", headers={"User-Agent": user_agent}, REMOTE_ADDR=address)

    hashes = list(Click.objects.order_by("pk").values_list("visitor_hash", flat=True))
    assert hashes[0] == hashes[1]
    assert len(set(hashes)) == 3
    assert clicks_for_links([link.pk]) == {link.pk: ClickCounts(4, 3, 0)}


def test_no_address_is_stored_or_logged(client, link, caplog, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    caplog.set_level(logging.DEBUG)

    client.get(f"/r/{link.code}", headers={"User-Agent": BROWSER}, REMOTE_ADDR=VISITOR)
    client.get(
        f"/r/{link.code}",
        headers={"User-Agent": PHONE, "X-Forwarded-For": f"192.0.2.1, {VISITOR}"},
        REMOTE_ADDR="10.1.2.3",
    )

    values = stored_values()
    assert Click.objects.count() == 2
    for address in (VISITOR, "192.0.2.1", "10.1.2.3"):
        assert not any(address in value for value in values)
        assert address not in caplog.text


def test_a_trusted_proxy_names_the_visitor_in_x_forwarded_for(client, link, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    forwarded = {"User-Agent": BROWSER, "X-Forwarded-For": f"192.0.2.1, {VISITOR}"}

    client.get(f"/r/{link.code}", headers=forwarded, REMOTE_ADDR="10.1.2.3")
    client.get(f"/r/{link.code}", headers=forwarded, REMOTE_ADDR="198.51.100.9")

    salt = SALTS.get(datetime.datetime.now(datetime.UTC).date())
    behind_proxy, direct = Click.objects.order_by("pk").values_list("visitor_hash", flat=True)
    # The last hop, as the proxy saw it; the first is whatever the client claimed.
    assert behind_proxy == visitor_hash(salt=salt, ip=VISITOR, user_agent=BROWSER)
    # Anyone else's X-Forwarded-For is ignored.
    assert direct == visitor_hash(salt=salt, ip="198.51.100.9", user_agent=BROWSER)


@pytest.mark.parametrize(
    ("user_agent", "bot_name"), [(LINKEDIN_BOT, "LinkedInBot"), (CARDYB, "Bluesky Cardyb")]
)
def test_preview_bots_are_stored_as_bots_and_never_counted(client, link, user_agent, bot_name):
    response = client.get(f"/r/{link.code}", headers={"User-Agent": user_agent})

    assert response.status_code == 302
    click = Click.objects.get()
    assert (click.is_bot, click.bot_name, click.device_class) == (True, bot_name, "bot")
    assert clicks_for_links([link.pk]) == {link.pk: ClickCounts(0, 0, 1)}


def test_a_head_request_redirects_and_counts_as_a_bot(client, link):
    response = client.head(f"/r/{link.code}", headers={"User-Agent": BROWSER})

    assert response.status_code == 302
    assert response["Location"] == link.destination
    assert response.content == b""
    assert Click.objects.get().bot_name == "HEAD request"


def test_an_unknown_code_is_a_small_404_and_is_remembered(client, db, django_assert_num_queries):
    response = client.get("/r/Unknown1234", headers={"User-Agent": BROWSER})

    assert response.status_code == 404
    assert b"Link not found" in response.content
    assert len(response.content) < 400
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    with django_assert_num_queries(0):
        assert client.get("/r/Unknown1234").status_code == 404
    assert not Click.objects.exists()


def test_other_methods_are_refused(client, link):
    assert client.post(f"/r/{link.code}").status_code == 405
    assert not Click.objects.exists()


def test_a_known_link_is_looked_up_once(client, link, django_assert_max_num_queries):
    client.get(f"/r/{link.code}", headers={"User-Agent": BROWSER})

    # The insert of the click (in a savepoint), nothing else.
    with django_assert_max_num_queries(3):
        client.get(f"/r/{link.code}", headers={"User-Agent": BROWSER})
    assert Click.objects.count() == 2


def test_the_visitor_hash_changes_with_the_day_and_old_salts_are_forgotten(
    client, link, monkeypatch
):
    from rallypoint.links.services import visitor_salts_prune

    day_one = datetime.datetime(2026, 5, 4, 23, 59, tzinfo=datetime.UTC)
    day_two = day_one + datetime.timedelta(minutes=2)
    for moment in (day_one, day_two):
        monkeypatch.setattr(views, "utc_now", lambda moment=moment: moment)
        monkeypatch.setattr("rallypoint.links.capture.utc_now", lambda moment=moment: moment)
        client.get(f"/r/{link.code}", headers={"User-Agent": BROWSER}, REMOTE_ADDR=VISITOR)

    first, second = Click.objects.order_by("at").values_list("visitor_hash", flat=True)
    assert first != second
    assert SALTS.cached(day_one.date()) is None  # forgotten once the next day's was loaded
    visitor_salts_prune(today=day_two.date())
    assert list(VisitorSalt.objects.values_list("day", flat=True)) == [day_two.date()]


# ---------------------------------------------------------------- the ASGI fast path


def fast_get(path: str, *, method: str = "GET", headers: dict[str, str] | None = None):
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=application, client=(VISITOR, 50123))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.request(method, path, headers=headers or {})

    return asyncio.run(go())


@pytest.mark.django_db(transaction=True)
def test_the_fast_path_answers_before_the_click_is_written(link):
    response = fast_get(f"/r/{link.code}", headers={"User-Agent": BROWSER})

    assert response.status_code == 302
    assert response.headers["location"] == link.destination
    assert_redirect_headers(response.headers)
    assert len(CLICKS) == 1
    assert not Click.objects.exists()

    assert CLICKS.flush() == 1

    click = Click.objects.get()
    assert (click.link_id, click.device_class, click.is_bot) == (link.pk, "desktop", False)
    salt = SALTS.get(click.at.date())
    assert click.visitor_hash == visitor_hash(salt=salt, ip=VISITOR, user_agent=BROWSER)
    assert not any(VISITOR in value for value in stored_values())


@pytest.mark.django_db(transaction=True)
def test_the_fast_path_404_and_head_and_everything_else_to_django(link):
    missing = fast_get("/r/NoSuchCode9")
    head = fast_get(f"/r/{link.code}", method="HEAD", headers={"User-Agent": BROWSER})
    post = fast_get(f"/r/{link.code}", method="POST")
    health = fast_get("/healthz")

    assert missing.status_code == 404
    assert missing.headers["content-type"] == "text/html; charset=utf-8"
    assert b"Link not found" in missing.content
    assert (head.status_code, head.content) == (302, b"")
    assert post.status_code == 403  # Django's CSRF check: the request reached Django
    assert health.json() == {"status": "ok"}
    CLICKS.flush()
    assert list(Click.objects.values_list("bot_name", flat=True)) == ["HEAD request"]


@pytest.mark.django_db(transaction=True)
def test_the_lifespan_starts_the_writer_and_drains_it_at_shutdown(link, settings):
    settings.LINKS_FLUSH_SECONDS = 3600  # only the shutdown writes

    async def serve_and_stop() -> list[str]:
        events: asyncio.Queue[dict[str, str]] = asyncio.Queue()
        sent: list[str] = []

        async def send(message: dict[str, str]) -> None:
            sent.append(message["type"])

        lifespan = asyncio.create_task(application({"type": "lifespan"}, events.get, send))
        await events.put({"type": "lifespan.startup"})
        while "lifespan.startup.complete" not in sent:
            await asyncio.sleep(0.01)
        transport = httpx.ASGITransport(app=application, client=(VISITOR, 50123))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for _ in range(3):
                await c.get(f"/r/{link.code}", headers={"User-Agent": BROWSER})
        assert CLICKS.running
        assert not await asyncio.to_thread(Click.objects.exists)
        await events.put({"type": "lifespan.shutdown"})
        await lifespan
        return sent

    sent = asyncio.run(serve_and_stop())

    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert not CLICKS.running
    assert Click.objects.count() == 3
