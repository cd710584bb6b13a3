"""People import from CSV: the parser, the import service and the administrators' page."""

from __future__ import annotations

import datetime
import textwrap

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rallypoint.core.models import AuditEntry
from rallypoint.people.importing import (
    ParsedFile,
    people_csv_parse,
    people_import,
    people_import_check,
)
from rallypoint.people.models import Department, Location, Team, User


def csv(text: str) -> bytes:
    return textwrap.dedent(text).lstrip().encode()


def parse(text: str) -> ParsedFile:
    return people_csv_parse(data=csv(text), name="people.csv")


def manager_of(email: str) -> str | None:
    return User.objects.values_list("manager__email", flat=True).get(email=email)


def errors_of(report) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in report.errors]


@pytest.fixture
def company(db) -> dict[str, object]:
    engineering = Department.objects.create(name="Engineering", slug="eng")
    sales = Department.objects.create(name="Sales", slug="sales")
    platform = Team.objects.create(name="Platform", slug="platform", department=engineering)
    Team.objects.create(name="Enterprise", slug="enterprise", department=sales)
    berlin = Location.objects.create(
        name="Berlin", slug="berlin", city="Berlin", country="Germany", time_zone="Europe/Berlin"
    )
    london = Location.objects.create(name="London", slug="london", time_zone="Europe/London")
    admin = User.objects.create_superuser("admin@example.com", "pw-123456789", display_name="Ada")
    return {
        "engineering": engineering,
        "sales": sales,
        "platform": platform,
        "berlin": berlin,
        "london": london,
        "admin": admin,
    }


VALID = """
    email,display_name,job_title,department,team,location,manager_email,hire_date,birthday,pronouns
    ben@example.com,Ben Okafor,Engineer,engineering,Platform,berlin,cleo@example.com,2021-04-01,07-14,he/him
    cleo@example.com,Cleo Park,CTO,Engineering,,London,,2016-02-29,,she/her
    dora@example.com,Dora Ruiz,Engineer,ENG,platform,Berlin,ben@example.com,2025-01-06,02-29,
"""  # noqa: E501


# ---------------------------------------------------------------- parsing


def test_parse_reads_excel_bom_and_semicolons() -> None:
    data = "\ufeffEmail;Display Name;Manager-Email\r\nann@example.com;Ann Ávila;\r\n".encode()
    parsed = people_csv_parse(data=data, name="excel.csv")
    assert parsed.file_errors == []
    assert parsed.columns == ("email", "display_name", "manager_email")
    assert parsed.rows[0].email == "ann@example.com"
    assert parsed.rows[0].values["display_name"] == "Ann Ávila"


def test_parse_reads_utf16_with_bom() -> None:
    data = "email\tdisplay_name\nann@example.com\tAnn\n".encode("utf-16")
    parsed = people_csv_parse(data=data, name="unicode.txt")
    assert parsed.file_errors == []
    assert parsed.rows[0].values["display_name"] == "Ann"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (
            "email,display_name\nann@example.com,Zo\xeb\n".encode("latin-1"),
            "not UTF-8 text (the first unreadable character is on line 2)",
        ),
        (b"PK\x03\x04\x14\x00rest-of-a-workbook", "spreadsheet workbook, not a CSV file"),
        (b"display_name,job_title\nAnn,Chef\n", "The header has no “email” column"),
        (b"ann@example.com,Ann\n", "The first line looks like a person, not a header"),
        (b"email,display_name\n", "The file has a header but no people."),
        (b'email,display_name\nann@example.com,"Ann\n', "is not valid CSV"),
        (b"email,display_name,email\n", "The column “email” appears twice."),
        (b"email,\x00\x01\x02\n", "binary data"),
    ],
)
def test_parse_refuses_files_that_are_not_people_csv(data: bytes, expected: str) -> None:
    parsed = people_csv_parse(data=data, name="bad.csv")
    assert parsed.rows == []
    assert any(expected in message for message in parsed.file_errors), parsed.file_errors


def test_parse_reports_unknown_columns_with_a_suggestion() -> None:
    parsed = parse("email,display_name,manager,shoe_size\nann@example.com,Ann,,42\n")
    assert len(parsed.file_errors) == 2
    assert "Unknown column “manager”. Did you mean “manager_email”?" in parsed.file_errors[0]
    assert "Unknown column “shoe_size”." in parsed.file_errors[1]
    assert "email, display_name, job_title" in parsed.file_errors[1]


