"""Single sign-on against a real OpenID Connect provider running on loopback.

The provider (oidc-provider-mock) runs in a thread. The test plays the browser:
the Django test client talks to Rallypoint, httpx talks to the provider, and the
redirects between them are followed by hand. The code exchange, the ID token
check and the userinfo call are real HTTP requests from Rallypoint to the provider.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse
from oidc_provider_mock import run_server_in_thread

from rallypoint.core.models import AuditEntry
from rallypoint.people.models import User

pytestmark = pytest.mark.django_db

SSO_LOGIN = "/accounts/oidc/sso/login/"


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(autouse=True)
def sso(settings, monkeypatch, provider_url) -> str:
    # The provider speaks plain HTTP on loopback.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    settings.OIDC_AUTO_CREATE = False
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme Login",
                    "client_id": "rallypoint-test",
                    "secret": "not-so-secret",
                    "settings": {"server_url": provider_url},
                }
            ],
        }
    }
    return provider_url


def identity(provider_url: str, sub: str, **claims: object) -> None:
    """Create or replace the person ``sub`` at the identity provider."""
    response = httpx.put(f"{provider_url}/users/{sub}", json=claims)
    assert response.status_code == 204, response.text


def sso_sign_in(client, provider_url: str, sub: str):
    """Click "Sign in with Acme Login", approve as ``sub`` at the provider, come back."""
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme Login" in page

    start = client.post(f"{SSO_LOGIN}?process=login")
    assert start.status_code == 302
    authorize_url = start["Location"]
    assert authorize_url.startswith(f"{provider_url}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["client_id"] == ["rallypoint-test"]
    assert query["code_challenge_method"] == ["S256"]

    approved = httpx.post(authorize_url, data={"sub": sub}, follow_redirects=False)
    assert approved.status_code == 302, approved.text
    callback = urlsplit(approved.headers["Location"])
    assert callback.path == f"{SSO_LOGIN}callback/"
    assert "code" in parse_qs(callback.query)
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client):
    user = client.get(reverse("people_profile_edit")).wsgi_request.user
    return user if user.is_authenticated else None


def test_existing_person_signs_in_and_is_linked_by_email(client, sso):
    person = User.objects.create_user(
        "ada@example.com", "a long enough password", display_name="Ada Lovelace"
    )
    identity(sso, "idp-ada-1", email="Ada@Example.com", email_verified=True, name="A. L.")

    response = sso_sign_in(client, sso, "idp-ada-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == person

    account = SocialAccount.objects.get()
    assert account.user == person
    assert account.provider == "sso"
    assert account.uid == "idp-ada-1"
    person.refresh_from_db()
    # Linking keeps the person's own name and password.
    assert person.display_name == "Ada Lovelace"
    assert person.check_password("a long enough password")
    assert User.objects.count() == 1
    entry = AuditEntry.objects.get(action="people.signed_in")
    assert entry.actor == person
    assert entry.details == {"method": "sso"}

    # Next time the link itself is used, even if the provider's email changed.
    client.post("/accounts/logout/")
    identity(sso, "idp-ada-1", email="ada.l@example.org", email_verified=True)
    sso_sign_in(client, sso, "idp-ada-1")
    assert signed_in_user(client) == person
    assert SocialAccount.objects.count() == 1


def test_unknown_email_is_refused_without_auto_create(client, sso):
    identity(sso, "idp-eve", email="eve@example.com", email_verified=True, name="Eve")
    response = sso_sign_in(client, sso, "idp-eve")
    assert response.status_code == 200
    assert "No Rallypoint account found" in response.content.decode()
    assert signed_in_user(client) is None
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


def test_unknown_email_gets_an_account_with_auto_create(client, sso, settings):
    settings.OIDC_AUTO_CREATE = True
    identity(sso, "idp-new", email="New.Hire@example.com", email_verified=True, name="Nour Hire")
    response = sso_sign_in(client, sso, "idp-new")
    assert response.status_code == 302
    person = User.objects.get()
    assert person.email == "new.hire@example.com"
    assert person.display_name == "Nour Hire"
    assert person.role == User.Role.EMPLOYEE
    assert not person.has_usable_password()
    assert signed_in_user(client) == person
    assert SocialAccount.objects.get().user == person
    assert AuditEntry.objects.filter(action="people.created_by_sso", target_id=str(person.pk))


def test_auto_create_still_needs_a_confirmed_email(client, sso, settings):
    settings.OIDC_AUTO_CREATE = True
    identity(sso, "idp-unconfirmed", email="who@example.com", email_verified=False)
    response = sso_sign_in(client, sso, "idp-unconfirmed")
    assert "No Rallypoint account found" in response.content.decode()
    assert not User.objects.exists()


def test_unconfirmed_email_does_not_take_over_an_account(client, sso):
    person = User.objects.create_user(
        "ada@example.com", "a long enough password", display_name="Ada"
    )
    identity(sso, "idp-mallory", email="ada@example.com", email_verified=False)
    sso_sign_in(client, sso, "idp-mallory")
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    person.refresh_from_db()
    assert person.check_password("a long enough password")


def test_deactivated_person_cannot_sign_in_through_sso(client, sso):
    person = User.objects.create_user(
        "gone@example.com", None, display_name="Gone", is_active=False
    )
    identity(sso, "idp-gone", email="gone@example.com", email_verified=True)
    response = sso_sign_in(client, sso, "idp-gone")
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert "This account is deactivated" in response.content.decode()
    assert signed_in_user(client) is None

    # Also when the account was linked before being deactivated.
    User.objects.filter(pk=person.pk).update(is_active=True)
    sso_sign_in(client, sso, "idp-gone")
    assert signed_in_user(client) == person
    client.post("/accounts/logout/")
    User.objects.filter(pk=person.pk).update(is_active=False)
    sso_sign_in(client, sso, "idp-gone")
    assert signed_in_user(client) is None
