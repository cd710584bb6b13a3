"""The people part of the API: the signed-in person, the directory, departments, locations.

Every read goes through ``rallypoint.people.selectors`` and every write through
``rallypoint.people.services``, as the pages do. The caller is ``request.user``,
whichever way they authenticated.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import ConfigDict

from rallypoint.people import selectors
from rallypoint.people.models import Department, Location, User
from rallypoint.people.requests import signed_in_user
from rallypoint.people.services import profile_update

router = Router(tags=["people"])

# Text the database can store: PostgreSQL refuses NUL characters.
NO_NUL = r"^[^\x00]*$"
SLUG = r"^[-a-zA-Z0-9_]+$"
MAX_ID = 2**63 - 1
PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200
OFFSET_MAX = 2**31 - 1


# ---------------------------------------------------------------- schemas


class DepartmentOut(Schema):
    id: int
    name: str
    slug: str


class LocationOut(Schema):
    id: int
    name: str
    slug: str
    city: str
    country: str
    time_zone: str


class TeamOut(Schema):
    id: int
    name: str
    slug: str


class PersonRef(Schema):
    id: int
    display_name: str


class BirthdayOut(Schema):
    month: int
    day: int


class PersonOut(Schema):
    """A colleague as the directory shows them."""

    id: int
    display_name: str
    email: str
    pronouns: str
    job_title: str
    department: DepartmentOut | None
    team: TeamOut | None
    location: LocationOut | None
    manager_id: int | None
    hire_date: datetime.date | None
    time_zone: str
    bio: str
    linkedin: str
    x_handle: str
    mastodon: str
    bluesky: str
    avatar_url: str | None
    profile_url: str
    birthday: BirthdayOut | None = Field(
        description="Month and day; only when the person chose to show it (or it is you)."
    )

    @staticmethod
    def resolve_avatar_url(obj: User, context: dict[str, Any]) -> str | None:
        if not obj.avatar:
            return None
        return str(context["request"].build_absolute_uri(obj.avatar.url))

    @staticmethod
    def resolve_profile_url(obj: User, context: dict[str, Any]) -> str:
        return str(context["request"].build_absolute_uri(reverse("people_profile", args=[obj.pk])))

    @staticmethod
    def resolve_birthday(obj: User, context: dict[str, Any]) -> dict[str, int] | None:
        # The profile page's rule: shown if the person opted in, or to themselves.
        if obj.birthday_month is None or obj.birthday_day is None:
            return None
        if not obj.birthday_visible and obj.pk != context["request"].user.pk:
            return None
        return {"month": obj.birthday_month, "day": obj.birthday_day}


class PersonDetailOut(PersonOut):
    manager: PersonRef | None
    is_active: bool


class MeOut(PersonDetailOut):
    """You, with the settings only you see."""

    role: str
    language: str
    birthday_month: int | None
    birthday_day: int | None
    birthday_visible: bool


class PeoplePage(Schema):
    items: list[PersonOut]
    count: int = Field(description="How many people match, on all pages.")
    limit: int
    offset: int


def _text(max_length: int, **constraints: Any) -> Any:
    """An optional text field that, when sent, may not be null."""
    return Field(None, max_length=max_length, pattern=NO_NUL, **constraints)


def _flag() -> Any:
    """An optional true/false field that, when sent, may not be null."""
    return Field(None)


class MeUpdate(Schema):
    """Your personal profile fields; send only those you change. ``null`` clears a birthday."""

    model_config = ConfigDict(extra="forbid")

    display_name: str = _text(120, min_length=1)
    pronouns: str = _text(40)
    bio: str = _text(600)
    birthday_month: int | None = Field(None, ge=1, le=12)
    birthday_day: int | None = Field(None, ge=1, le=31)
    birthday_visible: bool = _flag()
    time_zone: str = _text(64)
    language: str = _text(8)
    linkedin: str = _text(200)
    x_handle: str = _text(60)
    mastodon: str = _text(200)
    bluesky: str = _text(200)


class PeopleFilters(Schema):
    q: str = Field(
        "", max_length=100, pattern=NO_NUL, description="Words in name, title or department."
    )
    department: str | None = Field(
        None, max_length=120, pattern=SLUG, description="Department slug."
    )
    location: str | None = Field(None, max_length=120, pattern=SLUG, description="Location slug.")
    limit: int = Field(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


# ---------------------------------------------------------------- endpoints


@router.get("/me", response=MeOut, summary="You")
def me_get(request: HttpRequest) -> User:
    viewer = signed_in_user(request)
    return selectors.person_get_visible(viewer, viewer.pk)


@router.patch("/me", response=MeOut, summary="Change your personal profile fields")
def me_update(request: HttpRequest, payload: MeUpdate) -> User:
    viewer = signed_in_user(request)
    profile_update(
        actor=viewer, user=viewer, data=payload.model_dump(exclude_unset=True), request=request
    )
    return selectors.person_get_visible(viewer, viewer.pk)


def _filter_value(model: type[Department] | type[Location], slug: str | None, name: str) -> Any:
    if slug is None:
        return None
    found = model.objects.filter(slug=slug).first()
    if found is None:
        message = _("No such %(name)s.") % {"name": name}
        raise ValidationError([{"loc": ["query", name], "msg": message, "type": "invalid"}])
    return found


@router.get("/people", response=PeoplePage, summary="The people directory")
def people_list(request: HttpRequest, filters: Query[PeopleFilters]) -> dict[str, Any]:
    viewer = signed_in_user(request)
    people = selectors.people_visible_to(
        viewer,
        query=filters.q,
        department=_filter_value(Department, filters.department, "department"),
        location=_filter_value(Location, filters.location, "location"),
    )
    return {
        "items": list(people[filters.offset : filters.offset + filters.limit]),
        "count": people.count(),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.get("/people/{person_id}", response=PersonDetailOut, summary="One person")
def person_get(request: HttpRequest, person_id: int = Path(..., ge=1, le=MAX_ID)) -> User:
    return selectors.person_get_visible(signed_in_user(request), person_id)


@router.get("/departments", response=list[DepartmentOut], summary="Departments")
def department_list(request: HttpRequest) -> Any:
    return selectors.departments_for_filter(signed_in_user(request))


@router.get("/locations", response=list[LocationOut], summary="Locations")
def location_list(request: HttpRequest) -> Any:
    return selectors.locations_for_filter(signed_in_user(request))