def test_parse_refuses_the_role_column() -> None:
    parsed = parse("email,display_name,role\nann@example.com,Ann,admin\n")
    assert parsed.file_errors == [
        "The “role” column is not imported: roles are given on each person's page, "
        "where the change is recorded. Remove the column."
    ]


def test_parse_reports_each_bad_row_with_its_line_and_reason() -> None:
    parsed = parse(
        """
        email,display_name,manager_email,hire_date,birthday,time_zone,active
        ,Nobody,,,,,
        not-an-email,Bad,,,,,
        ann@example.com,Ann,,2024-13-01,,,
        bo@example.com,Bo,bo@example.com,,02-30,Mars/Olympus,maybe

        cy@example.com,Cy,,24-01-01,,,
        CY@example.com,Cy again,,,,,
        dee@example.com,Dee,,,,,,extra
        """
    )
    found = [(e.line, e.message) for e in parsed.errors]
    found += [(row.line, message) for row in parsed.rows for message in row.errors]
    assert sorted(found) == [
        (2, "missing email"),
        (3, "invalid email “not-an-email”"),
        (4, "bad hire_date “2024-13-01”: use YYYY-MM-DD, like 2024-03-18"),
        (5, "a person cannot be their own manager"),
        (5, "bad active “maybe”: use yes or no"),
        (5, "bad birthday “02-30”: use MM-DD, like 07-14 (no year)"),
        (5, "unknown time_zone “Mars/Olympus”: use a name like Europe/Berlin"),
        (7, "bad hire_date “24-01-01”: use YYYY-MM-DD, like 2024-03-18"),
        (7, "duplicate email in the file (lines 7, 8)"),
        (8, "duplicate email in the file (lines 7, 8)"),
        (9, "the row has 1 more values than the header has columns"),
    ]


def test_parse_counts_line_numbers_across_quoted_line_breaks() -> None:
    parsed = parse('email,display_name,job_title\nann@example.com,Ann,"Head of\nThings"\nbo,Bo,\n')
    assert parsed.rows[0].values["job_title"] == "Head of\nThings"
    assert [(e.line, e.message) for e in parsed.errors] == [(4, "invalid email “bo”")]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_parse_never_fails_on_arbitrary_bytes(data: bytes) -> None:
    parsed = people_csv_parse(data=data, name="fuzz.csv")
    assert parsed.file_errors or parsed.rows or parsed.errors


# ---------------------------------------------------------------- importing


def test_import_creates_people_with_managers_in_any_order(company) -> None:
    report = people_import(actor=company["admin"], rows=parse(VALID))

    assert (report.created, report.updated, report.unchanged, report.errors) == (3, 0, 0, [])
    assert report.written
    ben = User.objects.get(email="ben@example.com")
    cleo = User.objects.get(email="cleo@example.com")
    dora = User.objects.get(email="dora@example.com")
    assert ben.manager == cleo and dora.manager == ben and cleo.manager is None
    assert ben.department == company["engineering"] and ben.team == company["platform"]
    assert dora.department == company["engineering"] and dora.team == company["platform"]
    assert ben.location == company["berlin"] and ben.time_zone == "Europe/Berlin"
    assert cleo.time_zone == "Europe/London"
    assert ben.hire_date == datetime.date(2021, 4, 1)
    assert (ben.birthday_month, ben.birthday_day, ben.birthday_visible) == (7, 14, False)
    assert (dora.birthday_month, dora.birthday_day) == (2, 29)
    assert ben.pronouns == "he/him" and dora.pronouns == ""
    assert not ben.has_usable_password() and ben.role == User.Role.EMPLOYEE
    entry = AuditEntry.objects.get(action="people.imported")
    assert entry.actor == company["admin"]
    assert entry.details["created"] == 3 and entry.details["file"] == "people.csv"


def test_importing_the_same_file_twice_changes_nothing(company) -> None:
    people_import(actor=None, rows=parse(VALID))
    before = list(User.objects.order_by("email").values())

    report = people_import(actor=None, rows=parse(VALID))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(User.objects.order_by("email").values()) == before


