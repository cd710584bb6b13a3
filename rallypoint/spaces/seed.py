"""Spaces of the Northwind demo company: its directory spaces and a few groups."""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from rallypoint.people.models import User
from rallypoint.spaces.directory import directory_spaces_reconcile, unique_slug
from rallypoint.spaces.models import Space, SpaceJoinRequest, SpaceMembership

SEED = 1867
ADMIN_EMAIL = "admin@northwind.example"

Kind = Space.Kind
Role = SpaceMembership.Role


def _group(
    *, kind: str, name: str, description: str, owner: User, members: list[User], taken: set[str]
) -> Space:
    space = Space.objects.create(
        kind=kind,
        name=name,
        slug=unique_slug(name, taken),
        description=description,
        created_by=owner,
    )
    now = timezone.now()
    rows = [SpaceMembership(space=space, user=owner, role=Role.OWNER, joined_at=now)]
    rows += [
        SpaceMembership(space=space, user=person, joined_at=now)
        for person in dict.fromkeys(members)
        if person.pk != owner.pk
    ]
    SpaceMembership.objects.bulk_create(rows)
    return space


@transaction.atomic
def demo_spaces_seed() -> list[Space]:
    """Reconcile the directory spaces and add Northwind's groups (once)."""
    directory_spaces_reconcile()
    if Space.objects.filter(kind__in=Space.GROUP_KINDS).exists():
        return []
    rng = random.Random(SEED)
    people = list(User.objects.filter(is_active=True).order_by("pk"))
    manager_ids = set(
        User.objects.filter(is_active=True, manager__isnull=False).values_list(
            "manager_id", flat=True
        )
    )
    if not people:
        return []
    by_title = {person.job_title: person for person in people}
    ceo = next((p for p in people if p.manager_id is None), people[0])
    managers = [p for p in people if p.pk in manager_ids]
    others = [p for p in people if p.pk not in manager_ids and p.email != ADMIN_EMAIL]
    runners = rng.sample(others, min(24, len(others)))
    readers = rng.sample(others, min(15, len(others)))
    falcon = [
        by_title.get(title, ceo)
        for title in ("Chief Financial Officer", "General Counsel", "Chief Technology Officer")
    ]
    taken = set(Space.objects.values_list("slug", flat=True))
    groups = [
        _group(
            kind=Kind.OPEN,
            name="Running club",
            description="Lunchtime runs, weekend races and the Seattle half marathon team.",
            owner=runners[0],
            members=runners,
            taken=taken,
        ),
        _group(
            kind=Kind.OPEN,
            name="Book club",
            description="One book a month, discussed on the last Thursday.",
            owner=readers[0],
            members=readers,
            taken=taken,
        ),
        _group(
            kind=Kind.PRIVATE,
            name="Managers' circle",
            description="For people managers: hiring, feedback, and hard conversations.",
            owner=ceo,
            members=managers,
            taken=taken,
        ),
        _group(
            kind=Kind.SECRET,
            name="Project Falcon (M&A)",
            description="Confidential. Do not mention outside this group.",
            owner=ceo,
            members=falcon,
            taken=taken,
        ),
    ]
    hopeful = next((p for p in others if p.pk not in {r.pk for r in runners}), None)
    if hopeful is not None:
        SpaceJoinRequest.objects.create(space=groups[2], user=hopeful)
    return groups
