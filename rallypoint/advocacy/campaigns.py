"""Every write to campaigns: create, change and end them.

Communications managers and administrators run campaigns. A campaign has dates, an
audience (everyone, or the people of some departments or locations), items of the content
library, and optional goals. Progress towards the goals is measured from shares and clicks
(``campaign_selectors``), never typed in, so no service here writes a number of progress.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from rallypoint.advocacy.models import Campaign, ContentItem
from rallypoint.core.audit import audit_record
from rallypoint.people.models import Department, Location, User

NAME_MAX = 200
SLUG_MAX = 80
DESCRIPTION_MAX = 5000
GOAL_MAX = 100_000_000
# Paths under /campaigns/ that are pages, not campaigns.
RESERVED_SLUGS = frozenset({"manage", "new"})
GOAL_FIELDS = ("goal_shares", "goal_unique_clicks", "goal_participants", "goal_reach")


@dataclass
class CampaignData:
    """What a campaign is made of, as the form or the API gives it."""

    name: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    description: str = ""
    slug: str = ""
    audience_everyone: bool = True
    departments: Iterable[Department] = ()
    locations: Iterable[Location] = ()
    items: Iterable[ContentItem] = ()
    goal_shares: int | None = None
    goal_unique_clicks: int | None = None
    goal_participants: int | None = None
    goal_reach: int | None = None


def _require_communications(actor: User) -> None:
    if not actor.is_communications:
        raise PermissionDenied(_("Only communications managers and administrators run campaigns."))


def _free_slug(base: str, *, exclude: int | None) -> str:
    base = base[: SLUG_MAX - 4].strip("-") or "campaign"
    rows = Campaign.objects.filter(slug__startswith=base)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    taken = set(rows.values_list("slug", flat=True))
    taken |= RESERVED_SLUGS
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def _clean(data: CampaignData, *, campaign: Campaign | None) -> dict[str, Any]:
    """Check ``data``; return the field values to store. Raises one ValidationError that
    names every problem."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = " ".join((data.name or "").split())
    if not name:
        refuse("name", _("Give the campaign a name."))
    elif len(name) > NAME_MAX:
        refuse("name", _("The name is too long (%(max)s characters at most).") % {"max": NAME_MAX})
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        refuse(
            "description",
            _("The description is too long (%(max)s characters at most).")
            % {"max": DESCRIPTION_MAX},
        )
    exclude = campaign.pk if campaign else None
    slug = slugify(data.slug or "")
    if data.slug and not slug:
        refuse("slug", _("Use letters, digits and hyphens in the address."))
    elif slug:
        if len(slug) > SLUG_MAX:
            refuse(
                "slug",
                _("The address is too long (%(max)s characters at most).") % {"max": SLUG_MAX},
            )
        elif slug in RESERVED_SLUGS:
            refuse(
                "slug",
                _("“%(slug)s” is a page of its own; choose another address.") % {"slug": slug},
            )
        elif Campaign.objects.filter(slug=slug).exclude(pk=exclude or 0).exists():
            refuse("slug", _("Another campaign already has this address."))
    elif campaign is not None:
        slug = campaign.slug
    elif name:
        slug = _free_slug(slugify(name), exclude=exclude)
    for value, field in ((data.starts_at, "starts_at"), (data.ends_at, "ends_at")):
        if value is None:
            refuse(field, _("Give a date."))
        elif timezone.is_naive(value):
            refuse(field, _("Give a date with its time zone."))
    if "starts_at" not in errors and "ends_at" not in errors and data.ends_at <= data.starts_at:
        refuse("ends_at", _("The campaign must end after it starts."))
    departments, locations = list(data.departments), list(data.locations)
    if not data.audience_everyone and not (departments or locations):
        refuse(
            "audience", _("Choose who the campaign is for: everyone, or departments or locations.")
        )
    items = list(data.items)
    # Items already in the campaign stay when they leave the library; new ones must be in it.
    kept = set(campaign.items.values_list("pk", flat=True)) if campaign is not None else set()
    for item in items:
        if item.pk in kept:
            continue
        if item.status != ContentItem.Status.PUBLISHED:
            refuse("items", _("“%(title)s” is not in the library.") % {"title": item.title})
        elif item.internal_only:
            refuse(
                "items",
                _("“%(title)s” is internal only: it cannot be shared, so not campaigned for.")
                % {"title": item.title},
            )
    goals: dict[str, int | None] = {}
    for field in GOAL_FIELDS:
        goal = getattr(data, field)
        if goal is not None and not (isinstance(goal, int) and 1 <= goal <= GOAL_MAX):
            refuse(
                field, _("A goal is a whole number from 1 to %(max)s.") % {"max": f"{GOAL_MAX:,}"}
            )
        goals[field] = goal
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "slug": slug,
        "description": description,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "audience_everyone": data.audience_everyone,
        "departments": [] if data.audience_everyone else departments,
        "locations": [] if data.audience_everyone else locations,
        "items": items,
        **goals,
    }