def test_import_updates_only_what_changed_and_leaves_absent_columns(company) -> None:
    people_import(actor=None, rows=parse(VALID))
    report = people_import(
        actor=None,
        rows=parse(
            """
            email,job_title,manager_email,pronouns,team,active
            ben@example.com,Senior Engineer,cleo@example.com,he/him,Platform,
            dora@example.com,Engineer,cleo@example.com,,,no
            cleo@example.com,CTO,,she/her,,yes
            """
        ),
    )
    assert (report.created, report.updated, report.unchanged, report.deactivated) == (0, 2, 1, 1)
    ben = User.objects.get(email="ben@example.com")
    dora = User.objects.get(email="dora@example.com")
    assert ben.job_title == "Senior Engineer" and ben.display_name == "Ben Okafor"
    assert ben.hire_date == datetime.date(2021, 4, 1)  # no hire_date column: untouched
    assert dora.manager == User.objects.get(email="cleo@example.com")
    assert dora.team is None  # an empty cell clears
    assert dora.department == company["engineering"]
    assert not dora.is_active
    latest = AuditEntry.objects.filter(action="people.imported").values_list("details", flat=True)
    assert latest[0]["deactivated"] == ["dora@example.com"]


def test_changing_department_drops_a_team_of_the_old_department(company) -> None:
    people_import(actor=None, rows=parse(VALID))
    people_import(actor=None, rows=parse("email,department\nben@example.com,Sales\n"))
    ben = User.objects.get(email="ben@example.com")
    assert ben.department == company["sales"] and ben.team is None


def test_a_file_with_errors_writes_nothing(company) -> None:
    rows = parse(
        """
        email,display_name,department,team,location,manager_email,hire_date
        ann@example.com,Ann,Enginering,,,,
        bo@example.com,Bo,Sales,Platform,,,
        cy@example.com,Cy,,,Paris,,
        dee@example.com,Dee,,,,ghost@example.com,
        eve@example.com,,,,,,
        fay@example.com,Fay,,,,,2024-02-30
        gus@example.com,Gus,,,,,
        """
    )
    report = people_import(actor=None, rows=rows)

    assert not report.written
    assert errors_of(report) == [
        (2, "unknown department “Enginering” (did you mean “Engineering”?)"),
        (3, "unknown team “Platform” in Sales"),
        (4, "unknown location “Paris”"),
        (5, "unknown manager “ghost@example.com”: not in this file and not in Rallypoint"),
        (6, "display_name is required for a new person"),
        (7, "bad hire_date “2024-02-30”: use YYYY-MM-DD, like 2024-03-18"),
    ]
    assert (report.created, report.skipped) == (1, 6)
    assert User.objects.count() == 1  # only the administrator from the fixture
    assert not AuditEntry.objects.filter(action="people.imported").exists()


def test_skip_invalid_imports_valid_rows_and_reports_their_dependents(company) -> None:
    rows = parse(
        """
        email,display_name,manager_email,hire_date
        ivy@example.com,Ivy,jon@example.com,
        jon@example.com,Jon,kim@example.com,2020-02-31
        kim@example.com,Kim,,
        lee@example.com,Lee,ivy@example.com,
        mo@example.com,Mo,kim@example.com,
        """
    )
    report = people_import(actor=None, rows=rows, skip_invalid=True)

    assert report.written and (report.created, report.skipped) == (2, 3)
    assert errors_of(report) == [
        (2, "its manager's row (line 3) has errors"),
        (3, "bad hire_date “2020-02-31”: use YYYY-MM-DD, like 2024-03-18"),
        (5, "its manager's row (line 2) has errors"),
    ]
    assert set(User.objects.values_list("email", flat=True)) == {
        "admin@example.com",
        "kim@example.com",
        "mo@example.com",
    }
    assert manager_of("mo@example.com") == "kim@example.com"
    assert AuditEntry.objects.get(action="people.imported").details["skipped"] == 3


def test_manager_cycles_in_the_file_are_reported(company) -> None:
    rows = parse(
        """
        email,display_name,manager_email
        a@example.com,A,b@example.com
        b@example.com,B,c@example.com
        c@example.com,C,a@example.com
        d@example.com,D,a@example.com
        """
    )
    report = people_import(actor=None, rows=rows, skip_invalid=True)
    cycle = "manager cycle: a@example.com → b@example.com → c@example.com → a@example.com"
    assert errors_of(report)[0] == (2, cycle)
    assert [e.line for e in report.errors] == [2, 3, 4, 5]
    assert report.errors[3].message == "its manager's row (line 2) has errors"
    assert User.objects.count() == 1


def test_manager_cycles_with_people_already_stored_are_reported(company) -> None:
    boss = User.objects.create_user("boss@example.com", display_name="Boss")
    User.objects.create_user("mid@example.com", display_name="Mid", manager=boss)
    report = people_import(
        actor=None, rows=parse("email,manager_email\nboss@example.com,mid@example.com\n")
    )
    assert errors_of(report) == [
        (2, "manager cycle: boss@example.com → mid@example.com → boss@example.com")
    ]
    assert User.objects.get(email="boss@example.com").manager is None


