"""Directory spaces follow the directory: created, renamed, archived, members in and out."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password

from rallypoint.core.models import AuditEntry
from rallypoint.people.importing import people_csv_parse, people_import
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.people.services import profile_update
from rallypoint.spaces import services
from rallypoint.spaces.directory import directory_spaces_reconcile
from rallypoint.spaces.models import Space, SpaceMembership
from rallypoint.spaces.tests.conftest import directory, person


def spaces_of(user: User) -> set[str]:
    return set(SpaceMembership.objects.filter(user=user).values_list("space__name", flat=True))


@pytest.fixture
def org(db) -> dict[str, object]:
    return directory()


def test_reconcile_creates_each_directory_space_and_adds_everyone(org):
    alice = person(
        "alice@example.com",
        "Alice",
        department=org["eng"],
        location=org["hq"],
        team=org["platform"],
    )
    bob = person("bob@example.com", "Bob", department=org["sales"])
    result = directory_spaces_reconcile()
    assert result.spaces_created == 7  # company + 2 departments + 2 locations + 2 teams
    kinds = sorted(Space.objects.values_list("kind", "name"))
    assert kinds == [
        ("company", "Everyone"),
        ("department", "Engineering"),
        ("department", "Sales"),
        ("location", "Harbour HQ"),
        ("location", "Remote"),
        ("team", "Deals"),
        ("team", "Platform"),
    ]
    assert spaces_of(alice) == {"Everyone", "Engineering", "Harbour HQ", "Platform"}
    assert spaces_of(bob) == {"Everyone", "Sales"}
    assert set(SpaceMembership.objects.values_list("source", flat=True)) == {"directory"}
    assert Space.objects.get(kind="team", name="Platform").slug == "team-platform"
    assert AuditEntry.objects.filter(action="spaces.directory_reconciled").count() == 1


def test_reconcile_is_idempotent(org, django_assert_max_num_queries):
    person("alice@example.com", "Alice", department=org["eng"], team=org["platform"])
    directory_spaces_reconcile()
    before = list(SpaceMembership.objects.order_by("pk").values_list("pk", "space", "user"))
    with django_assert_max_num_queries(10):
        result = directory_spaces_reconcile()
    assert not result.changed
    assert list(SpaceMembership.objects.order_by("pk").values_list("pk", "space", "user")) == before
    assert AuditEntry.objects.filter(action="spaces.directory_reconciled").count() == 1


def test_a_department_change_moves_the_person(org, django_capture_on_commit_callbacks):
    admin = person("ada@example.com", "Ada", role=User.Role.ADMINISTRATOR)
    alice = person("alice@example.com", "Alice", department=org["eng"], team=org["platform"])
    directory_spaces_reconcile()
    with django_capture_on_commit_callbacks(execute=True):
        profile_update(
            actor=admin, user=alice, data={"department": org["sales"], "team": org["deals"]}
        )
    assert spaces_of(alice) == {"Everyone", "Sales", "Deals"}


def test_a_personal_edit_does_not_touch_spaces(org, django_capture_on_commit_callbacks):
    alice = person("alice@example.com", "Alice", department=org["eng"])
    directory_spaces_reconcile()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        profile_update(actor=alice, user=alice, data={"pronouns": "she/her"})
    assert callbacks == []


def test_manual_memberships_survive_and_are_not_duplicated(org):
    admin = person("ada@example.com", "Ada", role=User.Role.ADMINISTRATOR)
    alice = person("alice@example.com", "Alice", department=org["eng"])
    directory_spaces_reconcile()
    group = services.space_create(actor=alice, kind="open", name="Chess")
    eng = Space.objects.get(department=org["eng"])
    membership = SpaceMembership.objects.get(space=eng, user=alice)
    services.membership_set_role(actor=admin, membership=membership, role="moderator")
    User.objects.filter(pk=alice.pk).update(department=org["sales"])
    directory_spaces_reconcile()
    assert spaces_of(alice) == {"Everyone", "Sales", "Chess"}
    assert SpaceMembership.objects.get(space=group, user=alice).role == "owner"


def test_deactivation_by_import_removes_directory_memberships(
    org, django_capture_on_commit_callbacks
):
    admin = person("ada@example.com", "Ada", role=User.Role.ADMINISTRATOR)
    alice = person("alice@example.com", "Alice", department=org["eng"])
    directory_spaces_reconcile()
    group = services.space_create(actor=alice, kind="open", name="Chess")
    rows = people_csv_parse(data=b"email,active\nalice@example.com,no\n", name="people.csv")
    with django_capture_on_commit_callbacks(execute=True):
        report = people_import(actor=admin, rows=rows)
    assert report.updated == 1
    assert spaces_of(alice) == {"Chess"}, "group memberships stay for a reactivation"
    from rallypoint.spaces.selectors import members_visible_to

    assert not members_visible_to(admin, group).filter(user=alice).exists()


def test_people_created_by_import_join_their_spaces(org, django_capture_on_commit_callbacks):
    admin = person("ada@example.com", "Ada", role=User.Role.ADMINISTRATOR)
    rows = people_csv_parse(
        data=b"email,display_name,department,location\nnew@example.com,Nia New,Sales,Remote\n",
        name="people.csv",
    )
    with django_capture_on_commit_callbacks(execute=True):
        people_import(actor=admin, rows=rows)
    assert spaces_of(User.objects.get(email="new@example.com")) == {"Everyone", "Sales", "Remote"}


def test_renamed_and_deleted_departments(org):
    person("alice@example.com", "Alice", department=org["eng"])
    directory_spaces_reconcile()
    Department.objects.filter(pk=org["eng"].pk).update(name="Software Engineering")
    Team.objects.filter(department=org["sales"]).delete()
    Department.objects.filter(pk=org["sales"].pk).delete()
    result = directory_spaces_reconcile()
    assert result.spaces_renamed == 1 and result.spaces_archived == 2
    eng = Space.objects.get(department=org["eng"])
    assert eng.name == "Software Engineering" and eng.slug == "engineering"
    archived = Space.objects.filter(archived_at__isnull=False)
    assert sorted(archived.values_list("name", flat=True)) == ["Deals", "Sales"]
    assert not SpaceMembership.objects.filter(space__in=archived).exists()


def test_reconcile_is_bulk(org, django_assert_max_num_queries):
    """Thousands of people sync in a constant number of queries per thousand."""
    password = make_password(None)
    locations = [org["hq"], org["remote"]]
    teams = [org["platform"], org["deals"]]
    User.objects.bulk_create(
        User(
            email=f"p{i}@example.com",
            password=password,
            display_name=f"Person {i}",
            department=teams[i % 2].department,
            team=teams[i % 2],
            location=locations[i % 2],
        )
        for i in range(3000)
    )
    # A dozen reads and writes, plus one INSERT per batch of memberships (SQLite takes
    # 199 rows of five columns per statement, PostgreSQL 1000).
    with django_assert_max_num_queries(12 + 12000 // 190):
        result = directory_spaces_reconcile()
    assert result.memberships_added == 12000
    assert SpaceMembership.objects.count() == 12000
    ids = list(User.objects.filter(team=org["deals"]).values_list("pk", flat=True))
    User.objects.filter(pk__in=ids).update(location=org["hq"])
    with django_assert_max_num_queries(40):
        result = directory_spaces_reconcile(user_ids=ids)
    assert (result.memberships_added, result.memberships_removed) == (1500, 1500)
    hq = Space.objects.get(location=org["hq"])
    assert SpaceMembership.objects.filter(space=hq).count() == 3000


def test_demo_seed_has_spaces_and_groups(db):
    from rallypoint.people.seed import demo_company_seed

    demo_company_seed(people=260)
    assert Space.objects.filter(kind="company").count() == 1
    assert Space.objects.filter(kind="department").count() == Department.objects.count()
    assert Space.objects.filter(kind="location").count() == Location.objects.count()
    groups = dict(Space.objects.filter(kind__in=Space.GROUP_KINDS).values_list("name", "kind"))
    assert groups["Running club"] == "open"
    assert groups["Managers' circle"] == "private"
    assert groups["Project Falcon (M&A)"] == "secret"
    company = Space.objects.get(kind="company")
    assert SpaceMembership.objects.filter(space=company).count() == 260
    falcon = Space.objects.get(name="Project Falcon (M&A)")
    assert 2 <= SpaceMembership.objects.filter(space=falcon).count() <= 4
    admin = User.objects.get(email="admin@northwind.example")
    assert not SpaceMembership.objects.filter(space=falcon, user=admin).exists()


def test_the_nightly_job_reconciles_everyone(org):
    from rallypoint.spaces.tasks import directory_spaces_reconcile_nightly

    alice = person("alice@example.com", "Alice", department=org["eng"])
    # Huey keeps no results of periodic jobs: run it in this process to see what it did.
    assert directory_spaces_reconcile_nightly.call_local()["memberships_added"] == 2
    assert spaces_of(alice) == {"Everyone", "Engineering"}
