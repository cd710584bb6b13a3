"""Repeated failed sign-ins are slowed, then locked, per account and per address."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.people import lockout
from rallypoint.people.models import User
from rallypoint.people.tests.mail import link_in

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/accounts/login/"


class Clock:
    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(lockout, "now", c)
    return c


@pytest.fixture
def limits(settings):
    settings.LOGIN_SLOW_AFTER = 3
    settings.LOGIN_LOCK_AFTER = 6
    settings.LOGIN_LOCK_MINUTES = 15
    return settings


@pytest.fixture
def person() -> User:
    return User.objects.create_user("ada@example.com", PASSWORD, display_name="Ada Lovelace")


def attempt(client, email: str, password: str, address: str = "10.0.0.1") -> str:
    response = client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address)
    if response.status_code == 302:
        return "signed in"
    return response.content.decode()


def signed_in(client) -> bool:
    return client.get(reverse("people_profile_edit")).wsgi_request.user.is_authenticated


WRONG = "The email address and/or password you specified are not correct."


def test_failures_below_the_threshold_are_not_slowed(client, limits, clock, person):
    for _ in range(2):
        assert WRONG in attempt(client, person.email, "wrong")
    assert attempt(client, person.email, PASSWORD) == "signed in"


def test_after_slow_threshold_attempts_wait_for_a_growing_delay(client, limits, clock, person):
    for _ in range(3):
        assert WRONG in attempt(client, person.email, "wrong")

    # Even the right password is refused during the delay, and is not checked.
    page = attempt(client, person.email, PASSWORD)
    assert "Too many failed sign-ins. Try again in 2 seconds." in page
    assert not signed_in(client)

    clock.advance(2)
    assert WRONG in attempt(client, person.email, "wrong")
    assert "Try again in 4 seconds." in attempt(client, person.email, "wrong")
    clock.advance(4)
    assert WRONG in attempt(client, person.email, "wrong")
    assert "Try again in 8 seconds." in attempt(client, person.email, PASSWORD)
    clock.advance(3)
    assert "Try again in 5 seconds." in attempt(client, person.email, PASSWORD)
    clock.advance(5)
    assert attempt(client, person.email, PASSWORD) == "signed in"


def test_lock_after_lock_threshold_refuses_even_the_right_password(
    client, limits, clock, person, caplog
):
    caplog.set_level(logging.WARNING, logger="rallypoint.people.lockout")
    for _ in range(6):
        clock.advance(600)
        assert WRONG in attempt(client, person.email, "wrong")

    page = attempt(client, person.email, PASSWORD)
    assert "Too many failed sign-ins. Try again in 900 seconds." in page
    clock.advance(14 * 60)
    assert "Try again in 60 seconds." in attempt(client, person.email, PASSWORD)
    assert not signed_in(client)

    entry = AuditEntry.objects.get(action="people.signin_locked", details__scope="account")
    assert entry.target_id == str(person.pk)
    assert entry.details["failures"] == 6
    assert entry.details["minutes"] == 15
    assert entry.ip_address == "10.0.0.1"
    assert any(
        r.name == "rallypoint.people.lockout" and "locked" in r.getMessage() for r in caplog.records
    )
    # Failed sign-ins themselves are not audited, only the lock.
    assert AuditEntry.objects.count() == 1

    clock.advance(60)
    assert attempt(client, person.email, PASSWORD) == "signed in"


def test_successful_sign_in_clears_the_account_counter(client, limits, clock, person):
    for _ in range(2):
        attempt(client, person.email, "wrong")
    assert attempt(client, person.email, PASSWORD) == "signed in"
    client.post("/accounts/logout/")
    for _ in range(2):
        assert WRONG in attempt(client, person.email, "wrong")
    # Four failures in all, but only two since the sign-in: not slowed.
    assert attempt(client, person.email, PASSWORD) == "signed in"


def test_unknown_accounts_are_slowed_like_real_ones(client, limits, clock):
    for _ in range(3):
        assert WRONG in attempt(client, "ghost@example.com", "wrong")
    assert "Too many failed sign-ins." in attempt(client, "ghost@example.com", "wrong")


def test_an_address_trying_many_accounts_is_slowed_then_locked(client, settings, clock):
    settings.LOGIN_SLOW_AFTER = 2
    settings.LOGIN_LOCK_AFTER = 4
    settings.LOGIN_LOCK_MINUTES = 15
    person = User.objects.create_user("bob@example.com", PASSWORD, display_name="Bob")
    slow_at = 2 * lockout.ADDRESS_FACTOR
    lock_at = 4 * lockout.ADDRESS_FACTOR
    # One failure per account: no account is slowed, only the address is.
    for n in range(slow_at):
        assert WRONG in attempt(client, f"user{n}@example.com", "wrong")
    assert "Too many failed sign-ins." in attempt(client, person.email, PASSWORD)
    # Another address is not affected.
    assert attempt(client, person.email, PASSWORD, address="10.9.9.9") == "signed in"
    client.post("/accounts/logout/")

    for n in range(slow_at, lock_at):
        clock.advance(600)
        assert WRONG in attempt(client, f"user{n}@example.com", "wrong")
    assert "Try again in 900 seconds." in attempt(client, person.email, PASSWORD)
    entry = AuditEntry.objects.get(action="people.signin_locked")
    assert entry.details["scope"] == "address"
    assert entry.target_label == "10.0.0.1"


def test_ipv6_clients_are_counted_per_64_network():
    from django.test import RequestFactory

    first = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2::1")
    second = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:2:ffff::9")
    other = RequestFactory().get("/", REMOTE_ADDR="2001:db8:1:3::1")
    assert lockout.address_subject(first) == lockout.address_subject(second)
    assert lockout.address_subject(first) != lockout.address_subject(other)


def test_allauth_own_failed_login_limit_is_off(client, settings, clock, person):
    from allauth.account import app_settings
    from allauth.core.internal.ratelimit import get_rates

    assert get_rates(app="allauth.account", action="login_failed") == []
    settings.LOGIN_SLOW_AFTER = 100
    settings.LOGIN_LOCK_AFTER = 100
    for _ in range(8):
        page = attempt(client, person.email, "wrong")
        assert WRONG in page
        assert "Too many failed login attempts" not in page
    assert app_settings.RATE_LIMITS["login_failed"] is False
    assert attempt(client, person.email, PASSWORD) == "signed in"


def test_password_reset_lifts_the_account_lock(client, limits, clock, person):

    from django.core import mail

    for _ in range(6):
        clock.advance(600)
        attempt(client, person.email, "wrong")
    assert "Too many failed sign-ins." in attempt(client, person.email, PASSWORD)

    client.post(reverse("account_reset_password"), {"email": person.email})
    link = link_in(mail.outbox[0])
    response = client.get(link, follow=True)
    new = "a fresh long passphrase 9"
    client.post(response.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert attempt(client, person.email, new) == "signed in"
