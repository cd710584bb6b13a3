"""Publishing and reading metrics through a connected account: renewing tokens first,
renewing and retrying after a 401, and asking the employee to reconnect when nothing helps;
two workers renewing at once keep X's rotated refresh token."""

from __future__ import annotations

import datetime
import itertools
import threading

import pytest
from django.db import connections
from django.utils import timezone

from rallypoint.networks import services
from rallypoint.networks.base import AuthExpired, Forbidden, ShareContent, TokenSet
from rallypoint.networks.models import ConnectedAccount
from rallypoint.networks.testing import FakeNetwork, Recorded, Reply
from rallypoint.notify.models import Notification
from rallypoint.people.models import User

CONTENT = ShareContent(
    text="Our new office opens today", url="https://example.com/r/abc", idempotency_key="k-1"
)
TWEET = {"data": {"id": "1445880548472328192", "text": "Our new office opens today"}}
INVALID_GRANT = {
    "error": "invalid_request",
    "error_description": "Value passed for the token was invalid.",
}


def x_tokens(n: int) -> dict[str, object]:
    return {
        "token_type": "bearer",
        "expires_in": 7200,
        "access_token": f"x-access-{n}",
        "scope": "tweet.read tweet.write users.read offline.access",
        "refresh_token": f"x-refresh-{n}",
    }


@pytest.fixture
def fake(fake_network, settings) -> FakeNetwork:
    network = fake_network()
    settings.X_API_URL = settings.X_AUTH_URL = network.base_url
    settings.BLUESKY_PDS_URL = settings.BLUESKY_APPVIEW_URL = network.base_url
    settings.LINKEDIN_API_URL = settings.LINKEDIN_AUTH_URL = network.base_url
    settings.MASTODON_INSECURE_HTTP = True
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "x-client", "x-secret"
    return network


@pytest.fixture
def ana(db) -> User:
    return User.objects.create_user("ana@example.com", "pw-ana-123456", display_name="Ana")


def connect_x(user: User, *, expires_in: datetime.timedelta, refresh: str = "x-refresh-0"):
    return services.account_connect(
        user=user,
        network="x",
        tokens=TokenSet(
            access_token="x-access-0",
            refresh_token=refresh,
            expires_at=timezone.now() + expires_in,
            remote_id="2244994945",
            handle="XDevelopers",
        ),
    )


def bearer(request: Recorded) -> str:
    return request.header("Authorization").removeprefix("Bearer ")


def reconnect_notices(user: User):
    return Notification.objects.filter(recipient=user, kind=Notification.Kind.ADVOCACY)


def test_an_expired_token_is_renewed_before_posting(fake, ana):
    account = connect_x(ana, expires_in=datetime.timedelta(seconds=-5))
    fake.route("POST", "/2/oauth2/token", Reply(200, x_tokens(1)))
    fake.route("POST", "/2/tweets", Reply(201, TWEET))

    published = services.account_publish(account=account, content=CONTENT)

    assert published.remote_id == "1445880548472328192"
    assert [r.path for r in fake.requests] == ["/2/oauth2/token", "/2/tweets"]
    assert fake.sent("POST", "/2/oauth2/token")[0].form()["refresh_token"] == ["x-refresh-0"]
    assert bearer(fake.sent("POST", "/2/tweets")[0]) == "x-access-1"
    stored = ConnectedAccount.objects.get(pk=account.pk)
    assert stored.access_token == "x-access-1" and stored.refresh_token == "x-refresh-1"
    assert stored.token_expires_at is not None
    assert stored.token_expires_at > timezone.now() + datetime.timedelta(hours=1)
    assert stored.last_used_at is not None


def test_a_token_expiring_within_a_minute_is_renewed_a_fresh_one_is_not(fake, ana):
    fake.route("POST", "/2/oauth2/token", Reply(200, x_tokens(1)))
    fake.route("POST", "/2/tweets", Reply(201, TWEET))
    account = connect_x(ana, expires_in=datetime.timedelta(seconds=30))
    services.account_publish(account=account, content=CONTENT)
    assert len(fake.sent("POST", "/2/oauth2/token")) == 1
    account.token_expires_at = timezone.now() + datetime.timedelta(minutes=30)
    account.save()
    services.account_publish(account=account, content=CONTENT)
    assert len(fake.sent("POST", "/2/oauth2/token")) == 1
    assert len(fake.sent("POST", "/2/tweets")) == 2


