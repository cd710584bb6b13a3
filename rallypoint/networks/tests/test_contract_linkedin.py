"""Contract of the LinkedIn connector against a loopback stand-in of LinkedIn's API.

Success and error bodies are the ones LinkedIn documents:
- authorization code flow: https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
- userinfo: https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
- posts: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
- little text format: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/little-text-format
- member post statistics: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/members/post-statistics
- refresh tokens: https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens
- errors: https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling
"""

from __future__ import annotations

import time
from email.utils import formatdate
from urllib.parse import parse_qs, urlsplit

import pytest

from rallypoint.networks import linkedin, registry
from rallypoint.networks.base import (
    AuthExpired,
    Forbidden,
    RateLimited,
    Rejected,
    ShareContent,
    Unavailable,
)
from rallypoint.networks.models import ConnectedAccount
from rallypoint.networks.testing import Recorded, Reply

pytestmark = pytest.mark.django_db

TOKEN_BODY = {
    "access_token": "AQUvlL_DYEzvT2wz1QJiEPeLioeA",
    "expires_in": 5184000,
    "scope": "email,openid,profile,w_member_social",
    "token_type": "Bearer",
    "id_token": "eyJ6aXAiOiJERUYiLCJraWQiOiJkOTI5NjY4YS1iYWI",
}
USERINFO_BODY = {
    "sub": "782bbtaQ",
    "name": "John Doe",
    "given_name": "John",
    "family_name": "Doe",
    "picture": "https://media.licdn-ei.com/dms/image/C5F03AQHqK8v7tB1HCQ/profile-displayphoto",
    "locale": "en-US",
    "email": "doe@email.com",
    "email_verified": True,
}
POST_URN = "urn:li:share:6844785523593134080"
CONTENT = ShareContent(
    text="Proud of the team (and our new office) #employee",
    url="https://rallypoint.example/r/abc123",
    title="Our new office",
    description="Opening day in Lyon.",
    idempotency_key="9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e11",
)


@pytest.fixture
def api(fake_network, settings):
    fake = fake_network()
    settings.LINKEDIN_API_URL = fake.base_url
    settings.LINKEDIN_AUTH_URL = fake.base_url
    settings.LINKEDIN_CLIENT_ID = "li-client"
    settings.LINKEDIN_CLIENT_SECRET = "li-secret"
    return fake


@pytest.fixture
def account(django_user_model) -> ConnectedAccount:
    user = django_user_model.objects.create_user("ana@example.com", "x" * 12, display_name="Ana")
    account = ConnectedAccount(
        user=user,
        network="linkedin",
        remote_id="urn:li:person:782bbtaQ",
        handle="John Doe",
        scopes=linkedin.SCOPES,
    )
    account.access_token = "li-access-1"
    account.save()
    return account


def test_registry_gives_the_linkedin_connector() -> None:
    assert registry.connector("linkedin") is linkedin
    with pytest.raises(KeyError):
        registry.connector("facebook")


def test_authorize_url_asks_for_sign_in_and_sharing(settings) -> None:
    settings.LINKEDIN_AUTH_URL = "https://www.linkedin.com"
    settings.LINKEDIN_CLIENT_ID = "li-client"
    url = linkedin.authorize_url(
        state="st-1", redirect_uri="https://rp.example/connections/linkedin/callback/"
    )
    split = urlsplit(url)
    assert (split.scheme, split.netloc, split.path) == (
        "https",
        "www.linkedin.com",
        "/oauth/v2/authorization",
    )
    assert {k: v[0] for k, v in parse_qs(split.query).items()} == {
        "response_type": "code",
        "client_id": "li-client",
        "redirect_uri": "https://rp.example/connections/linkedin/callback/",
        "state": "st-1",
        "scope": "openid profile email w_member_social",
    }
    with_pkce = parse_qs(
        urlsplit(
            linkedin.authorize_url(
                state="s", redirect_uri="https://rp.example/", code_challenge="ch"
            )
        ).query
    )
    assert with_pkce["code_challenge"] == ["ch"]
    assert with_pkce["code_challenge_method"] == ["S256"]


def test_exchange_code_then_userinfo(api) -> None:
    api.route("POST", "/oauth/v2/accessToken", Reply(200, TOKEN_BODY))
    api.route("GET", "/v2/userinfo", Reply(200, USERINFO_BODY))

    tokens = linkedin.exchange_code(code="c0de", redirect_uri="https://rp.example/cb/")

    sent = api.sent("POST", "/oauth/v2/accessToken")[0]
    assert sent.header("content-type") == "application/x-www-form-urlencoded"
    assert {k: v[0] for k, v in sent.form().items()} == {
        "grant_type": "authorization_code",
        "code": "c0de",
        "redirect_uri": "https://rp.example/cb/",
        "client_id": "li-client",
        "client_secret": "li-secret",
    }
    assert api.sent("GET", "/v2/userinfo")[0].header("authorization") == (
        "Bearer AQUvlL_DYEzvT2wz1QJiEPeLioeA"
    )
    assert tokens.remote_id == "urn:li:person:782bbtaQ"
    assert tokens.handle == "John Doe"
    assert tokens.scopes == "email openid profile w_member_social"
    assert tokens.refresh_token == ""
    assert tokens.expires_at is not None
    assert 59 * 86400 < tokens.expires_at.timestamp() - time.time() <= 60 * 86400


