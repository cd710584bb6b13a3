"""Roles: administrators assign them; the last administrator cannot be removed."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rallypoint.core.models import AuditEntry
from rallypoint.core.realtime import get_broker, user_channel
from rallypoint.people.models import User
from rallypoint.people.services import user_set_role
from rallypoint.people.tests.test_directory import Company, build_company


@pytest.fixture
def company(db) -> Company:
    return build_company()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_sees_the_role_form_on_a_profile(client, company):
    client.force_login(company["ceo"])
    html = client.get(reverse("people_profile", args=[company["dev1"].pk])).content.decode()
    assert f'action="{reverse("people_role_set", args=[company["dev1"].pk])}"' in html
    assert '<option value="employee" selected>Employee</option>' in html


def test_admin_changes_a_role_and_it_is_audited(client, company):
    person = company["mkt2"]
    client.force_login(company["ceo"])
    response = client.post(reverse("people_role_set", args=[person.pk]), {"role": "comms"})
    assert response.status_code == 302
    assert response["Location"] == reverse("people_profile", args=[person.pk])
    assert messages_of(response) == ["Tomás Silva is now: Communications manager."]
    person.refresh_from_db()
    assert person.role == User.Role.COMMUNICATIONS
    entry = AuditEntry.objects.get(action="people.role_changed")
    assert entry.actor == company["ceo"]
    assert entry.target_id == str(person.pk)
    assert entry.details == {"old_role": "employee", "new_role": "comms"}


@pytest.mark.parametrize("actor", ["cmo", "em1", "dev1"])
def test_only_administrators_can_change_roles(client, company, actor):
    person = company["dev2"]
    client.force_login(company[actor])
    response = client.post(reverse("people_role_set", args=[person.pk]), {"role": "admin"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.role == User.Role.EMPLOYEE
    assert not AuditEntry.objects.filter(action="people.role_changed").exists()


def test_role_change_needs_a_post(client, company):
    client.force_login(company["ceo"])
    assert client.get(reverse("people_role_set", args=[company["dev1"].pk])).status_code == 405


def test_unknown_role_is_refused_with_a_message(client, company):
    client.force_login(company["ceo"])
    response = client.post(reverse("people_role_set", args=[company["dev1"].pk]), {"role": "god"})
    assert messages_of(response) == ["Choose one of the roles offered."]
    company["dev1"].refresh_from_db()
    assert company["dev1"].role == User.Role.EMPLOYEE


def test_the_last_administrator_cannot_be_removed(client, company):
    client.force_login(company["ceo"])
    client.post(reverse("people_role_set", args=[company["ppl"].pk]), {"role": "employee"})
    response = client.post(reverse("people_role_set", args=[company["ceo"].pk]), {"role": "comms"})
    assert messages_of(response)[-1:] == [
        "Amara Okafor is the last administrator. Make someone else an administrator first, "
        "so the company can still manage Rallypoint."
    ]
    company["ceo"].refresh_from_db()
    assert company["ceo"].role == User.Role.ADMINISTRATOR
    assert AuditEntry.objects.filter(action="people.role_changed").count() == 1


def test_deactivated_administrators_do_not_count(company):
    User.objects.filter(pk=company["ppl"].pk).update(is_active=False)
    with pytest.raises(ValidationError) as caught:
        user_set_role(actor=company["ceo"], user=company["ceo"], role="employee")
    assert "last administrator" in caught.value.message_dict["role"][0]


def test_an_administrator_can_step_down_while_another_remains(company):
    user_set_role(actor=company["ppl"], user=company["ppl"], role="employee")
    assert User.objects.get(pk=company["ppl"].pk).role == User.Role.EMPLOYEE


def test_service_refuses_non_administrators(company):
    with pytest.raises(PermissionDenied):
        user_set_role(actor=company["cmo"], user=company["dev1"], role="comms")


def test_setting_the_same_role_records_nothing(company):
    user_set_role(actor=company["ceo"], user=company["dev1"], role="employee")
    assert not AuditEntry.objects.exists()


def test_manager_is_derived_from_direct_reports(company):
    assert company["em1"].is_manager
    assert not company["dev1"].is_manager
    User.objects.filter(manager=company["em2"]).update(is_active=False)
    assert not company["em2"].is_manager


def test_role_change_tells_the_person_live(company, settings, django_capture_on_commit_callbacks):
    settings.REALTIME_BROKER = "memory"
    person = company["dev1"]
    with django_capture_on_commit_callbacks() as callbacks:
        user_set_role(actor=company["ceo"], user=person, role="comms")
    assert len(callbacks) == 1

    async def listen():
        async with get_broker().subscribe([user_channel(person.pk)]) as subscription:
            for callback in callbacks:
                callback()
            return await subscription.next(timeout=5)

    # In a thread of its own: Playwright's sync API may already run a loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        message = pool.submit(asyncio.run, listen()).result(timeout=10)
    assert message is not None
    assert message.event == "toast"
    assert message.data == {"message": "Your role is now: Communications manager."}


def test_nobody_hears_about_a_refused_change(company, django_capture_on_commit_callbacks):
    User.objects.filter(pk=company["ppl"].pk).update(role="employee")
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError):
        user_set_role(actor=company["ceo"], user=company["ceo"], role="employee")
    assert callbacks == []
