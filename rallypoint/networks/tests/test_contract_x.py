"""Contract of the X connector against a loopback stand-in of the X API v2.

Success and error bodies are the ones X documents:
- token: https://docs.x.com/resources/fundamentals/authentication/oauth-2-0/user-access-token
- users/me: https://docs.x.com/x-api/users/get-my-user
- create post: https://docs.x.com/x-api/posts/create-post
- post lookup: https://docs.x.com/x-api/posts/get-post-by-id
- errors: https://docs.x.com/x-api/fundamentals/response-codes-and-errors
- rate limits (x-rate-limit-* headers): https://docs.x.com/x-api/fundamentals/rate-limits
"""

from __future__ import annotations

import base64
import time
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

import pytest

from rallypoint.networks import registry, x
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

TOKEN_BODY = {
    "token_type": "bearer",
    "expires_in": 7200,
    "access_token": "VGNibzFWSWREZm01bjN1N3dicWlNUG1oa2xRRVNNdmVHelJGY2hPWGxNd2dxOjE2MjIx",
    "scope": "tweet.read users.read tweet.write offline.access",
    "refresh_token": "bWRWa3gzdnk3WHRGU1o0bmRRcTJ5VUxWX1lZTDdJSUtmaWcxbTVxdEFXcW5tOjE2MjIx",
}
ME_BODY = {"data": {"id": "2244994945", "name": "X Dev", "username": "TwitterDev"}}
CREATED_BODY = {"data": {"id": "1445880548472328192", "text": "Are you excited for the weekend?"}}
UNAUTHORIZED_BODY = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}
DUPLICATE_BODY = {
    "detail": "You are not allowed to create a Tweet with duplicate content.",
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
}
TOO_MANY_BODY = {
    "title": "Too Many Requests",
    "detail": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
}
INVALID_BODY = {
    "errors": [
        {"parameters": {"text": [""]}, "message": "Tweet text must not be empty."},
    ],
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}
CONTENT = ShareContent(
    text="Our new office opens today #employee",
    url="https://rallypoint.example/r/abc123",
    title="New office",
    idempotency_key="9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e11",
)


@pytest.fixture
def api(fake_network, settings):
    fake = fake_network()
    settings.X_API_URL = fake.base_url
    settings.X_AUTH_URL = "https://x.com"
    settings.X_CLIENT_ID = "rallypoint-client"
    settings.X_CLIENT_SECRET = ""
    return fake


@pytest.fixture
def account(django_user_model) -> ConnectedAccount:
    user = django_user_model.objects.create_user("ana@example.com", "x" * 12, display_name="Ana")
    account = ConnectedAccount(
        user=user, network="x", remote_id="2244994945", handle="TwitterDev", scopes=x.SCOPES
    )
    account.access_token = "access-1"
    account.refresh_token = "refresh-1"
    account.save()
    return account


def test_registry_gives_the_x_connector() -> None:
    assert registry.connector("x") is x
    assert "x" in registry.API_NETWORKS


def test_authorize_url_asks_for_the_scopes_with_a_pkce_challenge(settings) -> None:
    settings.X_CLIENT_ID = "rallypoint-client"
    verifier = x.make_verifier()
    assert 43 <= len(verifier) <= 128
    url = x.authorize_url(
        state="st-1",
        redirect_uri="https://rp.example/connections/x/callback/",
        code_challenge=x.challenge(verifier),
    )
    split = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(split.query).items()}
    assert (split.scheme, split.netloc, split.path) == ("https", "x.com", "/i/oauth2/authorize")
    assert query == {
        "response_type": "code",
        "client_id": "rallypoint-client",
        "redirect_uri": "https://rp.example/connections/x/callback/",
        "scope": "tweet.read tweet.write users.read offline.access",
        "state": "st-1",
        "code_challenge": x.challenge(verifier),
        "code_challenge_method": "S256",
    }


def test_challenge_is_the_rfc_7636_s256_example() -> None:
    # RFC 7636 appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert x.challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_exchange_code_as_a_public_client_sends_the_client_id_in_the_form(api) -> None:
    api.route("POST", "/2/oauth2/token", Reply(200, TOKEN_BODY))
    api.route("GET", "/2/users/me", Reply(200, ME_BODY))

    tokens = x.exchange_code(
        code="c0de", redirect_uri="https://rp.example/cb/", code_verifier="v" * 43
    )

    sent = api.sent("POST", "/2/oauth2/token")[0]
    assert sent.header("content-type") == "application/x-www-form-urlencoded"
    assert sent.header("authorization") == ""
    assert {k: v[0] for k, v in sent.form().items()} == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": "https://rp.example/cb/",
        "code_verifier": "v" * 43,
        "client_id": "rallypoint-client",
    }
    me = api.sent("GET", "/2/users/me")[0]
    assert me.header("authorization") == f"Bearer {TOKEN_BODY['access_token']}"
    assert tokens.access_token == TOKEN_BODY["access_token"]
    assert tokens.refresh_token == TOKEN_BODY["refresh_token"]
    assert tokens.remote_id == "2244994945"
    assert tokens.handle == "TwitterDev"
    assert tokens.scopes == TOKEN_BODY["scope"]
    assert tokens.expires_at is not None
    assert 7100 < tokens.expires_at.timestamp() - time.time() <= 7200