def test_exchange_code_refused_is_rejected_with_the_reason(api) -> None:
    api.route(
        "POST",
        "/oauth/v2/accessToken",
        Reply(
            400,
            {
                "error": "invalid_request",
                "error_description": "Unable to retrieve access token: appid/redirect uri/code "
                "verifier does not match authorization code.",
            },
        ),
    )
    with pytest.raises(Rejected, match="does not match authorization code"):
        linkedin.exchange_code(code="c0de", redirect_uri="https://rp.example/cb/")


def test_publish_creates_an_article_post(api, account) -> None:
    api.route("POST", "/rest/posts", Reply(201, body=b"", headers={"x-restli-id": POST_URN}))

    published = linkedin.publish(account, CONTENT)

    sent = api.sent("POST", "/rest/posts")[0]
    assert sent.header("authorization") == "Bearer li-access-1"
    assert sent.header("linkedin-version") == linkedin.API_VERSION
    assert len(linkedin.API_VERSION) == 6 and linkedin.API_VERSION.isdigit()
    assert sent.header("x-restli-protocol-version") == "2.0.0"
    assert sent.header("content-type") == "application/json"
    assert sent.json() == {
        "author": "urn:li:person:782bbtaQ",
        "commentary": "Proud of the team \\(and our new office\\) #employee",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "content": {
            "article": {
                "source": "https://rallypoint.example/r/abc123",
                "title": "Our new office",
                "description": "Opening day in Lyon.",
            }
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert published.remote_id == POST_URN
    assert published.remote_url == f"https://www.linkedin.com/feed/update/{POST_URN}/"


def test_commentary_escapes_little_markup_but_keeps_links_and_hashtags() -> None:
    text = "Q&A [live] @team_lead: see https://ex.example/a_(b) #Hiring2026 ~*<3*~ \\o/ | {x}"
    assert linkedin.commentary(text) == (
        "Q&A \\[live\\] \\@team\\_lead: see https://ex.example/a_(b) #Hiring2026 "
        "\\~\\*\\<3\\*\\~ \\\\o/ \\| \\{x\\}"
    )


def test_publish_again_after_a_crash_takes_the_post_linkedin_calls_a_duplicate(
    api, account
) -> None:
    api.route(
        "POST",
        "/rest/posts",
        Reply(
            422,
            {
                "errorDetailType": "com.linkedin.common.error.BadRequest",
                "message": "Content is a duplicate of urn:li:share:7000000000000000000",
                "status": 422,
            },
        ),
    )
    published = linkedin.publish(account, CONTENT)
    assert published.remote_id == "urn:li:share:7000000000000000000"
    assert published.remote_url == (
        "https://www.linkedin.com/feed/update/urn:li:share:7000000000000000000/"
    )


def test_publish_without_a_post_id_is_rejected(api, account) -> None:
    api.route("POST", "/rest/posts", Reply(201, body=b""))
    with pytest.raises(Rejected, match="did not confirm"):
        linkedin.publish(account, CONTENT)


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            Reply(
                401,
                {
                    "status": 401,
                    "serviceErrorCode": 65600,
                    "code": "INVALID_ACCESS_TOKEN",
                    "message": "Invalid access token",
                },
            ),
            AuthExpired,
            "Please reconnect your LinkedIn account",
        ),
        (
            Reply(
                403,
                {
                    "status": 403,
                    "serviceErrorCode": 100,
                    "code": "ACCESS_DENIED",
                    "message": "Not enough permissions to access: partnerApiPostsExternal.CREATE",
                },
            ),
            Forbidden,
            "Not enough permissions",
        ),
        (
            Reply(
                422,
                {
                    "message": "Field Value validation failed in REQUEST_BODY: Data Processing "
                    "Exception while processing fields [/commentary]",
                    "status": 422,
                },
            ),
            Rejected,
            "Data Processing Exception",
        ),
        (Reply(500, {"message": "Internal Server Error", "status": 500}), Unavailable, "500"),
        (Reply(504, body=b"upstream timeout"), Unavailable, "try again later"),
    ],
)
def test_publish_maps_errors(api, account, reply, error, message) -> None:
    api.route("POST", "/rest/posts", reply)
    with pytest.raises(error, match=message) as caught:
        linkedin.publish(account, CONTENT)
    assert str(caught.value).startswith("LinkedIn ")


