"""People import from CSV: read the file, plan the changes, write them in one transaction.

Three steps, each usable on its own:

- ``people_csv_parse`` reads the bytes and checks every row on its own, without the
  database: header, email and date syntax, duplicates within the file, self-management.
- ``people_import_check`` plans against the database and writes nothing: it resolves
  departments, teams, locations and managers, finds manager cycles (also those closed by
  people already stored) and counts what would be created, updated or left unchanged.
- ``people_import`` makes the same plan and writes it with bulk queries, in one
  transaction, with one audit entry.

The format is documented for users in ``docs/people-import.md``.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import io
import re
import zoneinfo
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.people.models import Department, Location, Team, User

COLUMNS = (
    "email",
    "display_name",
    "job_title",
    "department",
    "team",
    "location",
    "manager_email",
    "hire_date",
    "birthday",
    "pronouns",
    "time_zone",
    "language",
    "active",
)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
_BATCH = 500
_TIME_ZONES = {tz.lower(): tz for tz in zoneinfo.available_timezones()}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BIRTHDAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_YES = {"yes", "y", "true", "1", "active"}
_NO = {"no", "n", "false", "0", "inactive", "left"}
_TEXT_LIMITS = {"display_name": 120, "job_title": 120, "pronouns": 40}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class RowError:
    """One problem with one row. ``line`` is the line in the file (the header is line 1)."""

    line: int
    email: str
    message: str


@dataclass
class ImportRow:
    """A row with a usable email; ``values`` holds the cells that passed their checks."""

    line: int
    email: str
    values: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)


@dataclass
class ParsedFile:
    name: str
    columns: tuple[str, ...] = ()
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return len(self.rows) + len({e.line for e in self.errors})


@dataclass
class ImportReport:
    file_name: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    new_departments: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    new_locations: list[str] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.file_errors)


class _CellError(Exception):
    pass


# ---------------------------------------------------------------- step 1: parse


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _CellError(
            _(
                "This is a spreadsheet workbook, not a CSV file. In your spreadsheet "
                "program, save it as “CSV UTF-8 (comma delimited)” and upload that file."
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _CellError(
            _(
                "The file is not UTF-8 text (the first unreadable character is on line "
                "%(line)s). Save it as “CSV UTF-8” and try again."
            )
            % {"line": line}
        ) from exc
    if "\x00" in text:
        raise _CellError(_("The file holds binary data; it is not a CSV file."))
    return text


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _check_header(header: list[str]) -> tuple[tuple[str, ...], list[str]]:
    names = [_header_name(cell) for cell in header]
    while names and not names[-1]:
        names.pop()
    errors: list[str] = []
    if any("@" in n for n in names):
        errors.append(
            _(
                "The first line looks like a person, not a header. The first line must name "
                "the columns, for example: email,display_name,manager_email"
            )
        )
        return (), errors
    seen: set[str] = set()
    for position, name in enumerate(names, start=1):
        if not name:
            errors.append(_("Column %(n)s has no name in the header.") % {"n": position})
        elif name in seen:
            errors.append(_("The column “%(name)s” appears twice.") % {"name": name})
        elif name == "role":
            errors.append(
                _(
                    "The “role” column is not imported: roles are given on each person's "
                    "page, where the change is recorded. Remove the column."
                )
            )
        elif name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = _(" Did you mean “%(name)s”?") % {"name": close[0]} if close else ""
            errors.append(
                _("Unknown column “%(name)s”.%(hint)s The columns are: %(columns)s.")
                % {"name": name, "hint": hint, "columns": ", ".join(COLUMNS)}
            )
        seen.add(name)
    if "email" not in names:
        errors.append(_("The header has no “email” column; every row needs one."))
    return tuple(names), errors


def _clean_email(value: str) -> str:
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise _CellError(_("invalid email “%(value)s”") % {"value": value}) from exc
    return email


def _clean_cell(column: str, value: str) -> Any:
    if column in _TEXT_LIMITS:
        if len(value) > _TEXT_LIMITS[column]:
            raise _CellError(
                _("%(column)s is longer than %(max)s characters")
                % {"column": column, "max": _TEXT_LIMITS[column]}
            )
        return value
    if column in ("department", "team", "location"):
        if len(value) > 120:
            raise _CellError(_("%(column)s is longer than 120 characters") % {"column": column})
        return value
    if not value:
        return None
    if column == "manager_email":
        return _clean_email(value)
    if column == "hire_date":
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            day = datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise _CellError(
                _("bad hire_date “%(value)s”: use YYYY-MM-DD, like 2024-03-18") % {"value": value}
            ) from exc
        if day.year < 1900:
            raise _CellError(
                _("bad hire_date “%(value)s”: the year is too early") % {"value": value}
            )
        return day
    if column == "birthday":
        match = _BIRTHDAY.match(value)
        try:
            if not match:
                raise ValueError(value)
            month, mday = int(match.group(1)), int(match.group(2))
            datetime.date(2000, month, mday)  # 2000 is a leap year: 02-29 is a birthday
        except ValueError as exc:
            raise _CellError(
                _("bad birthday “%(value)s”: use MM-DD, like 07-14 (no year)") % {"value": value}
            ) from exc
        return (month, mday)
    if column == "time_zone":
        zone = _TIME_ZONES.get(value.lower())
        if zone is None:
            raise _CellError(
                _("unknown time_zone “%(value)s”: use a name like Europe/Berlin") % {"value": value}
            )
        return zone
    if column == "language":
        codes = {code for code, _name in settings.LANGUAGES}
        if value.lower() not in codes:
            raise _CellError(
                _("unknown language “%(value)s”: use one of %(codes)s")
                % {"value": value, "codes": ", ".join(sorted(codes))}
            )
        return value.lower()
    if column == "active":
        if value.lower() in _YES:
            return True
        if value.lower() in _NO:
            return False
        raise _CellError(_("bad active “%(value)s”: use yes or no") % {"value": value})
    raise AssertionError(column)


def people_csv_parse(*, data: bytes, name: str = "") -> ParsedFile:
    """Read a people CSV file and check each row on its own. Touches no database."""
    parsed = ParsedFile(name=name)
    try:
        text = _decode(data)
    except _CellError as exc:
        parsed.file_errors.append(str(exc))
        return parsed
    if not text.strip():
        parsed.file_errors.append(_("The file is empty."))
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
        columns, header_errors = _check_header(header)
        if header_errors:
            parsed.file_errors.extend(header_errors)
            return parsed
        parsed.columns = columns
        first_seen: dict[str, int] = {}
        duplicates: set[str] = set()
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not any(cell.strip() for cell in cells):
                continue
            row = _parse_row(line, columns, cells)
            if row is None:
                email_cell = cells[0] if cells else ""
                if "email" in columns and columns.index("email") < len(cells):
                    email_cell = cells[columns.index("email")].strip()
                message = (
                    _("missing email")
                    if not email_cell
                    else _("invalid email “%(value)s”") % {"value": email_cell}
                )
                parsed.errors.append(RowError(line, email_cell, message))
                continue
            if row.email in first_seen:
                duplicates.add(row.email)
            else:
                first_seen[row.email] = line
            parsed.rows.append(row)
    except csv.Error as exc:
        parsed.file_errors.append(
            _("Line %(line)s is not valid CSV (%(reason)s). Check the quotes on that line.")
            % {"line": reader.line_num, "reason": exc}
        )
        return parsed
    except StopIteration:
        parsed.file_errors.append(_("The file is empty."))
        return parsed
    for row in parsed.rows:
        if row.email in duplicates:
            lines = [str(r.line) for r in parsed.rows if r.email == row.email]
            row.errors.append(
                _("duplicate email in the file (lines %(lines)s)") % {"lines": ", ".join(lines)}
            )
    if not parsed.rows and not parsed.errors:
        parsed.file_errors.append(_("The file has a header but no people."))
    return parsed


def _parse_row(line: int, columns: tuple[str, ...], cells: list[str]) -> ImportRow | None:
    """A row with a valid email, or None when the email is missing or invalid."""
    extra = [c for c in cells[len(columns) :] if c.strip()]
    cells = [c.strip() for c in cells[: len(columns)]]
    cells += [""] * (len(columns) - len(cells))
    values = dict(zip(columns, cells, strict=True))
    try:
        email = _clean_email(values.pop("email"))
    except _CellError:
        return None
    row = ImportRow(line=line, email=email, values={})
    if extra:
        row.errors.append(
            _("the row has %(count)s more values than the header has columns")
            % {"count": len(extra)}
        )
    for column, value in values.items():
        try:
            row.values[column] = _clean_cell(column, value)
        except _CellError as exc:
            row.errors.append(str(exc))
            row.failed.add(column)
    if row.values.get("manager_email") == email:
        row.errors.append(_("a person cannot be their own manager"))
    return row


# ---------------------------------------------------------------- step 2: plan


@dataclass
class _Refs:
    """Departments, teams and locations by lower-case name and slug, plus those to create."""

    departments: dict[str, Department]
    locations: dict[str, Location]
    teams: dict[tuple[int, str], Team]
    new_departments: dict[str, Department] = field(default_factory=dict)
    new_locations: dict[str, Location] = field(default_factory=dict)
    new_teams: dict[tuple[str, str], Team] = field(default_factory=dict)
    department_by_id: dict[int, Department] = field(default_factory=dict)
    team_department: dict[int, int] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Refs:
        departments: dict[str, Department] = {}
        for d in Department.objects.all():
            departments.setdefault(d.slug, d)
            departments[d.name.casefold()] = d
        locations: dict[str, Location] = {}
        for loc in Location.objects.all():
            locations.setdefault(loc.slug, loc)
            locations[loc.name.casefold()] = loc
        teams: dict[tuple[int, str], Team] = {}
        for t in Team.objects.all():
            teams.setdefault((t.department_id, t.slug), t)
            teams[(t.department_id, t.name.casefold())] = t
        return cls(
            departments=departments,
            locations=locations,
            teams=teams,
            department_by_id={d.pk: d for d in departments.values()},
            team_department={t.pk: t.department_id for t in teams.values()},
        )


def _unknown(kind: str, value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(set(known)), n=1)
    hint = _(" (did you mean “%(name)s”?)") % {"name": close[0]} if close else ""
    return _("unknown %(kind)s “%(value)s”%(hint)s") % {"kind": kind, "value": value, "hint": hint}


def _department(refs: _Refs, value: str, create: bool) -> Department:
    key = value.casefold()
    found = refs.departments.get(key) or refs.new_departments.get(key)
    if found is None:
        if not create:
            names = [d.name for d in refs.departments.values()]
            raise _CellError(_unknown(_("department"), value, names))
        found = refs.new_departments[key] = Department(name=value)
    return found


def _location(refs: _Refs, value: str, create: bool) -> Location:
    key = value.casefold()
    found = refs.locations.get(key) or refs.new_locations.get(key)
    if found is None:
        if not create:
            names = [loc.name for loc in refs.locations.values()]
            raise _CellError(_unknown(_("location"), value, names))
        found = refs.new_locations[key] = Location(name=value, city=value)
    return found


def _team(refs: _Refs, value: str, department: Department | None, create: bool) -> Team:
    if department is None:
        raise _CellError(
            _("team “%(value)s” needs a department: fill in the department column")
            % {"value": value}
        )
    key = value.casefold()
    found = None
    if department.pk is not None:
        found = refs.teams.get((department.pk, key))
    found = found or refs.new_teams.get((department.name.casefold(), key))
    if found is None:
        if not create:
            names = [t.name for (d, _k), t in refs.teams.items() if d == department.pk]
            message = _unknown(_("team"), value, names)
            raise _CellError(
                _("%(message)s in %(department)s")
                % {"message": message, "department": department.name}
            )
        found = Team(name=value, department=department)
        refs.new_teams[(department.name.casefold(), key)] = found
    return found


@dataclass
class _Plan:
    creates: list[tuple[ImportRow, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[User, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    refs: _Refs | None = None


def _load_people(emails: set[str]) -> dict[str, User]:
    ordered = sorted(emails)
    found: dict[str, User] = {}
    for start in range(0, len(ordered), _BATCH):
        for user in User.objects.filter(email__in=ordered[start : start + _BATCH]).order_by():
            found[user.email] = user
    return found


def _targets(
    row: ImportRow, existing: User | None, refs: _Refs, create_missing: bool
) -> dict[str, Any]:
    """The field values a row asks for, as model field names. Raises ``_CellError``."""
    v = row.values
    wanted = {name: v[name] for name in ("job_title", "pronouns", "hire_date") if name in v}
    problems: list[str] = []
    if v.get("display_name"):
        wanted["display_name"] = v["display_name"]
    elif existing is None and "display_name" not in row.failed:
        problems.append(_("display_name is required for a new person"))
    if "birthday" in v:
        month, day = v["birthday"] or (None, None)
        wanted["birthday_month"], wanted["birthday_day"] = month, day
    if v.get("language"):
        wanted["language"] = v["language"]
    if v.get("active") is not None:
        wanted["is_active"] = v["active"]
    department = refs.department_by_id.get(existing.department_id or 0) if existing else None
    if "department" in v:
        department = None
        if v["department"]:
            try:
                department = _department(refs, v["department"], create_missing)
            except _CellError as exc:
                problems.append(str(exc))
        wanted["department"] = department
    if v.get("team") and not problems:
        try:
            wanted["team"] = _team(refs, v["team"], department, create_missing)
        except _CellError as exc:
            problems.append(str(exc))
    elif "team" in v or _team_left_behind(existing, department, refs):
        wanted["team"] = None
    if "location" in v:
        wanted["location"] = None
        if v["location"]:
            try:
                wanted["location"] = _location(refs, v["location"], create_missing)
            except _CellError as exc:
                problems.append(str(exc))
    if problems:
        raise _CellError("; ".join(problems))
    if v.get("time_zone"):
        wanted["time_zone"] = v["time_zone"]
    elif wanted.get("location") is not None and (
        existing is None or existing.location_id != wanted["location"].pk
    ):
        wanted["time_zone"] = wanted["location"].time_zone
    if "manager_email" in v:
        wanted["manager"] = v["manager_email"]
    return wanted


def _team_left_behind(existing: User | None, department: Department | None, refs: _Refs) -> bool:
    """Whether a person's current team belongs to another department than the new one."""
    if existing is None or existing.team_id is None:
        return False
    team_department = refs.team_department.get(existing.team_id)
    return department is None or department.pk != team_department


