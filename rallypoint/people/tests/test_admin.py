"""The Django admin is for administrators only, and keeps role changes out of it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rallypoint.core.audit import audit_record
from rallypoint.core.models import AuditEntry
from rallypoint.people.models import Department, Invitation, User
from rallypoint.people.signals_api import people_changed
from rallypoint.people.tests.test_directory import Company, build_company


@pytest.fixture
def company(db) -> Company:
    return build_company()


@pytest.mark.parametrize("who", ["dev1", "cmo", "mkt1", "em1"])
def test_non_administrators_cannot_reach_the_django_admin(client, company, who):
    client.force_login(company[who])
    for url in (
        reverse("admin:index"),
        reverse("admin:people_user_changelist"),
        reverse("admin:core_auditentry_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_anonymous_visitors_cannot_reach_the_django_admin(client, company):
    response = client.get(reverse("admin:people_user_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_administrators_reach_the_django_admin(client, company):
    client.force_login(company["ppl"])
    html = client.get(reverse("admin:index")).content.decode()
    for model in ("Departments", "Locations", "Teams", "People", "Invitations", "Audit entries"):
        assert model in html


def test_people_changelist_searches_and_filters(client, company):
    client.force_login(company["ceo"])
    url = reverse("admin:people_user_changelist")
    html = client.get(url, {"q": "natarajan"}).content.decode()
    assert "Priya Natarajan" in html
    assert "Chen Wei" not in html
    html = client.get(url, {"role__exact": "comms"}).content.decode()
    assert "Sofia Almeida" in html
    assert "Hannah Müller" in html
    assert "Chen Wei" not in html


def test_person_change_page_has_no_password_and_a_read_only_role(client, company):
    client.force_login(company["ceo"])
    person = company["dev1"]
    url = reverse("admin:people_user_change", args=[person.pk])
    html = client.get(url).content.decode()
    assert 'name="password"' not in html
    assert 'name="role"' not in html
    assert 'name="job_title"' in html
    assert client.get(reverse("admin:people_user_add")).status_code == 403


def test_the_last_administrator_cannot_be_deactivated_in_the_admin(client, company):
    User.objects.filter(pk=company["ppl"].pk).update(role="employee")
    ceo = company["ceo"]
    client.force_login(ceo)
    url = reverse("admin:people_user_change", args=[ceo.pk])
    data = {
        "email": ceo.email,
        "display_name": ceo.display_name,
        "job_title": ceo.job_title,
        "department": ceo.department_id,
        "location": ceo.location_id,
        "time_zone": ceo.time_zone,
        "language": ceo.language,
        # is_active left out: the checkbox is unticked
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This is the last active administrator" in response.content.decode()
    ceo.refresh_from_db()
    assert ceo.is_active


def test_social_handles_are_checked_in_the_admin_too(client, company):
    person = company["dev1"]
    client.force_login(company["ceo"])
    response = client.post(
        reverse("admin:people_user_change", args=[person.pk]),
        {
            "email": person.email,
            "display_name": person.display_name,
            "is_active": "on",
            "time_zone": person.time_zone,
            "language": person.language,
            "linkedin": "javascript:alert(1)",
            "bluesky": "@Chen.BSKY.social",
        },
    )
    assert response.status_code == 200
    assert "Enter your LinkedIn profile address" in response.content.decode()
    person.refresh_from_db()
    assert person.linkedin == ""


def test_administrators_add_departments_in_the_admin(client, company):
    client.force_login(company["ceo"])
    response = client.post(
        reverse("admin:people_department_add"), {"name": "Customer Success", "slug": "cs"}
    )
    assert response.status_code == 302
    assert Department.objects.filter(slug="cs", name="Customer Success").exists()


def test_invitations_and_audit_entries_are_read_only(client, company):
    ceo = company["ceo"]
    invitation = Invitation.objects.create(
        email="new@northwind.example",
        user=company["new"],
        invited_by=ceo,
        token_hash="a" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    entry = audit_record(action="people.role_changed", actor=ceo, target=company["dev1"])
    client.force_login(ceo)
    assert client.get(reverse("admin:people_invitation_changelist")).status_code == 200
    page = client.get(reverse("admin:people_invitation_change", args=[invitation.pk]))
    assert page.status_code == 200
    assert "a" * 64 not in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    assert client.get(reverse("admin:people_invitation_add")).status_code == 403

    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    change_url = reverse("admin:core_auditentry_change", args=[entry.pk])
    assert 'name="action"' not in client.get(change_url).content.decode()
    assert client.post(change_url, {"action": "forged"}).status_code == 403
    assert client.get(reverse("admin:core_auditentry_add")).status_code == 403
    delete_url = reverse("admin:core_auditentry_delete", args=[entry.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.action == "people.role_changed"
    assert AuditEntry.objects.count() == 1


def test_admin_edits_are_audited_and_announced_to_the_directory_followers(
    client, company, django_capture_on_commit_callbacks
):
    person = company["dev1"]
    announced: list[list[int]] = []

    def receiver(sender, user_ids, **kwargs):
        announced.append(user_ids)

    people_changed.connect(receiver)
    try:
        client.force_login(company["ceo"])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:people_user_change", args=[person.pk]),
                {
                    "email": person.email,
                    "display_name": person.display_name,
                    "time_zone": person.time_zone,
                    "language": person.language,
                    # is_active left out: the person leaves the company
                },
            )
    finally:
        people_changed.disconnect(receiver)
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert announced == [[person.pk]]
    entry = AuditEntry.objects.get(action="people.profile_updated", target_id=str(person.pk))
    assert entry.actor == company["ceo"]
    assert "is_active" in entry.details["fields"]