def test_a_401_renews_the_token_and_retries_once(fake, ana):
    account = connect_x(ana, expires_in=datetime.timedelta(hours=1))
    fake.route("POST", "/2/oauth2/token", Reply(200, x_tokens(1)))
    fake.route(
        "POST",
        "/2/tweets",
        Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401}),
        Reply(201, TWEET),
    )

    published = services.account_publish(account=account, content=CONTENT)

    assert published.remote_id == "1445880548472328192"
    tweets = fake.sent("POST", "/2/tweets")
    assert [bearer(r) for r in tweets] == ["x-access-0", "x-access-1"]
    stored = ConnectedAccount.objects.get(pk=account.pk)
    assert stored.status == "active" and stored.refresh_token == "x-refresh-1"
    assert not reconnect_notices(ana).exists()


def test_a_refused_refresh_asks_the_employee_to_reconnect_once(
    fake, ana, django_capture_on_commit_callbacks
):
    account = connect_x(ana, expires_in=datetime.timedelta(hours=1))
    fake.route("POST", "/2/oauth2/token", Reply(400, INVALID_GRANT))
    fake.route("POST", "/2/tweets", Reply(401, {"title": "Unauthorized", "status": 401}))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AuthExpired) as raised:
        services.account_publish(account=account, content=CONTENT)

    assert "reconnect" in str(raised.value)
    stored = ConnectedAccount.objects.get(pk=account.pk)
    assert stored.status == ConnectedAccount.Status.NEEDS_RECONNECT
    assert stored.status_reason == str(raised.value)
    assert stored.refresh_token == "x-refresh-0"  # nothing half-written
    notice = reconnect_notices(ana).get()
    assert notice.url == "/connections/"
    assert notice.summary.startswith("Your X connection needs reconnecting: ")
    assert len(fake.sent("POST", "/2/tweets")) == 1

    # The share queue tries again later: refused at once, without calling X, no new notice.
    calls = len(fake.requests)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(AuthExpired):
            services.account_publish(account=stored, content=CONTENT)
        services.account_mark_needs_reconnect(account=stored, reason="still revoked")
    assert len(fake.requests) == calls
    assert reconnect_notices(ana).count() == 1


def test_a_revoked_mastodon_token_needs_reconnecting_without_a_refresh(
    fake, ana, django_capture_on_commit_callbacks
):
    account = services.account_connect(
        user=ana,
        network="mastodon",
        tokens=TokenSet(access_token="m-token", remote_id="14715", handle="@ana@x.test"),
        instance=fake.host,
    )
    fake.route("POST", "/api/v1/statuses", Reply(401, {"error": "The access token was revoked"}))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AuthExpired):
        services.account_publish(account=account, content=CONTENT)
    assert [r.path for r in fake.requests] == ["/api/v1/statuses"]
    assert ConnectedAccount.objects.get(pk=account.pk).status == "needs_reconnect"
    assert reconnect_notices(ana).count() == 1


def test_a_second_401_after_a_good_refresh_needs_reconnecting(fake, ana):
    account = connect_x(ana, expires_in=datetime.timedelta(hours=1))
    fake.route("POST", "/2/oauth2/token", Reply(200, x_tokens(1)))
    fake.route("POST", "/2/tweets", Reply(401, {"title": "Unauthorized", "status": 401}))
    with pytest.raises(AuthExpired):
        services.account_publish(account=account, content=CONTENT)
    assert len(fake.sent("POST", "/2/tweets")) == 2
    assert len(fake.sent("POST", "/2/oauth2/token")) == 1
    stored = ConnectedAccount.objects.get(pk=account.pk)
    assert stored.status == "needs_reconnect"
    assert stored.refresh_token == "x-refresh-1"  # the rotated token is kept all the same


def test_other_refusals_reach_the_caller_and_leave_the_account_alone(fake, ana):
    account = connect_x(ana, expires_in=datetime.timedelta(hours=1))
    fake.route(
        "POST",
        "/2/tweets",
        Reply(403, {"detail": "You are not permitted to create a Tweet.", "status": 403}),
    )
    with pytest.raises(Forbidden):
        services.account_publish(account=account, content=CONTENT)
    assert not fake.sent("POST", "/2/oauth2/token")
    assert ConnectedAccount.objects.get(pk=account.pk).status == "active"
    assert not reconnect_notices(ana).exists()


