"""Planning an import against the database; writes nothing.

``people_import_check`` resolves departments, teams, locations and managers, finds manager
cycles (also those closed by people already stored) and counts what would be created,
updated or left unchanged. ``people_import`` writes the same plan.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from rallypoint.people.importing.parse import ImportRow, ParsedFile, RowError, _CellError
from rallypoint.people.models import Department, Location, Team, User

_BATCH = 500


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
