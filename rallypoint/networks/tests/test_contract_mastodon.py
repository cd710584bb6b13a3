"""Contract of the Mastodon connector against a loopback stand-in of a Mastodon server.

Success and error bodies are the ones Mastodon documents:
- apps: https://docs.joinmastodon.org/methods/apps/#create
- oauth: https://docs.joinmastodon.org/methods/oauth/#token
- verify_credentials: https://docs.joinmastodon.org/methods/accounts/#verify_credentials
- statuses (Idempotency-Key): https://docs.joinmastodon.org/methods/statuses/#create
- errors: https://docs.joinmastodon.org/entities/Error/
- rate limits (X-RateLimit-Reset, an ISO 8601 time): https://docs.joinmastodon.org/api/rate-limits/
"""

from __future__ import annotations

import datetime as dt
import time
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

import pytest

from rallypoint.networks import mastodon, registry
from rallypoint.networks.base import (
    AuthExpired,
    Forbidden,
    RateLimited,
    Rejected,
    ShareContent,
    Unavailable,
)
from rallypoint.networks.models import ConnectedAccount
from rallypoint.networks.testing import Reply

pytestmark = pytest.mark.django_db

APP_BODY = {
    "id": "563419",
    "name": "Rallypoint",
    "website": "https://rp.example",
    "scopes": ["read:accounts", "read:statuses", "write:statuses"],
    "redirect_uri": "https://rp.example/connections/mastodon/callback/",
    "redirect_uris": ["https://rp.example/connections/mastodon/callback/"],
    "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4Ukk",
    "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
    "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
    "client_secret_expires_at": 0,
}
TOKEN_BODY = {
    "access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
    "token_type": "Bearer",
    "scope": "read:accounts read:statuses write:statuses",
    "created_at": 1573979017,
}
ACCOUNT_BODY = {
    "id": "14715",
    "username": "trwnh",
    "acct": "trwnh",
    "display_name": "infinite love ⴳ",
    "url": "https://mastodon.social/@trwnh",
}
STATUS_BODY = {
    "id": "103254962155278888",
    "created_at": "2019-12-05T11:34:47.196Z",
    "visibility": "public",
    "uri": "https://mastodon.social/users/trwnh/statuses/103254962155278888",
    "url": "https://mastodon.social/@trwnh/103254962155278888",
    "replies_count": 0,
    "reblogs_count": 0,
    "favourites_count": 0,
    "content": "<p>Our new office opens today</p>",
}
CONTENT = ShareContent(
    text="Our new office opens today #employee",
    url="https://rallypoint.example/r/abc123",
    title="New office",
    idempotency_key="9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e11",
)


@pytest.fixture
def server(fake_network, settings):
    settings.MASTODON_INSECURE_HTTP = True
    settings.BASE_URL = "https://rp.example"
    return fake_network()


@pytest.fixture
def account(server, django_user_model) -> ConnectedAccount:
    user = django_user_model.objects.create_user("ana@example.com", "x" * 12, display_name="Ana")
    account = ConnectedAccount(
        user=user,
        network="mastodon",
        instance=server.host,
        remote_id="14715",
        handle=f"@trwnh@{server.host}",
        scopes=mastodon.SCOPES,
    )
    account.access_token = "md-access-1"
    account.save()
    return account


@pytest.mark.parametrize(
    ("typed", "host"),
    [
        ("mastodon.social", "mastodon.social"),
        ("  Mastodon.Social  ", "mastodon.social"),
        ("https://mastodon.social/", "mastodon.social"),
        ("@ana@fosstodon.org", "fosstodon.org"),
        ("mastodon.social.", "mastodon.social"),
        ("bücher.social", "xn--bcher-kva.social"),
    ],
)
def test_normalise_instance_accepts_what_people_type(typed, host) -> None:
    assert mastodon.normalise_instance(typed) == host


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the address of your Mastodon server"),
        ("https://mastodon.social/@ana", "without a path"),
        ("mastodon.social/about", "only the server's name"),
        ("ftp://mastodon.social", "only the server's name"),
        ("ana@mastodon.social", "only the server's name"),
        ("mastodon.social:8443", "without a port"),
        ("localhost", "not a full server name"),
        ("10.0.0.5", "not a network address"),
        ("exa_mple.social", "not a valid server name"),
        ("-bad-.social", "not a valid server name"),
    ],
)
def test_normalise_instance_refuses_with_a_reason(typed, message) -> None:
    with pytest.raises(ValueError, match=message):
        mastodon.normalise_instance(typed)


