"""Personal access tokens: made on the token page, shown once, stored hashed, revocable."""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.api.auth import FAILURE_LIMIT
from rallypoint.api.models import PersonalAccessToken
from rallypoint.api.services import token_create, token_revoke
from rallypoint.core.models import AuditEntry

ME = "/api/v1/me"


def _secret_from(html: str) -> str:
    match = re.search(r'id="new-token" type="text" value="(rp_[^"]+)"', html)
    assert match, "the new token is on the page"
    return match.group(1)


def test_token_page_creates_a_token_shown_once_and_stored_hashed(client, company):
    person = company["dev2"]
    client.force_login(person)
    response = client.post(reverse("api_tokens"), {"name": "Weekly report", "expires": "90"})
    assert response.status_code == 200
    html = response.content.decode()
    secret = _secret_from(html)
    assert "shown only this once" in html
    assert response["Cache-Control"].startswith("max-age=0")

    token = PersonalAccessToken.objects.get(user=person)
    assert token.name == "Weekly report"
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:11]
    stored = [
        str(value)
        for value in PersonalAccessToken.objects.values_list("name", "prefix", "token_hash").get()
    ]
    assert all(secret not in value for value in stored)
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=90))).seconds < 60

    again = client.get(reverse("api_tokens")).content.decode()
    assert secret not in again
    assert f"{token.prefix}…" in again
    assert "Weekly report" in again

    entry = AuditEntry.objects.get(action="api.token_created")
    assert entry.actor == person
    assert entry.details["prefix"] == token.prefix
    assert secret not in str(entry.details)


def test_token_page_refuses_a_nameless_token(client, company):
    client.force_login(company["dev2"])
    response = client.post(reverse("api_tokens"), {"name": "  ", "expires": "never"})
    assert response.status_code == 400
    assert not PersonalAccessToken.objects.exists()


def test_user_menu_links_to_the_token_page(client, company):
    client.force_login(company["dev2"])
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("api_tokens")}"' in html


def test_a_token_authenticates_as_its_owner_and_records_last_use(client, company, bearer):
    person = company["dev2"]
    token, secret = token_create(user=person, name="script")
    assert token.last_used_at is None

    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 200
    assert response.json()["email"] == person.email
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    client.get(ME, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == first_use  # at most one write a minute

    earlier = first_use - datetime.timedelta(minutes=2)
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    client.get(ME, headers=bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > earlier


def test_revoked_token_answers_401_and_the_revocation_is_audited(client, company, bearer):
    person = company["dev2"]
    token, secret = token_create(user=person, name="script")
    assert client.get(ME, headers=bearer(secret)).status_code == 200

    client.force_login(person)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    client.logout()

    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    entry = AuditEntry.objects.get(action="api.token_revoked")
    assert entry.actor == person and entry.target_id == str(token.pk)


def test_nobody_revokes_someone_elses_token_from_the_page(client, company):
    token, _secret = token_create(user=company["dev1"], name="script")
    client.force_login(company["dev2"])
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_administrator_may_revoke_anyones_token(company):
    token, _secret = token_create(user=company["dev1"], name="script")
    token_revoke(actor=company["ceo"], token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_deactivated_person_token_stops_working_at_once(client, company, bearer):
    person = company["dev2"]
    _token, secret = token_create(user=person, name="script")
    assert client.get(ME, headers=bearer(secret)).status_code == 200
    person.is_active = False
    person.save()
    assert client.get(ME, headers=bearer(secret)).status_code == 401


def test_expired_token_answers_401(client, company, bearer):
    _token, secret = token_create(
        user=company["dev2"],
        name="script",
        expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    ["Bearer rp_not-a-real-token", "Bearer something", "Bearer ", "Basic dXNlcjpwYXNz"],
)
def test_bad_credentials_answer_401_json(client, company, header):
    response = client.get(ME, headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str)


def test_a_bad_token_is_refused_even_with_a_valid_session(client, company):
    client.force_login(company["dev2"])
    response = client.get(ME, headers={"Authorization": "Bearer rp_wrong"})
    assert response.status_code == 401


def test_another_authorization_scheme_leaves_the_session_in_charge(client, company):
    client.force_login(company["dev2"])
    response = client.get(ME, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert response.status_code == 200
    assert response.json()["email"] == company["dev2"].email


def test_no_credentials_answer_401_json(client, db):
    response = client.get(ME)
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_token_failures_are_rate_limited_per_address(client, company, bearer):
    _token, secret = token_create(user=company["dev2"], name="script")
    for _attempt in range(FAILURE_LIMIT):
        wrong = client.get(ME, headers=bearer("rp_guess"), REMOTE_ADDR="203.0.113.9")
        assert wrong.status_code == 401
    blocked = client.get(ME, headers=bearer(secret), REMOTE_ADDR="203.0.113.9")
    assert blocked.status_code == 429
    assert int(blocked["Retry-After"]) > 0
    assert "Too many" in blocked.json()["detail"]
    elsewhere = client.get(ME, headers=bearer(secret), REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 200