def test_exchange_code_as_a_confidential_client_uses_basic_auth(api, settings) -> None:
    settings.X_CLIENT_SECRET = "s3cret"
    api.route("POST", "/2/oauth2/token", Reply(200, TOKEN_BODY))
    api.route("GET", "/2/users/me", Reply(200, ME_BODY))

    x.exchange_code(code="c0de", redirect_uri="https://rp.example/cb/", code_verifier="v" * 43)

    sent = api.sent("POST", "/2/oauth2/token")[0]
    expected = base64.b64encode(b"rallypoint-client:s3cret").decode()
    assert sent.header("authorization") == f"Basic {expected}"
    assert "client_id" not in sent.form()


def test_exchange_code_refused_is_rejected_with_the_reason(api) -> None:
    api.route(
        "POST",
        "/2/oauth2/token",
        Reply(
            400,
            {
                "error": "invalid_request",
                "error_description": "Value passed for the authorization code was invalid.",
            },
        ),
    )
    with pytest.raises(Rejected, match="authorization code was invalid"):
        x.exchange_code(code="bad", redirect_uri="https://rp.example/cb/", code_verifier="v" * 43)


def test_publish_posts_the_text_with_the_link(api, account) -> None:
    api.route("POST", "/2/tweets", Reply(201, CREATED_BODY))

    published = x.publish(account, CONTENT)

    sent = api.sent("POST", "/2/tweets")[0]
    assert sent.header("authorization") == "Bearer access-1"
    assert sent.header("content-type") == "application/json"
    assert sent.json() == {
        "text": "Our new office opens today #employee https://rallypoint.example/r/abc123"
    }
    assert published.remote_id == "1445880548472328192"
    assert published.remote_url == "https://x.com/TwitterDev/status/1445880548472328192"


def timeline(*links: tuple[str, str]) -> Reply:
    """``GET /2/users/:id/tweets`` with ``tweet.fields=entities``
    (https://docs.x.com/x-api/users/get-posts)."""
    return Reply(
        200,
        {
            "data": [
                {
                    "id": post_id,
                    "text": f"Our new office opens today #employee https://t.co/{post_id[-6:]}",
                    "edit_history_tweet_ids": [post_id],
                    "entities": {
                        "urls": [
                            {
                                "start": 36,
                                "end": 59,
                                "url": f"https://t.co/{post_id[-6:]}",
                                "expanded_url": expanded,
                                "display_url": expanded.removeprefix("https://")[:25],
                            }
                        ]
                    },
                }
                for post_id, expanded in links
            ],
            "meta": {"result_count": len(links), "newest_id": links[0][0] if links else ""},
        },
    )


def test_publish_again_after_a_crash_takes_the_post_with_the_shares_link(api, account) -> None:
    api.route("POST", "/2/tweets", Reply(403, DUPLICATE_BODY))
    api.route(
        "GET",
        "/2/users/2244994945/tweets",
        timeline(
            ("1445880548472328999", "https://rallypoint.example/r/other"),
            ("1445880548472328192", CONTENT.url),
        ),
    )

    published = x.publish(account, CONTENT)

    lookup = api.sent("GET", "/2/users/2244994945/tweets")[0]
    assert lookup.query == {"max_results": ["10"], "tweet.fields": ["entities"]}
    assert lookup.header("authorization") == "Bearer access-1"
    assert published.remote_id == "1445880548472328192"


def test_publish_duplicate_of_an_older_text_stays_forbidden(api, account) -> None:
    api.route("POST", "/2/tweets", Reply(403, DUPLICATE_BODY))
    api.route(
        "GET",
        "/2/users/2244994945/tweets",
        timeline(("1445880548472328999", "https://rallypoint.example/r/other")),
    )
    with pytest.raises(Forbidden, match="duplicate content"):
        x.publish(account, CONTENT)


def test_publish_refuses_a_text_over_280_before_sending(api, account) -> None:
    api.route("POST", "/2/tweets", Reply(201, CREATED_BODY))
    with pytest.raises(Rejected, match="too long for X"):
        x.publish(account, ShareContent(text="a" * 260, url="https://rallypoint.example/r/x"))
    assert api.sent("POST", "/2/tweets") == []


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (Reply(401, UNAUTHORIZED_BODY), AuthExpired, "Please reconnect your X account"),
        (Reply(403, DUPLICATE_BODY), Forbidden, "duplicate content"),
        (Reply(400, INVALID_BODY), Rejected, "Tweet text must not be empty"),
        (Reply(500, {"title": "Internal Error"}), Unavailable, "error 500"),
        (Reply(503, body=b"<html>Over capacity</html>"), Unavailable, "try again later"),
    ],
)
def test_publish_maps_errors(api, account, reply, error, message) -> None:
    api.route("POST", "/2/tweets", reply)
    with pytest.raises(error, match=message) as caught:
        x.publish(account, CONTENT)
    assert str(caught.value).startswith("X ")


