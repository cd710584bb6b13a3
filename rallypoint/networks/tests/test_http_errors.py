"""The one mapping from HTTP outcomes to connector errors (``networks._http``)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import time
from email.utils import formatdate

import httpx
import pytest

from rallypoint.core.http import SafeResponse
from rallypoint.networks import _http
from rallypoint.networks.base import (
    AuthExpired,
    Forbidden,
    RateLimited,
    Rejected,
    Unavailable,
)
from rallypoint.networks.testing import Reply

NOW = 1_800_000_000.0


def answer(status: int, body: object = None, headers: dict[str, str] | None = None) -> SafeResponse:
    content = json.dumps(body).encode() if body is not None else b""
    return SafeResponse(
        url="https://api.example/x",
        status_code=status,
        headers=httpx.Headers(headers or {}),
        content=content,
    )


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, None, AuthExpired),
        (400, {"error": "ExpiredToken", "message": "Token has expired"}, AuthExpired),
        (400, {"error": "InvalidToken", "message": "Token could not be verified"}, AuthExpired),
        (403, None, Forbidden),
        (429, None, RateLimited),
        (400, {"error": "InvalidRequest", "message": "Bad record"}, Rejected),
        (404, None, Rejected),
        (409, None, Rejected),
        (422, {"error": "Validation failed"}, Rejected),
        (302, None, Rejected),
        (500, None, Unavailable),
        (502, None, Unavailable),
        (503, None, Unavailable),
    ],
)
def test_status_to_error(status, body, error) -> None:
    found = _http.error_for("mastodon", answer(status, body))
    assert type(found) is error
    assert str(found).startswith("Mastodon ")
    assert found.retryable == (error in (RateLimited, Unavailable))


def test_messages_are_sentences_for_the_employee() -> None:
    expired = str(_http.error_for("linkedin", answer(401)))
    assert "Please reconnect your LinkedIn account" in expired
    forbidden = str(_http.error_for("x", answer(403)))
    assert forbidden.startswith("X refused this request.")
    assert "permission" in forbidden
    limited = str(_http.error_for("bluesky", answer(429, headers={"Retry-After": "3600"})))
    assert (
        limited
        == "Bluesky limits how often Rallypoint may send; it will try again in about 60 minutes."
    )
    down = str(_http.error_for("x", answer(503)))
    assert down == "X had a problem (error 503); Rallypoint will try again later."


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            {"errors": [{"message": "Tweet text is too long."}], "detail": "Invalid"},
            "Tweet text is too long.",
        ),
        (
            {"detail": "You are not allowed to create a Tweet with duplicate content."},
            "You are not allowed to create a Tweet with duplicate content.",
        ),
        (
            {"message": "Invalid access token", "status": 401, "serviceErrorCode": 65600},
            "Invalid access token",
        ),
        (
            {"error": "Validation failed: Text can't be blank"},
            "Validation failed: Text can't be blank",
        ),
        ({"error": "InvalidRequest", "message": "Record/text too long"}, "Record/text too long"),
        (
            {"error": "invalid_grant", "error_description": "The grant is invalid."},
            "The grant is invalid.",
        ),
        ({"error": "RateLimitExceeded"}, "RateLimitExceeded"),
        ({"status": 500}, ""),
        (["not", "an", "object"], ""),
        (None, ""),
    ],
)
def test_error_detail_reads_each_networks_shape(body, detail) -> None:
    assert _http.error_detail(body) == detail


def test_error_detail_is_trimmed_and_one_line() -> None:
    detail = _http.error_detail({"message": "line one\n\nline two " + "x" * 400})
    assert "\n" not in detail
    assert len(detail) == _http.DETAIL_MAX_CHARS
    assert detail.startswith("line one line two x") and detail.endswith("…")


def test_rejected_quotes_the_network() -> None:
    error = _http.error_for(
        "mastodon",
        answer(422, {"error": "Validation failed: Text character limit of 500 exceeded"}),
    )
    assert str(error) == (
        "Mastodon did not accept this (error 422). Mastodon said: "
        "“Validation failed: Text character limit of 500 exceeded”"
    )


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": formatdate(NOW + 90, usegmt=True)}, 90.0),
        ({"Retry-After": formatdate(NOW - 90, usegmt=True)}, 0.0),
        ({"x-rate-limit-reset": str(int(NOW) + 900)}, 900.0),
        ({"ratelimit-reset": str(int(NOW) + 60)}, 60.0),
        ({"ratelimit-reset": "30"}, 30.0),
        ({"X-RateLimit-Reset": "2027-01-15T08:05:00.000Z"}, None),
        ({"Retry-After": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers, seconds) -> None:
    found = _http.retry_after(httpx.Headers(headers), now=NOW)
    if headers.get("X-RateLimit-Reset"):
        moment = dt.datetime(2027, 1, 15, 8, 5, tzinfo=dt.UTC).timestamp()
        assert found == pytest.approx(moment - NOW)
    else:
        assert found == (pytest.approx(seconds) if seconds is not None else None)


def test_retry_after_prefers_retry_after_to_reset_headers() -> None:
    headers = httpx.Headers({"Retry-After": "10", "x-rate-limit-reset": str(int(NOW) + 900)})
    assert _http.retry_after(headers, now=NOW) == 10.0


def test_jwt_expiry_is_read_without_verifying() -> None:
    payload = base64.urlsafe_b64encode(json.dumps({"exp": 1_900_000_000}).encode()).rstrip(b"=")
    token = f"eyJhbGciOiJFUzI1NksifQ.{payload.decode()}.sig"
    assert _http.jwt_expiry(token) == dt.datetime.fromtimestamp(1_900_000_000, tz=dt.UTC)
    assert _http.jwt_expiry("opaque-token") is None
    assert _http.jwt_expiry("a.!!!.c") is None
    no_exp = base64.urlsafe_b64encode(b'{"sub": "did:plc:x"}').rstrip(b"=").decode()
    assert _http.jwt_expiry(f"a.{no_exp}.c") is None


def test_expires_in() -> None:
    moment = _http.expires_in(3600)
    assert moment is not None
    assert 3590 < moment.timestamp() - time.time() <= 3600
    assert _http.expires_in(None) is None
    assert _http.expires_in("soon") is None


def test_request_returns_a_success(fake_network) -> None:
    fake = fake_network()
    fake.route("GET", "/ok", Reply(200, {"fine": True}))
    response = _http.request(
        "x", "GET", f"{fake.base_url}/ok", headers={"Authorization": "Bearer t"}
    )
    assert _http.body("x", response) == {"fine": True}
    sent = fake.sent("GET", "/ok")[0]
    assert sent.header("accept") == "application/json"
    assert sent.header("authorization") == "Bearer t"
    assert sent.header("user-agent").startswith("Rallypoint/")


def test_request_raises_the_mapped_error(fake_network) -> None:
    fake = fake_network()
    fake.route("POST", "/no", Reply(403, {"detail": "Suspended account."}))
    with pytest.raises(Forbidden, match="Suspended account"):
        _http.request("x", "POST", f"{fake.base_url}/no", json={})


def test_request_does_not_follow_redirects(fake_network) -> None:
    fake = fake_network()
    fake.route("POST", "/moved", Reply(302, headers={"Location": "/elsewhere"}))
    with pytest.raises(Rejected, match="302"):
        _http.request("x", "POST", f"{fake.base_url}/moved", json={})
    assert fake.sent("GET", "/elsewhere") == []


def test_unreadable_success_is_unavailable(fake_network) -> None:
    fake = fake_network()
    fake.route("GET", "/html", Reply(200, body=b"<html>maintenance</html>"))
    response = _http.request("bluesky", "GET", f"{fake.base_url}/html")
    with pytest.raises(Unavailable, match="could not read"):
        _http.body("bluesky", response)


def test_timeout_is_unavailable(fake_network, settings) -> None:
    settings.OUTBOUND_TIMEOUT_SECONDS = 0.3
    fake = fake_network()
    fake.route("GET", "/slow", Reply(200, {"late": True}, delay=1.5))
    with pytest.raises(Unavailable, match="LinkedIn did not answer in time"):
        _http.request("linkedin", "GET", f"{fake.base_url}/slow")


def test_unreachable_is_unavailable(fake_network, settings) -> None:
    fake_network()  # opens loopback to the outbound client
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OUTBOUND_ALLOWED_PORTS = [*settings.OUTBOUND_ALLOWED_PORTS, port]
    with pytest.raises(Unavailable, match="could not be reached"):
        _http.request("mastodon", "GET", f"http://127.0.0.1:{port}/api/v1/statuses/1")


def test_forbidden_address_is_rejected_not_retried(settings) -> None:
    settings.OUTBOUND_ALLOW_NETWORKS = []
    with pytest.raises(Rejected, match="may not contact"):
        _http.request("mastodon", "GET", "http://10.1.2.3/api/v1/statuses/1")
