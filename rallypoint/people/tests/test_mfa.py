"""Two-factor authentication with an authenticator app (TOTP) and recovery codes."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.people.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"
MFA = "/accounts/2fa/authenticate/"


def totp_code(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now (RFC 6238, 30-second steps)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


@pytest.fixture
def person() -> User:
    return User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Lovelace")


def signed_in_user(client):
    user = client.get(reverse("people_profile_edit")).wsgi_request.user
    return user if user.is_authenticated else None


def password_step(client, person):
    return client.post(LOGIN, {"login": person.email, "password": PASSWORD})


def activate_totp(client, person, on_commit) -> tuple[str, list[str]]:
    password_step(client, person)
    # Changing two-factor settings asks for the password again.
    assert client.get(reverse("mfa_activate_totp"))["Location"].startswith(
        reverse("account_reauthenticate")
    )
    reauth = client.get(reverse("account_reauthenticate")).content.decode()
    assert '<label for="id_password">Password</label>' in reauth
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.content.decode()
    # allauth announces the new authenticator once the transaction commits.
    with on_commit(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    codes = (
        Authenticator.objects.get(user=person, type=Authenticator.Type.RECOVERY_CODES)
        .wrap()
        .get_unused_codes()
    )
    return secret, codes


def test_activate_totp_then_sign_in_asks_for_the_code(
    client, person, django_capture_on_commit_callbacks
):
    secret, codes = activate_totp(client, person, django_capture_on_commit_callbacks)
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert len(codes) >= 8
    entry = AuditEntry.objects.get(action="people.mfa_activated")
    assert entry.actor == person

    client.post("/accounts/logout/")
    response = password_step(client, person)
    assert response.status_code == 302
    assert response["Location"] == MFA
    assert signed_in_user(client) is None

    page = client.get(MFA).content.decode()
    assert "Two-factor authentication" in page
    assert '<label for="id_code">Code</label>' in page

    wrong = client.post(MFA, {"code": "000000" if totp_code(secret) != "000000" else "111111"})
    assert "Incorrect code." in wrong.content.decode()
    assert signed_in_user(client) is None

    response = client.post(MFA, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert signed_in_user(client) == person
    assert AuditEntry.objects.filter(action="people.signed_in", actor=person).count() == 2


def test_recovery_code_works_once(client, person, django_capture_on_commit_callbacks):
    _, codes = activate_totp(client, person, django_capture_on_commit_callbacks)
    client.post("/accounts/logout/")

    password_step(client, person)
    client.post(MFA, {"code": codes[0]})
    assert signed_in_user(client) == person
    client.post("/accounts/logout/")

    password_step(client, person)
    reused = client.post(MFA, {"code": codes[0]})
    assert "Incorrect code." in reused.content.decode()
    assert signed_in_user(client) is None
    client.post(MFA, {"code": codes[1]})
    assert signed_in_user(client) == person


def test_deactivating_totp_is_audited_and_stops_asking(
    client, person, django_capture_on_commit_callbacks
):
    activate_totp(client, person, django_capture_on_commit_callbacks)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert AuditEntry.objects.get(action="people.mfa_deactivated").actor == person

    client.post("/accounts/logout/")
    assert password_step(client, person)["Location"] == reverse("home")
    assert signed_in_user(client) == person


def test_wrong_codes_count_as_failed_sign_ins(
    client, person, django_capture_on_commit_callbacks, settings
):
    settings.LOGIN_SLOW_AFTER = 2
    secret, _ = activate_totp(client, person, django_capture_on_commit_callbacks)
    client.post("/accounts/logout/")
    password_step(client, person)
    bad = "000000" if totp_code(secret) != "000000" else "111111"
    client.post(MFA, {"code": bad})
    page = client.post(MFA, {"code": bad}).content.decode()
    assert "Too many failed sign-ins. Try again in 2 seconds." in page

    # The sign-in in progress is dropped: a right code no longer helps ...
    response = client.post(MFA, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert signed_in_user(client) is None
    # ... and the password step now has to wait too.
    refused = password_step(client, person)
    assert "Too many failed sign-ins." in refused.content.decode()
