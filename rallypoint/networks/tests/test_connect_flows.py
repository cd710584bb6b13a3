"""Connecting accounts through the pages, against stand-ins of each network on loopback:
the authorization redirect, the callback, state checks, and what ends up stored."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.networks.models import ConnectedAccount, MastodonApp
from rallypoint.networks.oauth import SESSION_KEY, pkce_challenge
from rallypoint.networks.testing import FakeNetwork, Reply
from rallypoint.people.models import User

X_TOKEN = {
    "token_type": "bearer",
    "expires_in": 7200,
    "access_token": "x-access-token-secret-1",
    "scope": "tweet.read tweet.write users.read offline.access",
    "refresh_token": "x-refresh-token-secret-1",
}
X_ME = {"data": {"id": "2244994945", "name": "X Developers", "username": "XDevelopers"}}
LINKEDIN_TOKEN = {
    "access_token": "linkedin-access-token-secret",
    "expires_in": 5183999,
    "scope": "email,openid,profile,w_member_social",
    "token_type": "Bearer",
    "id_token": "eyJ0eXAi.e30.sig",
}
LINKEDIN_USERINFO = {
    "sub": "782bbtaQ",
    "name": "John Doe",
    "given_name": "John",
    "family_name": "Doe",
    "email": "doe@email.com",
    "email_verified": True,
}
MASTODON_APP: dict[str, str | None] = {
    "id": "563419",
    "name": "Rallypoint",
    "website": None,
    "redirect_uri": "",
    "client_id": "TWhM-tNSuncnqN7DBJmoyeLnk6K3iJJ71KKXxgL1hPM",
    "client_secret": "ZEaFUFmF0umgBX1qKJDjaU99Q31lDkOU8NutzTOoliw",
}
MASTODON_TOKEN = {
    "access_token": "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0",
    "token_type": "Bearer",
    "scope": "read:accounts read:statuses write:statuses",
    "created_at": 1573979017,
}
MASTODON_ME = {"id": "14715", "username": "trwnh", "acct": "trwnh", "display_name": "infinite"}
BLUESKY_SESSION = {
    "did": "did:plc:z72i7hdynmk6r22z27h6tvur",
    "handle": "alice.bsky.social",
    "accessJwt": "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.bluesky-access-secret",
    "refreshJwt": "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.bluesky-refresh-secret",
    "active": True,
}
APP_PASSWORD = "k7qe-2mzp-x9wr-4tnb"


@pytest.fixture
def fake(fake_network, settings) -> FakeNetwork:
    """One stand-in for all four networks, with Rallypoint configured to use it."""
    network = fake_network()
    for name in (
        "LINKEDIN_API_URL",
        "LINKEDIN_AUTH_URL",
        "X_API_URL",
        "X_AUTH_URL",
        "BLUESKY_PDS_URL",
        "BLUESKY_APPVIEW_URL",
    ):
        setattr(settings, name, network.base_url)
    settings.MASTODON_INSECURE_HTTP = True
    settings.LINKEDIN_CLIENT_ID, settings.LINKEDIN_CLIENT_SECRET = "li-client", "li-secret"
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "x-client", "x-secret"
    network.route("POST", "/2/oauth2/token", Reply(200, X_TOKEN))
    network.route("GET", "/2/users/me", Reply(200, X_ME))
    network.route("POST", "/oauth/v2/accessToken", Reply(200, LINKEDIN_TOKEN))
    network.route("GET", "/v2/userinfo", Reply(200, LINKEDIN_USERINFO))
    network.route("POST", "/api/v1/apps", Reply(200, MASTODON_APP))
    network.route("POST", "/oauth/token", Reply(200, MASTODON_TOKEN))
    network.route("GET", "/api/v1/accounts/verify_credentials", Reply(200, MASTODON_ME))
    network.route("POST", "/xrpc/com.atproto.server.createSession", Reply(200, BLUESKY_SESSION))
    return network


@pytest.fixture
def ana(db) -> User:
    return User.objects.create_user("ana@example.com", "pw-ana-123456", display_name="Ana")


@pytest.fixture
def signed_in(client, ana):
    client.force_login(ana)
    return client


def raw_row(account: ConnectedAccount) -> str:
    """Every column of the account's row as stored, joined, read with plain SQL."""
    table = ConnectedAccount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [account.pk])  # noqa: S608
        return " ".join(str(value) for value in cursor.fetchone())