def _save(campaign: Campaign, values: dict[str, Any]) -> Campaign:
    related = {key: values.pop(key) for key in ("departments", "locations", "items")}
    for key, value in values.items():
        setattr(campaign, key, value)
    campaign.full_clean()
    campaign.save()
    campaign.departments.set(related["departments"])
    campaign.locations.set(related["locations"])
    campaign.items.set(related["items"])
    return campaign


def _summary(campaign: Campaign) -> dict[str, Any]:
    return {
        "slug": campaign.slug,
        "starts_at": campaign.starts_at.isoformat(),
        "ends_at": campaign.ends_at.isoformat(),
        "everyone": campaign.audience_everyone,
        "items": sorted(campaign.items.values_list("pk", flat=True)),
        **{field: getattr(campaign, field) for field in GOAL_FIELDS},
    }


@transaction.atomic
def campaign_create(*, actor: User, data: CampaignData, request: Any = None) -> Campaign:
    """Start a campaign (communications managers and administrators). The address
    (``slug``) comes from the name unless one is given; a given one must be free."""
    _require_communications(actor)
    values = _clean(data, campaign=None)
    campaign = _save(Campaign(created_by=actor), values)
    audit_record(
        action="advocacy.campaign_created",
        actor=actor,
        target=campaign,
        request=request,
        details=_summary(campaign),
    )
    return campaign


@transaction.atomic
def campaign_update(
    *, actor: User, campaign: Campaign, data: CampaignData, request: Any = None
) -> Campaign:
    """Change a campaign. Shares already made stay counted: they belong to the campaign
    whatever its items become."""
    _require_communications(actor)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    values = _clean(data, campaign=locked)
    _save(locked, values)
    audit_record(
        action="advocacy.campaign_updated",
        actor=actor,
        target=locked,
        request=request,
        details=_summary(locked),
    )
    return locked


@transaction.atomic
def campaign_end(*, actor: User, campaign: Campaign, request: Any = None) -> Campaign:
    """End a running campaign now (its end date becomes this moment), or refuse one
    that has not started or is already over."""
    _require_communications(actor)
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    now = timezone.now()
    if locked.starts_at >= now:
        raise ValidationError(_("This campaign has not started; change its dates instead."))
    if locked.ends_at <= now:
        raise ValidationError(_("This campaign is already over."))
    previous = locked.ends_at
    locked.ends_at = now
    locked.full_clean()
    locked.save(update_fields=["ends_at", "updated_at"])
    audit_record(
        action="advocacy.campaign_ended",
        actor=actor,
        target=locked,
        request=request,
        details={"planned_end": previous.isoformat()},
    )
    return locked


def campaign_data_of(campaign: Campaign) -> CampaignData:
    """A campaign's current values, to change a few of them and call ``campaign_update``."""
    return CampaignData(
        name=campaign.name,
        slug=campaign.slug,
        description=campaign.description,
        starts_at=campaign.starts_at,
        ends_at=campaign.ends_at,
        audience_everyone=campaign.audience_everyone,
        departments=list(campaign.departments.all()),
        locations=list(campaign.locations.all()),
        items=list(campaign.items.all()),
        goal_shares=campaign.goal_shares,
        goal_unique_clicks=campaign.goal_unique_clicks,
        goal_participants=campaign.goal_participants,
        goal_reach=campaign.goal_reach,
    )