def _changes(user: User, wanted: dict[str, Any], manager_email: str | None) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for name, value in wanted.items():
        if name == "manager":
            if value != manager_email:
                changed[name] = value
        elif name in ("department", "team", "location"):
            current = getattr(user, f"{name}_id")
            if (value.pk if value is not None else None) != current or (
                value is not None and value.pk is None
            ):
                changed[name] = value
        elif getattr(user, name) != value:
            changed[name] = value
    return changed


def _cycles(parent: dict[str, str | None], starts: Iterable[str]) -> dict[str, list[str]]:
    """Every start that lies on a manager cycle, with the cycle it lies on."""
    state: dict[str, int] = {}
    on_cycle: dict[str, list[str]] = {}
    for start in starts:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycle = path[path.index(node) :]
            for member in cycle:
                on_cycle[member] = cycle
        for member in path:
            state[member] = 2
    return on_cycle


def _plan(
    parsed: ParsedFile, *, actor: User | None, create_missing: bool
) -> tuple[_Plan, dict[str, User]]:
    plan = _Plan(errors=list(parsed.errors))
    refs = _Refs.load()
    plan.refs = refs
    counts: dict[str, int] = {}
    for row in parsed.rows:
        counts[row.email] = counts.get(row.email, 0) + 1
    unique = {row.email: row for row in parsed.rows if counts[row.email] == 1}
    manager_emails: set[str] = {
        r.values["manager_email"] for r in parsed.rows if r.values.get("manager_email")
    }
    existing = _load_people(set(unique) | manager_emails)
    all_people = list(User.objects.order_by().values_list("id", "email", "manager_id"))
    email_of = {pk: email for pk, email, _m in all_people}
    stored_parent = {email: email_of.get(m) if m else None for _pk, email, m in all_people}

    problems: dict[str, list[str]] = {row.email: list(row.errors) for row in unique.values()}
    wanted: dict[str, dict[str, Any]] = {}
    for email, row in unique.items():
        user = existing.get(email)
        try:
            wanted[email] = _targets(row, user, refs, create_missing)
        except _CellError as exc:
            problems[email].append(str(exc))
        if actor is not None and email == actor.email and row.values.get("active") is False:
            problems[email].append(_("you cannot deactivate your own account"))
        manager = row.values.get("manager_email")
        if manager and counts.get(manager) is None and manager not in existing:
            problems[email].append(
                _("unknown manager “%(email)s”: not in this file and not in Rallypoint")
                % {"email": manager}
            )

    def parent_map(emails: Iterable[str]) -> dict[str, str | None]:
        parent = dict(stored_parent)
        for email in emails:
            if "manager_email" in unique[email].values:
                parent[email] = unique[email].values["manager_email"]
        return parent

    reports: dict[str, list[str]] = {}
    for email, row in unique.items():
        if row.values.get("manager_email"):
            reports.setdefault(row.values["manager_email"], []).append(email)
    failed_line = {row.email: row.line for row in reversed(parsed.rows) if counts[row.email] > 1}

    def fail_dependents(failed: Iterable[str]) -> None:
        queue = deque(failed)
        while queue:
            manager = queue.popleft()
            line = unique[manager].line if manager in unique else failed_line[manager]
            for email in reports.get(manager, ()):
                if not problems[email]:
                    message = _("its manager's row (line %(line)s) has errors")
                    problems[email].append(message % {"line": line})
                    queue.append(email)

    # Cycles in the graph the file asks for; then, as rows fall out, cycles in what is left
    # (a skipped row keeps its stored manager, which can close a loop).
    for email, cycle in _cycles(parent_map(unique), unique).items():
        if email in problems:
            problems[email].append(_cycle_message(cycle))
    fail_dependents([*failed_line, *(e for e, p in problems.items() if p)])
    while True:
        ok = [e for e in unique if not problems[e]]
        cycles = _cycles(parent_map(ok), ok)
        closed = {e: c for e, c in cycles.items() if e in problems and not problems[e]}
        if not closed:
            break
        for email, cycle in closed.items():
            problems[email].append(_cycle_message(cycle))
        fail_dependents(closed)

    for email, row in unique.items():
        for message in problems[email]:
            plan.errors.append(RowError(row.line, email, message))
        if problems[email]:
            continue
        user = existing.get(email)
        if user is None:
            plan.creates.append((row, wanted[email]))
            continue
        changed = _changes(user, wanted[email], stored_parent.get(email))
        if changed:
            plan.updates.append((user, changed))
        else:
            plan.unchanged += 1
    for row in parsed.rows:
        if counts[row.email] > 1:
            for message in row.errors:
                plan.errors.append(RowError(row.line, row.email, message))
    plan.errors.sort(key=lambda e: e.line)
    return plan, existing