def test_metrics_give_none_on_403_and_renew_on_401(fake, ana):
    account = connect_x(ana, expires_in=datetime.timedelta(hours=1))
    path = "/2/tweets/1445880548472328192"
    fake.route("GET", path, Reply(403, {"title": "Client Forbidden", "status": 403}))
    assert services.account_metrics(account=account, remote_id="1445880548472328192") is None
    assert ConnectedAccount.objects.get(pk=account.pk).status == "active"

    metrics = {"retweet_count": 4, "reply_count": 1, "like_count": 12, "quote_count": 0}
    fake.route("POST", "/2/oauth2/token", Reply(200, x_tokens(1)))
    fake.route(
        "GET",
        path,
        Reply(401, {"title": "Unauthorized", "status": 401}),
        Reply(200, {"data": {"id": "1445880548472328192", "public_metrics": metrics}}),
    )
    figures = services.account_metrics(account=account, remote_id="1445880548472328192")
    assert figures is not None and figures.likes == 12 and figures.reposts == 4
    assert ConnectedAccount.objects.get(pk=account.pk).access_token == "x-access-1"


def test_tokens_no_key_can_read_ask_for_a_reconnect_instead_of_crashing(
    fake, ana, settings, django_capture_on_commit_callbacks
):
    from cryptography.fernet import Fernet

    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    account = connect_x(ana, expires_in=datetime.timedelta(hours=1))
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key was dropped
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(AuthExpired):
        services.account_publish(account=account, content=CONTENT)
    assert not fake.requests
    stored = ConnectedAccount.objects.get(pk=account.pk)
    assert stored.status == "needs_reconnect"
    assert stored.status_reason == "The stored connection can no longer be read."
    assert reconnect_notices(ana).count() == 1


def _together(work, count: int) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work()
        except Exception as error:  # reported by the caller's assertion
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def rotating_token_endpoint(spent: list[str]):
    """X's token endpoint: each refresh token works once and is replaced by a new one."""
    numbers = itertools.count(1)
    lock = threading.Lock()
    valid = {"x-refresh-0"}

    def reply(request: Recorded) -> Reply:
        token = request.form()["refresh_token"][0]
        with lock:
            spent.append(token)
            if token not in valid:
                return Reply(400, INVALID_GRANT)
            valid.discard(token)
            n = next(numbers)
            valid.add(f"x-refresh-{n}")
        return Reply(200, x_tokens(n), delay=0.3)

    return reply


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_at_once_keep_the_rotated_refresh_token(fake, ana):
    """Each worker holds its own copy of the account, loaded before either refreshed."""
    connect_x(ana, expires_in=datetime.timedelta(seconds=-1))
    spent: list[str] = []
    fake.route("POST", "/2/oauth2/token", rotating_token_endpoint(spent))
    copies = [ConnectedAccount.objects.get(user=ana) for _ in range(2)]
    workers = iter(copies)

    results = _together(lambda: services.account_tokens_refresh(account=next(workers)), 2)

    assert all(isinstance(r, ConnectedAccount) for r in results), results
    assert spent == ["x-refresh-0"]
    stored = ConnectedAccount.objects.get(user=ana)
    assert stored.refresh_token == "x-refresh-1" and stored.access_token == "x-access-1"
    assert {copy.access_token for copy in copies} == {"x-access-1"}
    assert stored.status == "active"


@pytest.mark.django_db(transaction=True)
def test_two_workers_posting_with_an_expired_token_refresh_once_and_both_post(fake, ana):
    connect_x(ana, expires_in=datetime.timedelta(seconds=-1))
    spent: list[str] = []
    fake.route("POST", "/2/oauth2/token", rotating_token_endpoint(spent))
    fake.route("POST", "/2/tweets", Reply(201, TWEET))
    copies = iter([ConnectedAccount.objects.get(user=ana) for _ in range(2)])

    results = _together(lambda: services.account_publish(account=next(copies), content=CONTENT), 2)

    assert all(not isinstance(r, Exception) for r in results), results
    assert spent == ["x-refresh-0"]
    assert {bearer(r) for r in fake.sent("POST", "/2/tweets")} == {"x-access-1"}
    stored = ConnectedAccount.objects.get(user=ana)
    assert stored.refresh_token == "x-refresh-1" and stored.status == "active"