def test_registry_gives_the_mastodon_connector() -> None:
    assert registry.connector("mastodon") is mastodon


def test_register_app(server) -> None:
    server.route("POST", "/api/v1/apps", Reply(200, APP_BODY))

    client_id, client_secret = mastodon.register_app(
        instance=server.host, redirect_uri="https://rp.example/connections/mastodon/callback/"
    )

    sent = server.sent("POST", "/api/v1/apps")[0]
    assert {k: v[0] for k, v in sent.form().items()} == {
        "client_name": "Rallypoint",
        "redirect_uris": "https://rp.example/connections/mastodon/callback/",
        "scopes": "read:accounts read:statuses write:statuses",
        "website": "https://rp.example",
    }
    assert (client_id, client_secret) == (APP_BODY["client_id"], APP_BODY["client_secret"])


def test_register_app_refused(server) -> None:
    server.route(
        "POST",
        "/api/v1/apps",
        Reply(422, {"error": "Validation failed: Redirect URI must be an absolute URI."}),
    )
    with pytest.raises(Rejected, match="Redirect URI must be an absolute URI"):
        mastodon.register_app(instance=server.host, redirect_uri="/relative")


def test_authorize_url_goes_to_the_instance(settings) -> None:
    settings.MASTODON_INSECURE_HTTP = False
    url = mastodon.authorize_url(
        instance="Mastodon.Social",
        client_id="cid",
        state="st-1",
        redirect_uri="https://rp.example/connections/mastodon/callback/",
    )
    split = urlsplit(url)
    assert (split.scheme, split.netloc, split.path) == (
        "https",
        "mastodon.social",
        "/oauth/authorize",
    )
    assert {k: v[0] for k, v in parse_qs(split.query).items()} == {
        "response_type": "code",
        "client_id": "cid",
        "redirect_uri": "https://rp.example/connections/mastodon/callback/",
        "scope": "read:accounts read:statuses write:statuses",
        "state": "st-1",
    }


def test_exchange_code_then_verify_credentials(server) -> None:
    server.route("POST", "/oauth/token", Reply(200, TOKEN_BODY))
    server.route("GET", "/api/v1/accounts/verify_credentials", Reply(200, ACCOUNT_BODY))

    tokens = mastodon.exchange_code(
        instance=server.host,
        client_id="cid",
        client_secret="csecret",
        code="c0de",
        redirect_uri="https://rp.example/cb/",
    )

    form = {k: v[0] for k, v in server.sent("POST", "/oauth/token")[0].form().items()}
    assert form == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "client_id": "cid",
        "client_secret": "csecret",
        "redirect_uri": "https://rp.example/cb/",
        "scope": "read:accounts read:statuses write:statuses",
    }
    verify = server.sent("GET", "/api/v1/accounts/verify_credentials")[0]
    assert verify.header("authorization") == f"Bearer {TOKEN_BODY['access_token']}"
    assert tokens.access_token == TOKEN_BODY["access_token"]
    assert tokens.remote_id == "14715"
    assert tokens.handle == f"@trwnh@{server.host}"
    assert tokens.expires_at is None and tokens.refresh_token == ""


def test_exchange_code_refused(server) -> None:
    server.route(
        "POST",
        "/oauth/token",
        Reply(
            400,
            {
                "error": "invalid_grant",
                "error_description": "The provided authorization grant is invalid, expired, "
                "revoked, does not match the redirection URI used in the authorization request, "
                "or was issued to another client.",
            },
        ),
    )
    with pytest.raises(Rejected, match="authorization grant is invalid"):
        mastodon.exchange_code(
            instance=server.host, client_id="c", client_secret="s", code="x", redirect_uri="u"
        )


def test_publish_posts_a_public_status_with_an_idempotency_key(server, account) -> None:
    server.route("POST", "/api/v1/statuses", Reply(200, STATUS_BODY))

    published = mastodon.publish(account, CONTENT)

    sent = server.sent("POST", "/api/v1/statuses")[0]
    assert sent.header("authorization") == "Bearer md-access-1"
    assert sent.header("idempotency-key") == CONTENT.idempotency_key
    assert sent.json() == {
        "status": "Our new office opens today #employee https://rallypoint.example/r/abc123",
        "visibility": "public",
    }
    assert published.remote_id == "103254962155278888"
    assert published.remote_url == "https://mastodon.social/@trwnh/103254962155278888"