def test_a_cycle_closed_by_a_skipped_row_is_reported(company) -> None:
    # Stored: A manages B, B manages W. The file makes A report to W and B to nobody, but
    # B's row is invalid: importing A's row alone would close the loop A → W → B → A.
    a = User.objects.create_user("a@example.com", display_name="A")
    b = User.objects.create_user("b@example.com", display_name="B", manager=a)
    User.objects.create_user("w@example.com", display_name="W", manager=b)
    rows = parse(
        """
        email,manager_email,hire_date
        a@example.com,w@example.com,
        b@example.com,,not-a-date
        """
    )
    report = people_import(actor=None, rows=rows, skip_invalid=True)

    assert errors_of(report) == [
        (2, "manager cycle: a@example.com → w@example.com → b@example.com → a@example.com"),
        (3, "bad hire_date “not-a-date”: use YYYY-MM-DD, like 2024-03-18"),
    ]
    assert User.objects.get(email="a@example.com").manager is None
    assert User.objects.get(email="b@example.com").manager == a


def test_create_missing_creates_departments_teams_and_locations(company) -> None:
    rows = parse(
        """
        email,display_name,department,team,location
        ann@example.com,Ann,Research & Development,Lab,Lisbon
        bo@example.com,Bo,research & development,lab,lisbon
        cy@example.com,Cy,Sales,Inside Sales,London
        """
    )
    check = people_import_check(rows=rows)
    assert check.errors[0].message.startswith("unknown department")

    report = people_import(actor=None, rows=rows, create_missing=True)

    assert report.errors == [] and report.created == 3
    assert report.new_departments == ["Research & Development"]
    assert report.new_teams == ["Research & Development / Lab", "Sales / Inside Sales"]
    assert report.new_locations == ["Lisbon"]
    research = Department.objects.get(name="Research & Development")
    assert research.slug == "research-development"
    ann = User.objects.get(email="ann@example.com")
    bo = User.objects.get(email="bo@example.com")
    assert ann.department == bo.department == research
    assert ann.team == bo.team == Team.objects.get(department=research, slug="lab")
    assert ann.location == bo.location == Location.objects.get(slug="lisbon")
    assert Team.objects.get(members__email="cy@example.com").department == company["sales"]
    assert AuditEntry.objects.get(action="people.imported").details["new_locations"] == ["Lisbon"]


def test_check_only_writes_nothing(company) -> None:
    report = people_import_check(rows=parse(VALID))
    assert report.dry_run and not report.written
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert User.objects.count() == 1


def test_nobody_can_deactivate_themselves_by_import(company) -> None:
    report = people_import(
        actor=company["admin"], rows=parse("email,active\nadmin@example.com,no\n")
    )
    assert errors_of(report) == [(2, "you cannot deactivate your own account")]
    assert User.objects.get(email="admin@example.com").is_active


def test_import_queries_do_not_grow_with_rows(company, django_assert_max_num_queries) -> None:
    lines = ["email,display_name,department,team,location,manager_email"]
    lines.append("p0@example.com,Person 0,Engineering,Platform,Berlin,")
    lines += [
        f"p{i}@example.com,Person {i},Engineering,Platform,Berlin,p{i // 5}@example.com"
        for i in range(1, 600)
    ]
    rows = people_csv_parse(data="\n".join(lines).encode(), name="many.csv")
    with django_assert_max_num_queries(40):
        report = people_import(actor=None, rows=rows)
    assert report.created == 600
    assert manager_of("p599@example.com") == "p119@example.com"
    with django_assert_max_num_queries(20):
        again = people_import(actor=None, rows=rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 600)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), size=st.integers(min_value=1, max_value=25))
def test_any_row_order_of_a_hierarchy_imports_the_same(company, data, size) -> None:
    parents = [None] + [data.draw(st.integers(0, i - 1)) for i in range(1, size)]
    order = data.draw(st.permutations(range(size)))
    second_order = data.draw(st.permutations(range(size)))

    def rows(indices) -> ParsedFile:
        lines = ["email,display_name,manager_email"]
        for i in indices:
            manager = f"h{parents[i]}@example.com" if parents[i] is not None else ""
            lines.append(f"h{i}@example.com,H {i},{manager}")
        return people_csv_parse(data="\n".join(lines).encode(), name="tree.csv")

    with transaction.atomic():
        report = people_import(actor=None, rows=rows(order))
        assert (report.created, report.errors) == (size, [])
        stored = dict(
            User.objects.filter(email__startswith="h").values_list("email", "manager__email")
        )
        assert stored == {
            f"h{i}@example.com": f"h{p}@example.com" if p is not None else None
            for i, p in enumerate(parents)
        }
        again = people_import(actor=None, rows=rows(second_order))
        assert (again.created, again.updated, again.unchanged) == (0, 0, size)
        transaction.set_rollback(True)


