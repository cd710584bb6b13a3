"""The Northwind demo company."""

from __future__ import annotations

import datetime
import io
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from rallypoint.core.models import AuditEntry
from rallypoint.people import seed_data
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.people.seed import demo_company_seed, seed_demo_company


def test_demo_company_is_a_believable_company(db) -> None:
    out = io.StringIO()
    result = seed_demo_company(people=260, out=out)

    assert result.created and result.seconds < 10
    people = list(User.objects.all())
    assert len(people) == 260
    assert Department.objects.count() >= 8
    assert {(loc.city, loc.time_zone) for loc in Location.objects.all()} == {
        ("Seattle", "America/Los_Angeles"),
        ("London", "Europe/London"),
        ("Berlin", "Europe/Berlin"),
        ("Singapore", "Asia/Singapore"),
    }
    assert all(Team.objects.filter(department=d).exists() for d in Department.objects.all())
    by_id = {p.pk: p for p in people}

    # One CEO at the top; every chain reaches them without a loop.
    roots = [p for p in people if p.manager_id is None]
    assert [r.job_title for r in roots] == ["Chief Executive Officer"]
    for person in people:
        seen: set[int] = set()
        while person.manager_id is not None:
            assert person.pk not in seen
            seen.add(person.pk)
            person = by_id[person.manager_id]
        assert person == roots[0]
    spans = User.objects.annotate(n=Count("direct_reports")).filter(n__gt=0)
    assert max(s.n for s in spans) <= 12

    emails = [p.email for p in people]
    assert len(set(emails)) == 260
    pattern = re.compile(r"^[a-z-]+\.[a-z-]+[0-9]*@northwind\.example$")
    others = [e for e in emails if e not in (seed_data.ADMIN_EMAIL, seed_data.COMMS_EMAIL)]
    assert all(pattern.match(e) for e in others), [e for e in others if not pattern.match(e)]
    assert len({p.display_name.split()[-1] for p in people}) > 80  # many different families

    admin = User.objects.get(email=seed_data.ADMIN_EMAIL)
    assert admin.role == User.Role.ADMINISTRATOR and admin.job_title == "IT Administrator"
    assert admin.manager is not None and admin.department is not None
    assert admin.department.name == "Operations"
    comms = User.objects.get(email=seed_data.COMMS_EMAIL)
    assert comms.role == User.Role.COMMUNICATIONS
    assert User.objects.filter(role=User.Role.EMPLOYEE).count() == 258
    assert admin.check_password(seed_data.DEMO_PASSWORD)
    assert comms.check_password(seed_data.DEMO_PASSWORD)
    assert people[17].check_password(seed_data.DEMO_PASSWORD)
    assert all(p.password == admin.password for p in people)  # hashed once

    today = timezone.localdate()
    hires = sorted(p.hire_date for p in people if p.hire_date is not None)
    assert len(hires) == 260
    assert (hires[-1] - hires[0]).days > 9 * 365 and hires[-1] <= today
    assert sum(1 for d in hires if (today - d).days < 30) >= 8
    week = {(today + datetime.timedelta(days=n)).timetuple()[1:3] for n in range(7)}
    assert sum(1 for d in hires if d.year < today.year and (d.month, d.day) in week) >= 5
    birthdays = [p for p in people if p.birthday_visible]
    assert 90 <= len(birthdays) <= 170 and all(p.birthday_month for p in birthdays)
    assert sum(1 for p in birthdays if (p.birthday_month, p.birthday_day) in week) >= 3
    assert 40 <= sum(1 for p in people if p.pronouns) <= 150
    assert sum(1 for p in people if p.bio) > 100
    assert sum(1 for p in people if p.linkedin.startswith("https://www.linkedin.com/in/")) > 60
    zones: dict[int | None, str] = dict(Location.objects.values_list("pk", "time_zone"))
    assert all(p.time_zone == zones[p.location_id] for p in people)
    assert len({p.job_title for p in people}) > 60

    entry = AuditEntry.objects.get(action="people.demo_seeded")
    assert entry.details["people"] == 260
    printed = out.getvalue()
    assert "260/260" in printed  # the progress bar
    assert f"Open {settings.BASE_URL}/" in printed
    assert "admin@northwind.example  (administrator)" in printed
    assert "comms@northwind.example  (communications manager)" in printed
    assert "“rallypoint-demo”" in printed


def test_seeding_again_reuses_the_company(db) -> None:
    seed_demo_company(people=260, out=io.StringIO())
    out = io.StringIO()

    result = seed_demo_company(people=260, out=out)

    assert not result.created
    assert User.objects.count() == 260
    assert AuditEntry.objects.filter(action="people.demo_seeded").count() == 1
    printed = out.getvalue()
    assert "already here (260 people); nothing was added" in printed
    assert "admin@northwind.example  (administrator)" in printed


def test_demo_is_not_added_to_a_database_with_people(db) -> None:
    User.objects.create_user("someone@company.example", display_name="Someone")
    out = io.StringIO()
    assert not seed_demo_company(people=260, out=out).created
    assert "already has 1 people, so the demo company was not added" in out.getvalue()
    assert User.objects.count() == 1


def test_demo_company_has_at_least_250_people_and_is_deterministic(db) -> None:
    out = io.StringIO()
    with transaction.atomic():
        seed_demo_company(people=10, out=out)
        first = list(User.objects.order_by("email").values_list("email", "job_title"))
        transaction.set_rollback(True)
    assert "at least 250 people" in out.getvalue() and len(first) == 250
    with transaction.atomic():
        demo_company_seed(people=250)
        again = list(User.objects.order_by("email").values_list("email", "job_title"))
        transaction.set_rollback(True)
    assert again == first


def test_demo_people_sign_in_with_the_demo_password(db, client) -> None:
    seed_demo_company(people=260, out=io.StringIO())
    employee = User.objects.filter(role=User.Role.EMPLOYEE).order_by("email")[0]
    for email in (seed_data.ADMIN_EMAIL, seed_data.COMMS_EMAIL, employee.email):
        response = client.post(
            reverse("account_login"), {"login": email, "password": seed_data.DEMO_PASSWORD}
        )
        assert response.status_code == 302, response.content[:500]
        assert int(client.session["_auth_user_id"]) == User.objects.get(email=email).pk
        client.logout()
