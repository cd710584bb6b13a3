from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from rallypoint.core.audit import audit_record
from rallypoint.core.models import AuditEntry
from rallypoint.core.selectors import audit_entries_visible_to
from rallypoint.core.views.audit import PAGE_SIZE
from rallypoint.people.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(django_user_model) -> User:
    return django_user_model.objects.create_user(
        "root@example.com", "x" * 12, display_name="Root", role=User.Role.ADMINISTRATOR
    )


@pytest.fixture
def employee(django_user_model) -> User:
    return django_user_model.objects.create_user("emp@example.com", "x" * 12, display_name="Emp")


def backdate(entry: AuditEntry, when: datetime) -> None:
    AuditEntry.objects.filter(pk=entry.pk).update(at=when)


def test_selector_shows_nothing_to_non_administrators(admin, employee):
    audit_record(action="people.role_changed", actor=admin, target=employee)

    assert audit_entries_visible_to(employee).count() == 0
    assert audit_entries_visible_to(admin).count() == 1


def test_selector_filters_combine(admin, employee):
    role = audit_record(
        action="people.role_changed",
        actor=admin,
        target=employee,
        details={"from": "employee", "to": "admin"},
    )
    audit_record(action="people.invited", actor=admin, target=employee)
    audit_record(action="people.role_changed", actor=employee, target=admin)
    system = audit_record(action="people.imported", target_label="people.csv", details={"rows": 12})

    def actions(**filters) -> list[int]:
        return list(audit_entries_visible_to(admin, **filters).values_list("pk", flat=True))

    assert actions(action="people.role_changed", actor="ROOT@") == [role.pk]
    assert actions(target_type="people.user", actor="emp") == [
        e.pk for e in AuditEntry.objects.filter(actor=employee)
    ]
    assert actions(text="people.csv") == [system.pk]
    assert actions(text="12") == [system.pk]
    assert actions(text="admin", action="people.role_changed", actor="root") == [role.pk]


def test_selector_date_range_includes_both_days(admin):
    old = audit_record(action="a.old", actor=admin)
    mid = audit_record(action="a.mid", actor=admin)
    new = audit_record(action="a.new", actor=admin)
    noon = timezone.make_aware(datetime(2026, 3, 10, 12))
    backdate(old, noon - timedelta(days=2))
    backdate(mid, noon - timedelta(days=1))
    backdate(new, noon)

    found = audit_entries_visible_to(admin, since=date(2026, 3, 9), until=date(2026, 3, 10))

    assert [e.action for e in found] == ["a.new", "a.mid"]


def test_page_is_404_for_everyone_but_administrators(client, employee):
    assert client.get("/admin-tools/audit/").status_code == 404
    client.force_login(employee)
    assert client.get("/admin-tools/audit/").status_code == 404


def test_page_lists_newest_first_and_filters(client, admin, employee):
    first = audit_record(action="people.invited", actor=admin, target=employee)
    backdate(first, timezone.now() - timedelta(hours=1))
    audit_record(action="people.role_changed", actor=admin, target=employee)
    client.force_login(admin)

    page = client.get("/admin-tools/audit/").content.decode()
    newest, oldest = "<code>people.role_changed</code>", "<code>people.invited</code>"
    assert page.index(newest) < page.index(oldest)
    assert "Audit log" in page

    filtered = client.get("/admin-tools/audit/", {"action": "people.invited"}).content.decode()
    assert "<code>people.invited</code>" in filtered
    assert "<code>people.role_changed</code>" not in filtered


def test_page_explains_a_backwards_date_range(client, admin):
    client.force_login(admin)

    response = client.get("/admin-tools/audit/", {"since": "2026-03-10", "until": "2026-03-01"})

    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_page_paginates_and_keeps_filters(client, admin, employee):
    for n in range(PAGE_SIZE + 5):
        audit_record(action="people.invited", actor=admin, target=employee, details={"n": n})
    client.force_login(admin)

    first = client.get("/admin-tools/audit/", {"action": "people.invited"})
    second = client.get("/admin-tools/audit/", {"action": "people.invited", "page": 2})

    assert len(first.context["page"].object_list) == PAGE_SIZE
    assert "?action=people.invited&amp;page=2" in first.content.decode()
    assert len(second.context["page"].object_list) == 5


def test_page_query_count_does_not_grow_with_rows(
    client, admin, django_user_model, django_assert_max_num_queries
):
    people = [
        django_user_model.objects.create_user(f"p{n}@example.com", "x" * 12, display_name=f"P{n}")
        for n in range(10)
    ]
    for n in range(PAGE_SIZE):
        audit_record(action=f"test.action_{n % 7}", actor=people[n % 10], target=people[-n % 10])
    client.force_login(admin)

    with django_assert_max_num_queries(8):
        response = client.get("/admin-tools/audit/", {"text": "test"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == PAGE_SIZE