# ---------------------------------------------------------------- the page


def upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_import_page_is_for_administrators_only(client, company) -> None:
    url = reverse("people_import")
    assert client.get(url).status_code == 302  # to sign in
    employee = User.objects.create_user("emp@example.com", display_name="Emp")
    client.force_login(employee)
    assert client.get(url).status_code == 404
    assert client.post(url, {"file": upload(csv(VALID)), "action": "import"}).status_code == 404
    assert User.objects.count() == 2
    client.force_login(company["admin"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Import people" in page.text and "Check only" in page.text


def test_check_only_on_the_page_shows_errors_and_writes_nothing(admin_client_for, company):
    client = admin_client_for(company["admin"])
    bad = csv(VALID) + b"ghost@example.com,Ghost,,,,,nobody@example.com,,,\n"
    page = client.post(reverse("people_import"), {"file": upload(bad), "action": "check"})
    assert page.status_code == 200
    assert "Checked only: nothing was written." in page.text
    assert "<td>5</td><td>ghost@example.com</td>" in page.text
    assert "unknown manager “nobody@example.com”" in page.text
    assert '<td data-count="created">3</td>' in page.text
    assert User.objects.count() == 1


def test_import_on_the_page_writes_and_reports(admin_client_for, company) -> None:
    client = admin_client_for(company["admin"])
    page = client.post(reverse("people_import"), {"file": upload(csv(VALID)), "action": "import"})
    assert "Every row was imported." in page.text
    assert '<td data-count="created">3</td>' in page.text
    assert User.objects.filter(email__in=["ben@example.com", "dora@example.com"]).count() == 2
    entry = AuditEntry.objects.get(action="people.imported")
    assert entry.actor == company["admin"] and entry.ip_address == "127.0.0.1"


def test_import_on_the_page_with_errors_needs_the_valid_rows_box(admin_client_for, company):
    client = admin_client_for(company["admin"])
    bad = csv(VALID) + b"eve@example.com,Eve,,,,,,1999-99-99,,\n"
    url = reverse("people_import")
    page = client.post(url, {"file": upload(bad), "action": "import"})
    assert "Nothing was written because the file has errors." in page.text
    assert "bad hire_date “1999-99-99”" in page.text
    assert User.objects.count() == 1

    page = client.post(url, {"file": upload(bad), "action": "import", "skip_invalid": "on"})
    assert "The valid rows were imported; the rows below were not." in page.text
    assert User.objects.count() == 4
    assert not User.objects.filter(email="eve@example.com").exists()


def test_the_page_explains_files_it_cannot_read(admin_client_for, company) -> None:
    client = admin_client_for(company["admin"])
    url = reverse("people_import")
    latin1 = upload("email\nzoë@x.de\n".encode("cp1252"))
    page = client.post(url, {"file": latin1, "action": "check"})
    assert page.status_code == 200
    assert "This file cannot be imported." in page.text and "not UTF-8 text" in page.text
    page = client.post(url, {"action": "check"})
    assert page.status_code == 200 and "This field is required." in page.text


def test_the_page_refuses_files_over_the_limit(admin_client_for, company, monkeypatch) -> None:
    monkeypatch.setattr("rallypoint.people.views.importing.MAX_UPLOAD_BYTES", 100)
    client = admin_client_for(company["admin"])
    page = client.post(reverse("people_import"), {"file": upload(csv(VALID)), "action": "import"})
    assert page.status_code == 200
    assert "the limit is 100\xa0bytes. Split it into smaller files." in page.text
    assert User.objects.count() == 1


def test_the_page_answers_htmx_with_the_report_only(admin_client_for, company) -> None:
    client = admin_client_for(company["admin"])
    page = client.post(
        reverse("people_import"),
        {"file": upload(csv(VALID)), "action": "check", "create_missing": "on"},
        headers={"HX-Request": "true"},
    )
    assert page.text.lstrip().startswith('<section id="import-report"')
    assert "<html" not in page.text and "The file is ready to import." in page.text


@pytest.fixture
def admin_client_for(client):
    def signed_in(user: User):
        client.force_login(user)
        return client

    return signed_in
