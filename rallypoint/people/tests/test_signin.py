"""Signing in and out with email and password, closed sign-up, password reset."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.people.models import User
from rallypoint.people.tests.mail import link_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


@pytest.fixture
def person() -> User:
    return User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Lovelace")


def sign_in(client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password})


def signed_in_user(client) -> User | None:
    response = client.get(reverse("people_profile_edit"))
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


def test_sign_in_page_has_labelled_fields_and_links(client):
    html = client.get(LOGIN).content.decode()
    assert re.search(r'<label for="id_login">Email</label>', html)
    assert re.search(r'<label for="id_password">Password</label>', html)
    assert re.search(r'<button type="submit">Sign in</button>', html)
    assert f'href="{reverse("account_reset_password")}">Forgot password?</a>' in html
    assert "<h1>" in html
    # Single sign-on is not configured in the test settings.
    assert "Sign in with" not in html
    assert "sign up" not in html.lower()


def test_sign_in_page_offers_single_sign_on_when_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme Login",
                    "client_id": "rallypoint",
                    "secret": "secret",
                    "settings": {"server_url": "https://login.example.com"},
                }
            ]
        }
    }
    html = client.get(LOGIN).content.decode()
    assert "Sign in with Acme Login</button>" in html
    assert 'action="/accounts/oidc/sso/login/?process=login"' in html


def test_correct_password_signs_in_and_is_audited(client, person):
    response = sign_in(client, person.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == person
    entry = AuditEntry.objects.get(action="people.signed_in")
    assert entry.actor == person
    assert entry.details == {"method": "password"}
    assert entry.ip_address == "127.0.0.1"


def test_email_is_matched_without_regard_to_case(client, person):
    sign_in(client, "ADA@Example.com", PASSWORD)
    assert signed_in_user(client) == person


def test_wrong_password_is_refused_and_not_audited(client, person):
    response = sign_in(client, person.email, "not the password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert signed_in_user(client) is None
    assert not AuditEntry.objects.exists()


def test_deactivated_person_cannot_sign_in_with_the_right_password(client, person):
    person.is_active = False
    person.save()
    response = sign_in(client, person.email, PASSWORD)
    assert signed_in_user(client) is None
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert "This account is deactivated" in response.content.decode()
    assert not AuditEntry.objects.filter(action="people.signed_in").exists()


def test_sign_up_is_closed(client):
    page = client.get("/accounts/signup/")
    assert "No Rallypoint account found" in page.content.decode()
    client.post(
        "/accounts/signup/",
        {"email": "mallory@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not User.objects.filter(email="mallory@example.com").exists()


def test_sign_out_is_audited(client, person):
    sign_in(client, person.email, PASSWORD)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_user(client) is None
    entry = AuditEntry.objects.get(action="people.signed_out")
    assert entry.actor == person


def test_passwords_are_hashed_with_argon2_in_production(client, settings):
    settings.PASSWORD_HASHERS = settings.PRODUCTION_PASSWORD_HASHERS
    user = User.objects.create_user("grace@example.com", PASSWORD, display_name="Grace")
    assert identify_hasher(user.password).algorithm == "argon2"
    sign_in(client, user.email, PASSWORD)
    assert signed_in_user(client) == user


def test_password_reset_end_to_end(client, person):
    response = client.post(reverse("account_reset_password"), {"email": "ada@example.com"})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Check your email" in page.content.decode()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert "Choose a new password" in message.subject
    link = link_in(message)

    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    assert "Choose a new password" in response.content.decode()

    new_password = "a brand new passphrase 42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert "Password changed" in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="people.password_reset", actor=person).exists()

    assert sign_in(client, person.email, PASSWORD).status_code == 200
    assert signed_in_user(client) is None
    sign_in(client, person.email, new_password)
    assert signed_in_user(client) == person


def test_password_reset_refuses_weak_passwords_and_used_links(client, person):
    client.post(reverse("account_reset_password"), {"email": person.email})
    link = link_in(mail.outbox[0])
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "short", "password2": "short"})
    assert response.status_code == 200
    assert "This password is too short." in response.content.decode()

    good = "another long passphrase 7"
    client.post(form_url, {"password1": good, "password2": good})
    again = client.get(link, follow=True)
    assert "This link does not work any more" in again.content.decode()


def test_password_reset_for_unknown_address_sends_no_link(client):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)
    assert all("sign up" not in m.body.lower() for m in mail.outbox)


@pytest.mark.parametrize(
    "url_name",
    [
        "account_change_password",
        "account_email",
        "account_reauthenticate",
        "mfa_index",
        "socialaccount_connections",
    ],
)
def test_account_pages_use_the_rallypoint_layout(client, person, url_name):
    sign_in(client, person.email, PASSWORD)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert 'href="/static/css/app.css"' in html
    assert "<h1>" in html
    assert "Menu:" not in html