def test_publish_twice_with_the_same_key_sends_the_same_key(server, account) -> None:
    server.route("POST", "/api/v1/statuses", Reply(200, STATUS_BODY))
    first = mastodon.publish(account, CONTENT)
    second = mastodon.publish(account, CONTENT)
    keys = {r.header("idempotency-key") for r in server.sent("POST", "/api/v1/statuses")}
    assert keys == {CONTENT.idempotency_key}
    assert first == second


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (Reply(401, {"error": "The access token is invalid"}), AuthExpired, "reconnect"),
        (
            Reply(403, {"error": "This action is outside the authorized scopes"}),
            Forbidden,
            "outside the authorized scopes",
        ),
        (
            Reply(422, {"error": "Validation failed: Text character limit of 500 exceeded"}),
            Rejected,
            "character limit of 500 exceeded",
        ),
        (Reply(500, {"error": "We're sorry, but something went wrong"}), Unavailable, "500"),
        (Reply(502, body=b"<html>Bad gateway</html>"), Unavailable, "try again later"),
    ],
)
def test_publish_maps_errors(server, account, reply, error, message) -> None:
    server.route("POST", "/api/v1/statuses", reply)
    with pytest.raises(error, match=message) as caught:
        mastodon.publish(account, CONTENT)
    assert str(caught.value).startswith("Mastodon ")


@pytest.mark.parametrize(
    ("form", "expected"), [("seconds", 30.0), ("http-date", 900.0), ("ratelimit-reset", 240.0)]
)
def test_publish_rate_limited(server, account, form, expected) -> None:
    if form == "seconds":
        headers = {"Retry-After": "30"}
    elif form == "http-date":
        headers = {"Retry-After": formatdate(time.time() + 900, usegmt=True)}
    else:
        reset = dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=240)
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
    server.route(
        "POST", "/api/v1/statuses", Reply(429, {"error": "Too many requests"}, headers=headers)
    )
    with pytest.raises(RateLimited) as caught:
        mastodon.publish(account, CONTENT)
    assert caught.value.retry_after == pytest.approx(expected, abs=3)


def test_publish_timeout_is_unavailable(server, account, settings) -> None:
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    server.route("POST", "/api/v1/statuses", Reply(200, STATUS_BODY, delay=2))
    with pytest.raises(Unavailable, match="did not answer in time"):
        mastodon.publish(account, CONTENT)


def test_publish_to_an_instance_on_a_private_network_is_refused(account, settings) -> None:
    settings.OUTBOUND_ALLOW_NETWORKS = []
    with pytest.raises(Rejected, match="may not contact"):
        mastodon.publish(account, CONTENT)


def test_production_instances_are_reached_over_https(settings) -> None:
    settings.MASTODON_INSECURE_HTTP = False
    assert mastodon.base_url("Mastodon.Social") == "https://mastodon.social"
    with pytest.raises(ValueError):
        mastodon.base_url("127.0.0.1:8000")


def test_refresh_is_never_possible(account) -> None:
    with pytest.raises(AuthExpired, match="reconnect"):
        mastodon.refresh(account)


def test_metrics_reads_the_status_counts(server, account) -> None:
    server.route(
        "GET",
        "/api/v1/statuses/103254962155278888",
        Reply(200, {**STATUS_BODY, "favourites_count": 12, "reblogs_count": 4, "replies_count": 2}),
    )

    metrics = mastodon.metrics(account, "103254962155278888")

    sent = server.sent("GET", "/api/v1/statuses/103254962155278888")[0]
    assert sent.header("authorization") == "Bearer md-access-1"
    assert metrics is not None
    assert (metrics.likes, metrics.reposts, metrics.replies) == (12, 4, 2)
    assert metrics.impressions is None
    assert metrics.quotes is None


def test_metrics_of_a_deleted_status_is_rejected(server, account) -> None:
    server.route("GET", "/api/v1/statuses/1", Reply(404, {"error": "Record not found"}))
    with pytest.raises(Rejected, match="Record not found"):
        mastodon.metrics(account, "1")
