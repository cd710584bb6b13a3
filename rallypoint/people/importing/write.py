"""Writing a planned import: bulk queries in one transaction, with one audit entry."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify

from rallypoint.core.audit import audit_record
from rallypoint.people.importing.parse import ImportRow, ParsedFile
from rallypoint.people.importing.plan import _BATCH, ImportReport, _plan, _Refs, _report
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.people.services import DIRECTORY_FIELDS
from rallypoint.people.signals_api import people_changed_send


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
    people_changed_send(
        user_ids=[known_ids[row.email] for row, _wanted in plan.creates]
        + [user.pk for user, changed in plan.updates if DIRECTORY_FIELDS.intersection(changed)]
    )
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
