"""Contract of the Bluesky connector against a loopback stand-in of a PDS and the AppView.

Success and error bodies are the ones Bluesky documents:
- createSession: https://docs.bsky.app/docs/api/com-atproto-server-create-session
- refreshSession: https://docs.bsky.app/docs/api/com-atproto-server-refresh-session
- createRecord: https://docs.bsky.app/docs/api/com-atproto-repo-create-record
- getRecord: https://docs.bsky.app/docs/api/com-atproto-repo-get-record
- getPosts: https://docs.bsky.app/docs/api/app-bsky-feed-get-posts
- posts, link cards and facets (UTF-8 byte offsets): https://docs.bsky.app/docs/advanced-guides/posts
- record keys and TIDs: https://atproto.com/specs/record-key https://atproto.com/specs/tid
- XRPC errors ({"error", "message"}) and rate-limit headers:
  https://atproto.com/specs/xrpc https://docs.bsky.app/docs/advanced-guides/rate-limits
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
from email.utils import formatdate

import pytest

from rallypoint.networks import bluesky, registry
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

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
CONTENT = ShareContent(
    text="Café ☕ opens today #employee",
    url="https://rallypoint.example/r/abc123",
    title="New office",
    description="Opening day in Lyon.",
    idempotency_key="9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e11",
)


def jwt(exp: int) -> str:
    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header = part({"typ": "at+jwt", "alg": "ES256K"})
    claims = part({"scope": "com.atproto.appPass", "sub": DID, "exp": exp})
    return f"{header}.{claims}.c2lnbmF0dXJl"


def session_body(access: str, refresh: str) -> dict[str, object]:
    return {
        "accessJwt": access,
        "refreshJwt": refresh,
        "handle": "alice.bsky.social",
        "did": DID,
        "email": "alice@example.com",
        "emailConfirmed": True,
        "active": True,
    }


def created_body(rkey: str) -> dict[str, object]:
    return {
        "uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
        "cid": "bafyreibjifzpqj6o6wcq3hejh7y4z4z2vmiklkvykc57tw3pcbx3kxifpm",
        "commit": {
            "cid": "bafyreigdltbmvwqkvq6mbzhmfeqfb5n4rpbvy3xqqr3jqm4nrwtsk6gkdy",
            "rev": "3lbxxzv2y2c2e",
        },
        "validationStatus": "valid",
    }


@pytest.fixture
def pds(fake_network, settings):
    fake = fake_network()
    settings.BLUESKY_PDS_URL = fake.base_url
    settings.BLUESKY_APPVIEW_URL = fake.base_url
    return fake


@pytest.fixture
def account(pds, django_user_model) -> ConnectedAccount:
    user = django_user_model.objects.create_user("ana@example.com", "x" * 12, display_name="Ana")
    account = ConnectedAccount(
        user=user,
        network="bluesky",
        instance=pds.base_url,
        remote_id=DID,
        handle="alice.bsky.social",
    )
    account.access_token = "bsky-access-1"
    account.refresh_token = "bsky-refresh-1"
    account.save()
    return account


def test_registry_gives_the_bluesky_connector() -> None:
    assert registry.connector("bluesky") is bluesky


def test_create_session_with_an_app_password(pds) -> None:
    exp = int(time.time()) + 7200
    pds.route(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        Reply(200, session_body(jwt(exp), "refresh-jwt")),
    )

    tokens = bluesky.create_session(
        identifier="@alice.bsky.social", app_password="abcd-efgh-ijkl-mnop"
    )

    sent = pds.sent("POST", "/xrpc/com.atproto.server.createSession")[0]
    assert sent.header("content-type") == "application/json"
    assert sent.json() == {"identifier": "alice.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
    assert tokens.remote_id == DID
    assert tokens.handle == "alice.bsky.social"
    assert tokens.refresh_token == "refresh-jwt"
    assert tokens.expires_at == dt.datetime.fromtimestamp(exp, tz=dt.UTC)


def test_create_session_with_an_opaque_token_has_no_expiry(pds) -> None:
    pds.route(
        "POST", "/xrpc/com.atproto.server.createSession", Reply(200, session_body("opaque", "r"))
    )
    tokens = bluesky.create_session(identifier="alice.bsky.social", app_password="p")
    assert tokens.access_token == "opaque"
    assert tokens.expires_at is None


def test_create_session_wrong_password(pds) -> None:
    pds.route(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        Reply(
            401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        ),
    )
    with pytest.raises(AuthExpired, match="Invalid identifier or password"):
        bluesky.create_session(identifier="alice.bsky.social", app_password="wrong")


def test_refresh_uses_the_refresh_token_as_bearer(pds, account) -> None:
    pds.route(
        "POST",
        "/xrpc/com.atproto.server.refreshSession",
        Reply(200, session_body("bsky-access-2", "bsky-refresh-2")),
    )
    tokens = bluesky.refresh(account)
    sent = pds.sent("POST", "/xrpc/com.atproto.server.refreshSession")[0]
    assert sent.header("authorization") == "Bearer bsky-refresh-1"
    assert (tokens.access_token, tokens.refresh_token) == ("bsky-access-2", "bsky-refresh-2")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(400, {"error": "ExpiredToken", "message": "Token has expired"}),
        Reply(400, {"error": "InvalidToken", "message": "Token has been revoked"}),
        Reply(401, {"error": "AuthenticationRequired", "message": "Invalid token"}),
    ],
)
def test_refresh_refused_means_reconnect(pds, account, reply) -> None:
    pds.route("POST", "/xrpc/com.atproto.server.refreshSession", reply)
    with pytest.raises(AuthExpired, match="reconnect"):
        bluesky.refresh(account)


def test_record_key_is_a_deterministic_past_tid() -> None:
    first = bluesky.record_key("9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e11")
    assert first == bluesky.record_key("9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e11")
    assert first != bluesky.record_key("9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e12")
    for key in ("a", "b", "9a4c1f0e-64c5-4d0a-8f0c-0f5b6c9a3e11", "x" * 100):
        rkey = bluesky.record_key(key)
        assert TID_PATTERN.match(rkey), rkey
        value = 0
        for char in rkey:
            value = value * 32 + bluesky.TID_ALPHABET.index(char)
        moment = dt.datetime.fromtimestamp((value >> 10) / 1_000_000, tz=dt.UTC)
        assert (
            dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
            <= moment
            < dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
        )


def test_facets_use_utf8_byte_offsets() -> None:
    text = "Café ☕ opens today #employee https://rallypoint.example/r/abc123"
    found = bluesky.facets(text, "https://rallypoint.example/r/abc123")
    raw = text.encode("utf-8")
    spans = [
        (raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in found
    ]
    assert spans == [
        ("#employee", {"$type": "app.bsky.richtext.facet#tag", "tag": "employee"}),
        (
            "https://rallypoint.example/r/abc123",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://rallypoint.example/r/abc123"},
        ),
    ]


def test_publish_creates_a_post_record_with_a_link_card(pds, account) -> None:
    rkey = bluesky.record_key(CONTENT.idempotency_key)
    pds.route("POST", "/xrpc/com.atproto.repo.createRecord", Reply(200, created_body(rkey)))

    published = bluesky.publish(account, CONTENT)

    sent = pds.sent("POST", "/xrpc/com.atproto.repo.createRecord")[0]
    assert sent.header("authorization") == "Bearer bsky-access-1"
    body = sent.json()
    assert (body["repo"], body["collection"], body["rkey"]) == (DID, "app.bsky.feed.post", rkey)
    record = body["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["text"] == "Café ☕ opens today #employee https://rallypoint.example/r/abc123"
    assert dt.datetime.fromisoformat(record["createdAt"].replace("Z", "+00:00")) <= dt.datetime.now(
        tz=dt.UTC
    )
    assert record["createdAt"].endswith("Z")
    assert record["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": "https://rallypoint.example/r/abc123",
            "title": "New office",
            "description": "Opening day in Lyon.",
        },
    }
    link = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#link"))
    text_bytes = record["text"].encode()
    assert text_bytes[link["index"]["byteStart"] : link["index"]["byteEnd"]] == (
        b"https://rallypoint.example/r/abc123"
    )
    assert published.remote_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert published.remote_url == f"https://bsky.app/profile/alice.bsky.social/post/{rkey}"


@pytest.mark.parametrize(
    "duplicate",
    [
        Reply(500, {"error": "InternalServerError", "message": "Internal Server Error"}),
        Reply(409, {"error": "RecordAlreadyExists", "message": "Record already exists"}),
    ],
    ids=["older-pds", "newer-pds"],
)
def test_publish_again_after_a_crash_returns_the_existing_post(pds, account, duplicate) -> None:
    rkey = bluesky.record_key(CONTENT.idempotency_key)
    pds.route("POST", "/xrpc/com.atproto.repo.createRecord", duplicate)

    def get_record(request: Recorded) -> Reply:
        if request.query.get("rkey") != [rkey]:
            return Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"})
        return Reply(
            200,
            {
                "uri": f"at://{DID}/app.bsky.feed.post/{rkey}",
                "cid": "bafyreibjifzpqj6o6wcq3hejh7y4z4z2vmiklkvykc57tw3pcbx3kxifpm",
                "value": {"$type": "app.bsky.feed.post", "text": "…", "createdAt": "…"},
            },
        )

    pds.route("GET", "/xrpc/com.atproto.repo.getRecord", get_record)

    published = bluesky.publish(account, CONTENT)

    lookup = pds.sent("GET", "/xrpc/com.atproto.repo.getRecord")[0]
    assert lookup.query == {"repo": [DID], "collection": ["app.bsky.feed.post"], "rkey": [rkey]}
    assert published.remote_id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert published.remote_url.endswith(f"/post/{rkey}")


def test_publish_failure_without_an_existing_record_is_raised(pds, account) -> None:
    pds.route(
        "POST",
        "/xrpc/com.atproto.repo.createRecord",
        Reply(
            400,
            {
                "error": "InvalidRequest",
                "message": "Invalid app.bsky.feed.post record: Record/text must not be longer "
                "than 300 graphemes",
            },
        ),
    )
    pds.route(
        "GET",
        "/xrpc/com.atproto.repo.getRecord",
        Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"}),
    )
    with pytest.raises(Rejected, match="must not be longer than 300 graphemes"):
        bluesky.publish(account, CONTENT)


def test_publish_refuses_a_text_over_300_graphemes_before_sending(pds, account) -> None:
    with pytest.raises(Rejected, match="too long for Bluesky"):
        bluesky.publish(
            account, ShareContent(text="🇫🇷" * 280, url="https://rallypoint.example/r/x")
        )
    assert pds.requests == []


def test_publish_counts_graphemes_not_bytes(pds, account) -> None:
    # 250 flags and the link are 281 graphemes (but over 2,000 bytes): within the limit.
    content = ShareContent(
        text="🇫🇷" * 250, url="https://rallypoint.example/r/x", idempotency_key="k"
    )
    rkey = bluesky.record_key("k")
    pds.route("POST", "/xrpc/com.atproto.repo.createRecord", Reply(200, created_body(rkey)))
    bluesky.publish(account, content)
    sent = pds.sent("POST", "/xrpc/com.atproto.repo.createRecord")[0].json()
    assert sent["record"]["text"] == "🇫🇷" * 250 + " https://rallypoint.example/r/x"
    assert sent["record"]["facets"][0]["index"]["byteStart"] == 250 * 8 + 1


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            Reply(400, {"error": "ExpiredToken", "message": "Token has expired"}),
            AuthExpired,
            "reconnect",
        ),
        (
            Reply(401, {"error": "AuthenticationRequired", "message": "Invalid token"}),
            AuthExpired,
            "reconnect",
        ),
        (
            Reply(403, {"error": "AccountTakedown", "message": "Account has been taken down"}),
            Forbidden,
            "Account has been taken down",
        ),
        (
            Reply(502, {"error": "UpstreamFailure", "message": "Upstream Failure"}),
            Unavailable,
            "502",
        ),
    ],
)
def test_publish_maps_errors(pds, account, reply, error, message) -> None:
    pds.route("POST", "/xrpc/com.atproto.repo.createRecord", reply)
    pds.route(
        "GET",
        "/xrpc/com.atproto.repo.getRecord",
        Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"}),
    )
    with pytest.raises(error, match=message) as caught:
        bluesky.publish(account, CONTENT)
    assert str(caught.value).startswith("Bluesky ")


@pytest.mark.parametrize(
    ("form", "expected"), [("seconds", 45.0), ("http-date", 600.0), ("ratelimit-reset", 1800.0)]
)
def test_publish_rate_limited(pds, account, form, expected) -> None:
    if form == "seconds":
        headers = {"Retry-After": "45"}
    elif form == "http-date":
        headers = {"Retry-After": formatdate(time.time() + 600, usegmt=True)}
    else:
        headers = {
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(time.time()) + 1800),
            "ratelimit-policy": "5000;w=3600",
        }
    pds.route(
        "POST",
        "/xrpc/com.atproto.repo.createRecord",
        Reply(
            429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers=headers
        ),
    )
    with pytest.raises(RateLimited) as caught:
        bluesky.publish(account, CONTENT)
    assert caught.value.retry_after == pytest.approx(expected, abs=3)
    assert pds.sent("GET", "/xrpc/com.atproto.repo.getRecord") == []


def test_publish_timeout_then_nothing_found_is_unavailable(pds, account, settings) -> None:
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.5
    rkey = bluesky.record_key(CONTENT.idempotency_key)
    pds.route(
        "POST", "/xrpc/com.atproto.repo.createRecord", Reply(200, created_body(rkey), delay=2)
    )
    pds.route(
        "GET",
        "/xrpc/com.atproto.repo.getRecord",
        Reply(400, {"error": "RecordNotFound", "message": "Could not locate record"}),
    )
    with pytest.raises(Unavailable, match="did not answer in time"):
        bluesky.publish(account, CONTENT)


def test_metrics_from_the_appview(pds, account) -> None:
    uri = f"at://{DID}/app.bsky.feed.post/3l3qo2vuowo2b"
    pds.route(
        "GET",
        "/xrpc/app.bsky.feed.getPosts",
        Reply(
            200,
            {
                "posts": [
                    {
                        "uri": uri,
                        "cid": "bafyreibjifzpqj6o6wcq3hejh7y4z4z2vmiklkvykc57tw3pcbx3kxifpm",
                        "author": {"did": DID, "handle": "alice.bsky.social"},
                        "record": {"$type": "app.bsky.feed.post", "text": "…"},
                        "replyCount": 2,
                        "repostCount": 5,
                        "likeCount": 40,
                        "quoteCount": 1,
                        "indexedAt": "2026-11-20T10:00:00.000Z",
                    }
                ]
            },
        ),
    )

    metrics = bluesky.metrics(account, uri)

    sent = pds.sent("GET", "/xrpc/app.bsky.feed.getPosts")[0]
    assert sent.query == {"uris": [uri]}
    assert sent.header("authorization") == ""
    assert metrics is not None
    assert (metrics.likes, metrics.reposts, metrics.replies, metrics.quotes) == (40, 5, 2, 1)
    assert metrics.impressions is None


def test_metrics_of_a_deleted_post_is_rejected(pds, account) -> None:
    pds.route("GET", "/xrpc/app.bsky.feed.getPosts", Reply(200, {"posts": []}))
    with pytest.raises(Rejected, match="could not find this post"):
        bluesky.metrics(account, f"at://{DID}/app.bsky.feed.post/3l3qo2vuowo2b")