def start(client, network: str, **data: str) -> tuple[str, dict[str, str]]:
    """POST the connect button; the network's address and its query parameters."""
    response = client.post(reverse("networks_connect", args=[network]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    split = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(split.query).items()}
    return f"{split.scheme}://{split.netloc}{split.path}", query


def callback(client, network: str, **params: str):
    return client.get(reverse("networks_callback", args=[network]), params, follow=True)


def page_text(response) -> str:
    return response.content.decode()


def test_x_connect_uses_pkce_and_stores_the_tokens_encrypted(signed_in, fake, ana):
    address, query = start(signed_in, "x")
    assert address == f"{fake.base_url}/i/oauth2/authorize"
    assert query["client_id"] == "x-client"
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == f"{settings.BASE_URL}/connections/x/callback/"
    assert "offline.access" in query["scope"].split()
    assert query["code_challenge_method"] == "S256"
    verifier = signed_in.session[SESSION_KEY][query["state"]]["code_verifier"]
    assert query["code_challenge"] == pkce_challenge(verifier)
    assert 43 <= len(verifier) <= 128

    response = callback(signed_in, "x", code="auth-code-1", state=query["state"])
    assert response.redirect_chain[-1][0] == reverse("networks_accounts")
    assert "Your X account XDevelopers is connected." in page_text(response)

    token_request = fake.sent("POST", "/2/oauth2/token")[0].form()
    assert token_request["code"] == ["auth-code-1"]
    assert token_request["code_verifier"] == [verifier]
    assert token_request["redirect_uri"] == [query["redirect_uri"]]
    assert fake.sent("POST", "/2/oauth2/token")[0].header("Authorization").startswith("Basic ")

    account = ConnectedAccount.objects.get(user=ana, network="x")
    assert account.remote_id == "2244994945" and account.handle == "XDevelopers"
    assert account.access_token == X_TOKEN["access_token"]
    assert account.refresh_token == X_TOKEN["refresh_token"]
    assert account.token_expires_at is not None
    assert account.status == ConnectedAccount.Status.ACTIVE
    stored = raw_row(account)
    assert "x-access-token-secret" not in stored and "x-refresh-token-secret" not in stored
    audit = AuditEntry.objects.get(action="networks.account_connected")
    assert "secret" not in str(audit.details) and audit.details["handle"] == "XDevelopers"


def test_a_state_is_used_once(signed_in, fake, ana):
    _address, query = start(signed_in, "x")
    callback(signed_in, "x", code="auth-code-1", state=query["state"])
    ConnectedAccount.objects.all().delete()
    again = callback(signed_in, "x", code="auth-code-1", state=query["state"])
    assert "unknown or was already used" in page_text(again)
    assert len(fake.sent("POST", "/2/oauth2/token")) == 1
    assert not ConnectedAccount.objects.exists()


def test_unknown_expired_and_foreign_states_are_refused(signed_in, fake, ana):
    response = callback(signed_in, "x", code="c", state="made-up")
    assert "unknown or was already used" in page_text(response)

    _address, query = start(signed_in, "x")
    session = signed_in.session
    pending = session[SESSION_KEY]
    pending[query["state"]]["created"] -= 601
    session[SESSION_KEY] = pending
    session.save()
    response = callback(signed_in, "x", code="c", state=query["state"])
    assert "took too long" in page_text(response)

    _address, query = start(signed_in, "x")
    response = callback(signed_in, "linkedin", code="c", state=query["state"])
    assert "meant for another network" in page_text(response)

    assert not fake.sent("POST", "/2/oauth2/token")
    assert not fake.sent("POST", "/oauth/v2/accessToken")
    assert not ConnectedAccount.objects.exists()


def test_a_state_from_another_session_is_refused(client, fake, ana):
    client.force_login(ana)
    _address, query = start(client, "x")
    other = User.objects.create_user("bo@example.com", "pw-bo-123456", display_name="Bo")
    client.force_login(other)
    response = callback(client, "x", code="c", state=query["state"])
    assert "unknown or was already used" in page_text(response)
    assert not ConnectedAccount.objects.exists()


def test_refusing_at_the_network_stores_nothing(signed_in, fake, ana):
    _address, query = start(signed_in, "x", next="/library/")
    response = callback(
        signed_in,
        "x",
        error="access_denied",
        error_description="The user denied",
        state=query["state"],
    )
    assert response.redirect_chain[-1][0] == "/library/"
    assert not ConnectedAccount.objects.exists()
    assert query["state"] not in signed_in.session[SESSION_KEY]
    assert not fake.sent("POST", "/2/oauth2/token")


def test_a_failed_exchange_is_explained(signed_in, fake, ana):
    refusal = {
        "error": "invalid_request",
        "error_description": "Value passed for the authorization code was invalid.",
    }
    fake.route("POST", "/2/oauth2/token", Reply(400, refusal))
    _address, query = start(signed_in, "x")
    response = callback(signed_in, "x", code="bad", state=query["state"])
    text = page_text(response)
    assert "Connecting your X account failed" in text
    assert "authorization code was invalid" in text
    assert not ConnectedAccount.objects.exists()


def test_next_returns_to_the_page_that_asked_and_never_off_site(signed_in, fake, ana):
    _address, query = start(signed_in, "x", next="/library/7/share/")
    response = signed_in.get(
        reverse("networks_callback", args=["x"]), {"code": "c", "state": query["state"]}
    )
    assert response["Location"] == "/library/7/share/"
    _address, query = start(signed_in, "linkedin", next="https://evil.example/")
    response = signed_in.get(
        reverse("networks_callback", args=["linkedin"]), {"code": "c", "state": query["state"]}
    )
    assert response["Location"] == reverse("networks_accounts")


def test_linkedin_connect(signed_in, fake, ana):
    address, query = start(signed_in, "linkedin")
    assert address == f"{fake.base_url}/oauth/v2/authorization"
    assert query["client_id"] == "li-client"
    assert set(query["scope"].split()) >= {"openid", "profile", "w_member_social"}
    assert query["redirect_uri"] == f"{settings.BASE_URL}/connections/linkedin/callback/"
    callback(signed_in, "linkedin", code="li-code", state=query["state"])
    form = fake.sent("POST", "/oauth/v2/accessToken")[0].form()
    assert form["client_secret"] == ["li-secret"] and form["code"] == ["li-code"]
    assert fake.sent("GET", "/v2/userinfo")[0].header("Authorization") == (
        f"Bearer {LINKEDIN_TOKEN['access_token']}"
    )
    account = ConnectedAccount.objects.get(user=ana, network="linkedin")
    assert account.remote_id == "urn:li:person:782bbtaQ" and account.handle == "John Doe"
    assert account.access_token == LINKEDIN_TOKEN["access_token"]
    assert str(LINKEDIN_TOKEN["access_token"]) not in raw_row(account)


def test_mastodon_registers_once_per_instance_then_connects(signed_in, fake, ana):
    address, query = start(signed_in, "mastodon", instance=f"https://{fake.host}/")
    assert address == f"{fake.base_url}/oauth/authorize"
    assert query["client_id"] == MASTODON_APP["client_id"]
    assert "write:statuses" in query["scope"].split()
    registration = fake.sent("POST", "/api/v1/apps")[0].form()
    assert registration["redirect_uris"] == [query["redirect_uri"]]
    app = MastodonApp.objects.get()
    assert app.instance == fake.host
    assert app.client_secret == MASTODON_APP["client_secret"]
    assert str(MASTODON_APP["client_secret"]) not in app.client_secret_encrypted

    callback(signed_in, "mastodon", code="m-code", state=query["state"])
    token_form = fake.sent("POST", "/oauth/token")[0].form()
    assert token_form["client_secret"] == [MASTODON_APP["client_secret"]]
    account = ConnectedAccount.objects.get(user=ana, network="mastodon")
    assert account.instance == fake.host
    assert account.handle == f"@trwnh@{fake.host}"
    assert account.access_token == MASTODON_TOKEN["access_token"]
    assert str(MASTODON_TOKEN["access_token"]) not in raw_row(account)

    start(signed_in, "mastodon", instance=fake.host)
    assert len(fake.sent("POST", "/api/v1/apps")) == 1


def test_mastodon_instance_is_checked(signed_in, fake, ana):
    response = signed_in.post(
        reverse("networks_connect", args=["mastodon"]), {"instance": "mastodon.social/@ana"}
    )
    assert response.status_code == 200
    assert "without a path" in page_text(response) or "only the server" in page_text(response)
    fake.route("POST", "/api/v1/apps", Reply(503, {"error": "down"}))
    response = signed_in.post(
        reverse("networks_connect", args=["mastodon"]), {"instance": fake.host}
    )
    assert "could not register with" in page_text(response)
    assert not MastodonApp.objects.exists()


def test_bluesky_connects_with_an_app_password_that_is_never_stored(signed_in, fake, ana):
    response = signed_in.post(
        reverse("networks_connect", args=["bluesky"]),
        {"handle": "@alice.bsky.social", "app_password": APP_PASSWORD},
        follow=True,
    )
    assert "Your Bluesky account alice.bsky.social is connected." in page_text(response)
    sent = fake.sent("POST", "/xrpc/com.atproto.server.createSession")[0].json()
    assert sent == {"identifier": "alice.bsky.social", "password": APP_PASSWORD}
    account = ConnectedAccount.objects.get(user=ana, network="bluesky")
    assert account.remote_id == BLUESKY_SESSION["did"]
    assert account.instance == fake.base_url
    assert account.access_token == BLUESKY_SESSION["accessJwt"]
    assert account.refresh_token == BLUESKY_SESSION["refreshJwt"]
    stored = raw_row(account) + str(list(AuditEntry.objects.values()))
    assert APP_PASSWORD not in stored and "bluesky-access-secret" not in stored
    assert APP_PASSWORD not in page_text(response)


def test_bluesky_refuses_an_account_password_and_explains_a_refusal(signed_in, fake, ana):
    response = signed_in.post(
        reverse("networks_connect", args=["bluesky"]),
        {"handle": "alice.bsky.social", "app_password": "my real password"},
    )
    assert "This is not an app password" in page_text(response)
    assert not fake.sent("POST", "/xrpc/com.atproto.server.createSession")
    fake.route(
        "POST",
        "/xrpc/com.atproto.server.createSession",
        Reply(
            401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        ),
    )
    response = signed_in.post(
        reverse("networks_connect", args=["bluesky"]),
        {"handle": "alice.bsky.social", "app_password": APP_PASSWORD},
    )
    assert "Bluesky did not accept this handle and app password." in page_text(response)
    assert not ConnectedAccount.objects.exists()


def test_networks_without_client_ids_are_explained_not_offered(signed_in, fake, settings):
    settings.LINKEDIN_CLIENT_ID = ""
    page = page_text(signed_in.get(reverse("networks_accounts")))
    assert "An administrator has not set up LinkedIn connections yet." in page
    assert reverse("networks_connect", args=["linkedin"]) not in page
    assert reverse("networks_connect", args=["x"]) in page
    response = signed_in.post(reverse("networks_connect", args=["linkedin"]), follow=True)
    assert "has not set up LinkedIn connections" in page_text(response)
    assert not fake.requests


def test_unknown_networks_and_wrong_methods(signed_in, fake):
    assert signed_in.post(reverse("networks_connect", args=["facebook"])).status_code == 404
    assert signed_in.get(reverse("networks_callback", args=["bluesky"])).status_code == 404
    assert signed_in.get(reverse("networks_connect", args=["x"])).status_code == 405


def test_reconnecting_replaces_the_tokens_and_clears_the_warning(signed_in, fake, ana):
    _address, query = start(signed_in, "x")
    callback(signed_in, "x", code="c1", state=query["state"])
    account = ConnectedAccount.objects.get()
    account.status, account.status_reason = "needs_reconnect", "revoked"
    account.save()
    fake.route("POST", "/2/oauth2/token", Reply(200, {**X_TOKEN, "access_token": "x-access-2"}))
    _address, query = start(signed_in, "x")
    callback(signed_in, "x", code="c2", state=query["state"])
    account = ConnectedAccount.objects.get()
    assert account.access_token == "x-access-2"
    assert account.status == "active" and account.status_reason == ""
