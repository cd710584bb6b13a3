"""``rallypoint import-people`` end to end, as a separate process on the test database."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, child_env
from rallypoint.core.models import AuditEntry
from rallypoint.people.importing import import_people_cli
from rallypoint.people.models import Department, User

GOOD = (
    "email,display_name,department,manager_email,hire_date\n"
    "ivy@example.com,Ivy Chen,Engineering,kai@example.com,2023-05-02\n"
    "kai@example.com,Kai Berg,Engineering,,2019-01-14\n"
)
BAD = GOOD + "lou@example.com,Lou,Engineering,,2023-02-30\nmax@example.com,Max,Enginering,,\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rallypoint.cli", "import-people", *args],
        env=child_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def engineering(transactional_db) -> Department:
    return Department.objects.create(name="Engineering", slug="engineering")


def test_command_imports_a_good_file_and_a_second_run_changes_nothing(engineering, tmp_path):
    file = tmp_path / "people.csv"
    file.write_text(GOOD)

    first = run(str(file))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "people.csv: 2 rows. Created 2, updated 0, unchanged 0" in first.stdout
    kai = User.objects.get(email="kai@example.com")
    assert User.objects.get(email="ivy@example.com").manager == kai

    second = run(str(file))
    assert second.returncode == 0
    assert "Created 0, updated 0, unchanged 2" in second.stdout
    assert AuditEntry.objects.filter(action="people.imported").count() == 2


def test_command_with_errors_exits_non_zero_and_writes_nothing(engineering, tmp_path):
    file = tmp_path / "people.csv"
    file.write_text(BAD)

    result = run(str(file))

    assert result.returncode == 1
    assert "line 4 (lou@example.com): bad hire_date “2023-02-30”" in result.stdout
    assert "line 5 (max@example.com): unknown department “Enginering”" in result.stdout
    assert "Nothing was written because of the errors above." in result.stdout
    assert not User.objects.exists()

    checked = run(str(file), "--dry-run", "--skip-invalid")
    assert checked.returncode == 1 and "Checked only: nothing was written." in checked.stdout
    assert not User.objects.exists()

    skipped = run(str(file), "--skip-invalid")
    assert skipped.returncode == 1
    assert "Created 2, updated 0, unchanged 0, not imported because of errors 2" in skipped.stdout
    assert set(User.objects.values_list("email", flat=True)) == {
        "ivy@example.com",
        "kai@example.com",
    }


def test_command_explains_a_missing_file(tmp_path: Path, transactional_db) -> None:
    result = run(str(tmp_path / "nowhere.csv"))
    assert result.returncode == 2
    assert "Cannot read" in result.stdout and "No such file or directory" in result.stdout


def test_cli_function_creates_missing_departments_when_asked(db, tmp_path) -> None:
    file = tmp_path / "people.csv"
    file.write_text(GOOD)
    out = io.StringIO()
    assert import_people_cli(path=str(file), out=out) == 1
    assert "unknown department “Engineering”" in out.getvalue()

    out = io.StringIO()
    assert import_people_cli(path=str(file), create_missing=True, out=out) == 0
    assert "New departments: Engineering" in out.getvalue()
    assert User.objects.get(email="kai@example.com").department == Department.objects.get()


def test_cli_function_reports_unreadable_files(db, tmp_path) -> None:
    file = tmp_path / "people.xlsx"
    file.write_bytes(b"PK\x03\x04 a workbook")
    out = io.StringIO()
    assert import_people_cli(path=str(file), out=out) == 1
    assert out.getvalue().startswith("The file cannot be imported:\n  This is a spreadsheet")


def test_demo_seeds_once_and_names_the_port_it_serves(transactional_db) -> None:
    def demo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "rallypoint.cli", "demo", "--no-serve", "--port", "8765"],
            env=child_env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    first = demo()
    assert first.returncode == 0, first.stderr
    assert "Northwind is ready: 260 people" in first.stdout
    assert "http://127.0.0.1:8765/" in first.stdout
    assert "admin@northwind.example" in first.stdout

    again = demo()
    assert again.returncode == 0, again.stderr
    assert "already here (260 people)" in again.stdout
    assert User.objects.count() == 260
