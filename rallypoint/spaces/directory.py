"""Directory spaces follow the directory: the company, each department, location and team.

``directory_spaces_reconcile`` is idempotent and bulk: a few queries per thousand
people, whatever changed. It creates the missing directory spaces, renames them when
their department, location or team was renamed, archives those whose department,
location or team is gone, and adds or removes ``source=directory`` memberships so that
every active person is a member of exactly the company space and the spaces of their
department, location and team. Memberships added by hand are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from rallypoint.core.audit import audit_record
from rallypoint.core.realtime import access_changed_on_commit
from rallypoint.people.models import Department, Location, Team, User
from rallypoint.spaces.models import Space, SpaceMembership

COMPANY_SPACE_NAME = "Everyone"
COMPANY_SPACE_SLUG = "everyone"
# Slugs that name pages under /spaces/ rather than a space.
RESERVED_SLUGS = frozenset({"new"})
_BATCH = 1000
_IN_CHUNK = 500

Kind = Space.Kind
Source = SpaceMembership.Source


@dataclass
class ReconcileResult:
    spaces_created: int = 0
    spaces_renamed: int = 0
    spaces_archived: int = 0
    memberships_added: int = 0
    memberships_removed: int = 0

    @property
    def changed(self) -> bool:
        return any(vars(self).values())


def unique_slug(name: str, taken: set[str], *, prefix: str = "", fallback: str = "space") -> str:
    """A slug for ``name`` not in ``taken`` (which gains it)."""
    base = slugify(f"{prefix} {name}".strip())[:120] or fallback
    slug, n = base, 2
    while slug in taken or slug in RESERVED_SLUGS:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _chunks(values: list[int], size: int = _IN_CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _ensure_spaces(result: ReconcileResult) -> dict[tuple[str, int], int]:
    """Create, rename and archive directory spaces; map (kind, directory id) → space id."""
    existing = list(
        Space.objects.filter(kind__in=Space.DIRECTORY_KINDS)
        .order_by()
        .only("pk", "kind", "name", "slug", "department", "location", "team", "archived_at")
    )
    taken = set(Space.objects.order_by().values_list("slug", flat=True))
    sources: list[tuple[str, str, dict[int, str]]] = [
        (
            Kind.DEPARTMENT,
            "department",
            dict(Department.objects.order_by().values_list("pk", "name")),
        ),
        (Kind.LOCATION, "location", dict(Location.objects.order_by().values_list("pk", "name"))),
        (Kind.TEAM, "team", dict(Team.objects.order_by().values_list("pk", "name"))),
    ]
    now = timezone.now()
    to_create: list[Space] = []
    to_update: list[Space] = []
    if not any(space.kind == Kind.COMPANY for space in existing):
        slug = unique_slug(COMPANY_SPACE_SLUG, taken)
        to_create.append(Space(kind=Kind.COMPANY, name=COMPANY_SPACE_NAME, slug=slug))
    for kind, field, names in sources:
        linked = {getattr(s, f"{field}_id"): s for s in existing if s.kind == kind}
        for pk, name in names.items():
            space = linked.get(pk)
            if space is None:
                slug = unique_slug(name, taken, prefix={"team": "team"}.get(field, ""))
                to_create.append(Space(kind=kind, name=name, slug=slug, **{f"{field}_id": pk}))
            elif space.name != name or space.archived_at is not None:
                space.name, space.archived_at = name, None
                to_update.append(space)
                result.spaces_renamed += 1
        for space in existing:
            if (
                space.kind == kind
                and getattr(space, f"{field}_id") is None
                and not space.archived_at
            ):
                space.archived_at = now
                to_update.append(space)
                result.spaces_archived += 1
    if to_create:
        Space.objects.bulk_create(to_create, batch_size=_BATCH)
        result.spaces_created = len(to_create)
    if to_update:
        Space.objects.bulk_update(
            to_update, ["name", "archived_at", "updated_at"], batch_size=_BATCH
        )
    mapping: dict[tuple[str, int], int] = {}
    rows = (
        Space.objects.filter(kind__in=Space.DIRECTORY_KINDS, archived_at=None)
        .order_by()
        .values_list("pk", "kind", "department_id", "location_id", "team_id")
    )
    for pk, kind, department_id, location_id, team_id in rows:
        keys: dict[str, int | None] = {
            Kind.COMPANY: 0,
            Kind.DEPARTMENT: department_id,
            Kind.LOCATION: location_id,
            Kind.TEAM: team_id,
        }
        key = keys[kind]
        if key is not None:
            mapping[(kind, key)] = pk
    return mapping


def _wanted(
    people: Iterable[tuple[int, bool, int | None, int | None, int | None]],
    spaces: dict[tuple[str, int], int],
) -> set[tuple[int, int]]:
    wanted: set[tuple[int, int]] = set()
    company = spaces.get((Kind.COMPANY, 0))
    for user_id, is_active, department_id, location_id, team_id in people:
        if not is_active:
            continue
        keys = [
            (Kind.DEPARTMENT, department_id),
            (Kind.LOCATION, location_id),
            (Kind.TEAM, team_id),
        ]
        space_ids = [company] + [spaces.get((kind, pk)) for kind, pk in keys if pk is not None]
        wanted.update((space_id, user_id) for space_id in space_ids if space_id is not None)
    return wanted


@transaction.atomic
def directory_spaces_reconcile(*, user_ids: Iterable[int] | None = None) -> ReconcileResult:
    """Bring directory spaces and their memberships in line with the directory.

    ``user_ids`` limits the membership work to those people (the spaces are always
    checked); ``None`` means everyone. Idempotent: a second run changes nothing.
    """
    result = ReconcileResult()
    spaces = _ensure_spaces(result)
    fields = ("pk", "is_active", "department_id", "location_id", "team_id")
    people: list[tuple[int, bool, int | None, int | None, int | None]] = []
    current: dict[tuple[int, int], int] = {}
    directory = SpaceMembership.objects.filter(source=Source.DIRECTORY).order_by()
    if user_ids is None:
        people = list(User.objects.order_by().values_list(*fields))
        current = {(s, u): pk for pk, s, u in directory.values_list("pk", "space_id", "user_id")}
    else:
        for chunk in _chunks(sorted(set(user_ids))):
            people.extend(User.objects.filter(pk__in=chunk).order_by().values_list(*fields))
            rows = directory.filter(user_id__in=chunk).values_list("pk", "space_id", "user_id")
            current.update({(s, u): pk for pk, s, u in rows})
    wanted = _wanted(people, spaces)
    stale_keys = [key for key in current if key not in wanted]
    stale = sorted(current[key] for key in stale_keys)
    for chunk in _chunks(stale):
        SpaceMembership.objects.filter(pk__in=chunk).delete()
    result.memberships_removed = len(stale)
    missing = sorted(wanted - current.keys())
    now = timezone.now()
    if missing:
        # A person may already be a manual member (say, a moderator added by hand):
        # that membership stays as it is.
        SpaceMembership.objects.bulk_create(
            [
                SpaceMembership(
                    space_id=space_id, user_id=user_id, source=Source.DIRECTORY, joined_at=now
                )
                for space_id, user_id in missing
            ],
            batch_size=_BATCH,
            ignore_conflicts=True,
        )
        result.memberships_added = len(missing)
    access_changed_on_commit(user_id for _space_id, user_id in [*stale_keys, *missing])
    if result.changed:
        audit_record(
            action="spaces.directory_reconciled",
            target_label="directory spaces",
            details=vars(result) | {"people": len(people)},
        )
    return result