def _cycle_message(cycle: list[str]) -> str:
    return _("manager cycle: %(cycle)s") % {"cycle": " → ".join([*cycle, cycle[0]])}


def _report(parsed: ParsedFile, plan: _Plan, *, dry_run: bool) -> ImportReport:
    refs = plan.refs
    return ImportReport(
        file_name=parsed.name,
        total_rows=parsed.total_rows,
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        deactivated=sum(1 for _u, c in plan.updates if c.get("is_active") is False),
        skipped=len({e.line for e in plan.errors}),
        errors=plan.errors,
        new_departments=sorted(d.name for d in refs.new_departments.values()) if refs else [],
        new_teams=sorted(f"{t.department.name} / {t.name}" for t in refs.new_teams.values())
        if refs
        else [],
        new_locations=sorted(loc.name for loc in refs.new_locations.values()) if refs else [],
        dry_run=dry_run,
    )


def people_import_check(*, rows: ParsedFile, create_missing: bool = False) -> ImportReport:
    """What ``people_import`` would do with these rows; writes nothing."""
    if rows.file_errors:
        return ImportReport(file_name=rows.name, file_errors=rows.file_errors, dry_run=True)
    plan, _existing = _plan(rows, actor=None, create_missing=create_missing)
    return _report(rows, plan, dry_run=True)