@pytest.mark.parametrize(("form", "expected"), [("seconds", 60.0), ("http-date", 3600.0)])
def test_publish_rate_limited_honours_retry_after(api, account, form, expected) -> None:
    header = "60" if form == "seconds" else formatdate(time.time() + 3600, usegmt=True)
    api.route(
        "POST",
        "/rest/posts",
        Reply(
            429,
            {
                "message": "Resource level throttle APPLICATION DAY limit for calls to this "
                "resource is reached.",
                "status": 429,
            },
            headers={"Retry-After": header},
        ),
    )
    with pytest.raises(RateLimited) as caught:
        linkedin.publish(account, CONTENT)
    assert caught.value.retry_after == pytest.approx(expected, abs=3)


def test_publish_rate_limited_without_a_header_leaves_the_wait_to_the_caller(api, account) -> None:
    api.route("POST", "/rest/posts", Reply(429, {"status": 429, "message": "Too many"}))
    with pytest.raises(RateLimited, match="try again later") as caught:
        linkedin.publish(account, CONTENT)
    assert caught.value.retry_after is None


def test_publish_timeout_is_unavailable(api, account, settings) -> None:
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    api.route("POST", "/rest/posts", Reply(201, headers={"x-restli-id": POST_URN}, delay=2))
    with pytest.raises(Unavailable, match="did not answer in time"):
        linkedin.publish(account, CONTENT)


def test_refresh_without_a_refresh_token_means_reconnect(api, account) -> None:
    with pytest.raises(AuthExpired, match="reconnect"):
        linkedin.refresh(account)
    assert api.requests == []


def test_refresh_with_a_refresh_token(api, account) -> None:
    account.refresh_token = "li-refresh-1"
    api.route(
        "POST",
        "/oauth/v2/accessToken",
        Reply(
            200,
            {
                "access_token": "li-access-2",
                "expires_in": 5184000,
                "refresh_token": "li-refresh-1",
                "refresh_token_expires_in": 525600,
                "scope": "email,openid,profile,w_member_social",
            },
        ),
    )
    tokens = linkedin.refresh(account)
    form = {k: v[0] for k, v in api.sent("POST", "/oauth/v2/accessToken")[0].form().items()}
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "li-refresh-1",
        "client_id": "li-client",
        "client_secret": "li-secret",
    }
    assert tokens.access_token == "li-access-2"
    assert tokens.remote_id == "urn:li:person:782bbtaQ"


def test_refresh_refused_means_reconnect(api, account) -> None:
    account.refresh_token = "li-refresh-1"
    api.route(
        "POST",
        "/oauth/v2/accessToken",
        Reply(
            400,
            {
                "error": "invalid_request",
                "error_description": "The provided refresh token is invalid",
            },
        ),
    )
    with pytest.raises(AuthExpired):
        linkedin.refresh(account)


def test_metrics_without_the_analytics_scope_is_none(api, account) -> None:
    assert linkedin.metrics(account, POST_URN) is None
    assert api.requests == []


def test_metrics_reads_member_post_analytics(api, account) -> None:
    account.scopes = f"{linkedin.SCOPES} r_member_postAnalytics"
    counts = {"IMPRESSION": 1234, "REACTION": 56, "COMMENT": 7, "RESHARE": 3}

    def analytics(request: Recorded) -> Reply:
        query_type = request.query["queryType"][0]
        return Reply(
            200,
            {
                "paging": {"start": 0, "count": 10, "links": []},
                "elements": [
                    {
                        "count": counts[query_type],
                        "metricType": {
                            "com.linkedin.adsexternalapi.memberanalytics.v1."
                            "CreatorPostAnalyticsMetricTypeV1": query_type
                        },
                    }
                ],
            },
        )

    api.route("GET", "/rest/memberCreatorPostAnalytics", analytics)

    metrics = linkedin.metrics(account, POST_URN)

    sent = api.sent("GET", "/rest/memberCreatorPostAnalytics")
    assert sorted(r.query["queryType"][0] for r in sent) == sorted(counts)
    for request in sent:
        assert request.query["q"] == ["entity"]
        assert request.query["entity"] == [f"(share:{POST_URN})"]
        assert request.query["aggregation"] == ["TOTAL"]
        assert request.header("linkedin-version") == linkedin.API_VERSION
        assert request.header("x-restli-protocol-version") == "2.0.0"
    assert metrics is not None
    assert (metrics.impressions, metrics.likes, metrics.replies, metrics.reposts) == (
        1234,
        56,
        7,
        3,
    )
    assert metrics.quotes is None


def test_metrics_with_no_data_gives_none_figures(api, account) -> None:
    account.scopes = f"{linkedin.SCOPES} r_member_postAnalytics"
    api.route("GET", "/rest/memberCreatorPostAnalytics", Reply(200, {"paging": {}, "elements": []}))
    metrics = linkedin.metrics(account, "urn:li:ugcPost:6443156446455693312")
    assert metrics is not None
    assert metrics.impressions is None and metrics.likes is None
    entity = api.sent("GET", "/rest/memberCreatorPostAnalytics")[0].query["entity"]
    assert entity == ["(ugc:urn:li:ugcPost:6443156446455693312)"]