def test_publish_rate_limited_waits_until_the_reset_header(api, account) -> None:
    reset = int(time.time()) + 600
    api.route(
        "POST",
        "/2/tweets",
        Reply(
            429,
            TOO_MANY_BODY,
            headers={
                "x-rate-limit-limit": "200",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
            },
        ),
    )
    with pytest.raises(RateLimited) as caught:
        x.publish(account, CONTENT)
    assert caught.value.retry_after is not None
    assert 590 <= caught.value.retry_after <= 600
    assert "in about 10 minutes" in str(caught.value)


@pytest.mark.parametrize(("form", "expected"), [("seconds", 120.0), ("http-date", 300.0)])
def test_publish_rate_limited_honours_retry_after(api, account, form, expected) -> None:
    header = "120" if form == "seconds" else formatdate(time.time() + 300, usegmt=True)
    api.route("POST", "/2/tweets", Reply(429, TOO_MANY_BODY, headers={"Retry-After": header}))
    with pytest.raises(RateLimited) as caught:
        x.publish(account, CONTENT)
    assert caught.value.retry_after == pytest.approx(expected, abs=3)


def test_publish_timeout_is_unavailable(api, account, settings) -> None:
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    api.route("POST", "/2/tweets", Reply(201, CREATED_BODY, delay=2))
    started = time.monotonic()
    with pytest.raises(Unavailable, match="did not answer in time"):
        x.publish(account, CONTENT)
    assert time.monotonic() - started < 1.8


def test_refresh_stores_the_rotated_refresh_token(api, account) -> None:
    rotated = {**TOKEN_BODY, "access_token": "access-2", "refresh_token": "refresh-2"}
    api.route("POST", "/2/oauth2/token", Reply(200, rotated))

    tokens = x.refresh(account)

    form = {k: v[0] for k, v in api.sent("POST", "/2/oauth2/token")[0].form().items()}
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-1",
        "client_id": "rallypoint-client",
    }
    assert (tokens.access_token, tokens.refresh_token) == ("access-2", "refresh-2")
    assert (tokens.remote_id, tokens.handle) == ("2244994945", "TwitterDev")


def test_refresh_refused_means_reconnect(api, account) -> None:
    api.route(
        "POST",
        "/2/oauth2/token",
        Reply(
            400,
            {
                "error": "invalid_request",
                "error_description": "Value passed for the token was invalid.",
            },
        ),
    )
    with pytest.raises(AuthExpired, match="reconnect"):
        x.refresh(account)


def test_refresh_without_a_refresh_token_means_reconnect(api, account) -> None:
    account.refresh_token = ""
    with pytest.raises(AuthExpired):
        x.refresh(account)
    assert api.requests == []


def test_metrics_reads_public_metrics(api, account) -> None:
    api.route(
        "GET",
        "/2/tweets/1445880548472328192",
        Reply(
            200,
            {
                "data": {
                    "id": "1445880548472328192",
                    "text": "Are you excited for the weekend?",
                    "edit_history_tweet_ids": ["1445880548472328192"],
                    "public_metrics": {
                        "retweet_count": 2,
                        "reply_count": 3,
                        "like_count": 50,
                        "quote_count": 1,
                        "bookmark_count": 4,
                        "impression_count": 1200,
                    },
                }
            },
        ),
    )

    metrics = x.metrics(account, "1445880548472328192")

    sent = api.sent("GET", "/2/tweets/1445880548472328192")[0]
    assert sent.query == {"tweet.fields": ["public_metrics"]}
    assert sent.header("authorization") == "Bearer access-1"
    assert metrics is not None
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.quotes) == (50, 2, 3, 1)
    assert metrics.impressions == 1200
    assert metrics.clicks is None


def test_metrics_of_a_deleted_post_is_rejected(api, account) -> None:
    api.route(
        "GET",
        "/2/tweets/1",
        Reply(
            200,
            {
                "errors": [
                    {
                        "value": "1",
                        "detail": "Could not find tweet with id: [1].",
                        "title": "Not Found Error",
                        "resource_type": "tweet",
                        "parameter": "id",
                        "resource_id": "1",
                        "type": "https://api.twitter.com/2/problems/resource-not-found",
                    }
                ]
            },
        ),
    )
    with pytest.raises(Rejected, match="could not find this post"):
        x.metrics(account, "1")