# ---------------------------------------------------------------- step 3: write


def _unique_slug(name: str, taken: set[str], fallback: str) -> str:
    base = slugify(name)[:100] or fallback
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _create_refs(refs: _Refs) -> None:
    taken = set(Department.objects.values_list("slug", flat=True))
    for department in refs.new_departments.values():
        department.slug = _unique_slug(department.name, taken, "department")
        department.save()
    taken = set(Location.objects.values_list("slug", flat=True))
    for location in refs.new_locations.values():
        location.slug = _unique_slug(location.name, taken, "location")
        location.save()
    taken_by_department: dict[int, set[str]] = {}
    for slug, department_id in Team.objects.values_list("slug", "department_id"):
        taken_by_department.setdefault(department_id, set()).add(slug)
    for team in refs.new_teams.values():
        taken = taken_by_department.setdefault(team.department.pk, set())
        team.slug = _unique_slug(team.name, taken, "team")
        team.save()


@transaction.atomic
def people_import(
    *,
    actor: User | None,
    rows: ParsedFile,
    skip_invalid: bool = False,
    create_missing: bool = False,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Create or update people by email from checked rows, all in one transaction.

    With errors, nothing is written unless ``skip_invalid``; then the valid rows are
    written and the others (and rows that depend on them) are reported. Managers are
    resolved by email, in the file or already stored, in any row order.
    """
    if rows.file_errors:
        return ImportReport(file_name=rows.name, file_errors=rows.file_errors)
    plan, existing = _plan(rows, actor=actor, create_missing=create_missing)
    report = _report(rows, plan, dry_run=False)
    if plan.errors and not skip_invalid:
        return report
    if plan.refs is not None:
        _create_refs(plan.refs)
    known_ids = {email: user.pk for email, user in existing.items()}
    _create_people(plan.creates, known_ids)
    by_fields: dict[tuple[str, ...], list[User]] = {}
    for user, changed in plan.updates:
        for name, value in changed.items():
            if name == "manager":
                user.manager_id = known_ids[value] if value else None
            else:
                setattr(user, name, value)
        by_fields.setdefault(tuple(sorted(changed)), []).append(user)
    for fields, users in by_fields.items():
        User.objects.bulk_update(users, fields, batch_size=_BATCH)
    report.written = True
    audit_record(
        action="people.imported",
        actor=actor,
        target_label=rows.name,
        request=request,
        details={
            "file": rows.name,
            "rows": report.total_rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "skipped": report.skipped,
            "deactivated": sorted(u.email for u, c in plan.updates if c.get("is_active") is False),
            "new_departments": report.new_departments,
            "new_teams": report.new_teams,
            "new_locations": report.new_locations,
        },
    )
    return report


def _create_people(
    creates: list[tuple[ImportRow, dict[str, Any]]], known_ids: dict[str, int]
) -> None:
    """Insert new people managers first, so each row is written once with its manager.

    ``known_ids`` maps the emails of stored people to their ids and gains the new ones.
    """
    wanted_by_email = {row.email: wanted for row, wanted in creates}
    depth: dict[str, int] = {}
    for email in wanted_by_email:
        chain: list[str] = []
        node: str | None = email
        while node in wanted_by_email and node not in depth:
            if node in chain:
                raise RuntimeError("a manager cycle reached the write step")
            chain.append(node)
            node = wanted_by_email[node].get("manager")
        level = depth.get(node, -1) if node is not None else -1
        for member in reversed(chain):
            level += 1
            depth[member] = level
    levels: dict[int, list[User]] = {}
    unusable = make_password(None)
    for row, wanted in creates:
        person = User(email=row.email, password=unusable)
        for name, value in wanted.items():
            if name != "manager":
                setattr(person, name, value)
        levels.setdefault(depth[row.email], []).append(person)
    for level in sorted(levels):
        people = levels[level]
        for person in people:
            manager = wanted_by_email[person.email].get("manager")
            person.manager_id = known_ids[manager] if manager else None
        User.objects.bulk_create(people, batch_size=_BATCH)
        if all(person.pk is not None for person in people):
            known_ids.update((person.email, person.pk) for person in people)
        else:
            known_ids.update(_load_ids([person.email for person in people]))


def _load_ids(emails: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(emails), _BATCH):
        chunk = emails[start : start + _BATCH]
        ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))
    return ids


# ---------------------------------------------------------------- command line


def report_lines(report: ImportReport) -> list[str]:
    """The report as plain text lines, for the command line."""
    lines: list[str] = []
    if report.file_errors:
        lines.append(_("The file cannot be imported:"))
        lines += [f"  {message}" for message in report.file_errors]
        return lines
    counts = {
        "file": report.file_name,
        "rows": report.total_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
    }
    if report.written:
        summary = _(
            "%(file)s: %(rows)s rows. Created %(created)s, updated %(updated)s, "
            "unchanged %(unchanged)s, not imported because of errors %(skipped)s."
        )
    else:
        summary = _(
            "%(file)s: %(rows)s rows. To create %(created)s, to update %(updated)s, "
            "unchanged %(unchanged)s, with errors %(skipped)s."
        )
    lines.append(summary % counts)
    if report.deactivated:
        lines.append(_("Deactivated: %(n)s.") % {"n": report.deactivated})
    for label, names in (
        (_("New departments"), report.new_departments),
        (_("New teams"), report.new_teams),
        (_("New locations"), report.new_locations),
    ):
        if names:
            lines.append(f"{label}: {', '.join(names)}")
    if report.errors:
        lines.append(_("Errors (%(n)s):") % {"n": len(report.errors)})
        lines += [
            _("  line %(line)s%(email)s: %(message)s")
            % {"line": e.line, "email": f" ({e.email})" if e.email else "", "message": e.message}
            for e in report.errors
        ]
    if report.dry_run:
        lines.append(_("Checked only: nothing was written."))
    elif not report.written:
        lines.append(
            _(
                "Nothing was written because of the errors above. Fix them, or import the "
                "valid rows with --skip-invalid."
            )
        )
    return lines


def import_people_cli(
    *,
    path: str,
    skip_invalid: bool = False,
    dry_run: bool = False,
    create_missing: bool = False,
    out: IO[str],
) -> int:
    """``rallypoint import-people``: 0 when every row was fine, 1 with errors, 2 unreadable."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        out.write(_("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror})
        out.write("\n")
        return 2
    parsed = people_csv_parse(data=data, name=file.name)
    if dry_run:
        report = people_import_check(rows=parsed, create_missing=create_missing)
    else:
        report = people_import(
            actor=None, rows=parsed, skip_invalid=skip_invalid, create_missing=create_missing
        )
    out.write("\n".join(report_lines(report)) + "\n")
    return 1 if report.has_errors else 0
