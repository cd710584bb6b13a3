"""The spaces part of the API: spaces, their members, join requests and invitations.

Every read goes through ``rallypoint.spaces.selectors`` and every write through
``rallypoint.spaces.services`` (and ``spaces.invitations``), as the pages do. A space the
caller may not see answers 404, exactly like a slug that does not exist, so that the API
never reveals that a secret group exists. Where the caller sees the space but may not
act on it, the service's refusal answers 403 with its reason.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import ConfigDict

from rallypoint.people import selectors as people_selectors
from rallypoint.people.api import MAX_ID, NO_NUL, OFFSET_MAX, SLUG, PersonRef
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user
from rallypoint.spaces import invitations, selectors, services
from rallypoint.spaces.models import (
    Space,
    SpaceInvitation,
    SpaceJoinRequest,
    SpaceMembership,
)

router = Router(tags=["spaces"])

SLUG_PATH = Path(..., max_length=140, pattern=SLUG)
PAGE_LIMIT_DEFAULT = 50
PAGE_LIMIT_MAX = 200

SpaceKind = Literal["company", "department", "location", "team", "open", "private", "secret"]
GroupKind = Literal["open", "private", "secret"]
Role = Literal["owner", "moderator", "member"]


# ---------------------------------------------------------------- schemas


class SpaceRef(Schema):
    """A space as other objects name it."""

    slug: str
    name: str


class SpaceOut(Schema):
    id: int
    slug: str
    name: str
    kind: SpaceKind
    description: str
    created_at: datetime.datetime
    archived_at: datetime.datetime | None
    member_count: int = Field(description="Active members.")
    my_role: Role | None = Field(description="Your role in the space; null if not a member.")
    url: str = Field(description="The space's page.")

    @staticmethod
    def resolve_my_role(obj: Space) -> str | None:
        return getattr(obj, "viewer_role", None)

    @staticmethod
    def resolve_url(obj: Space, context: dict[str, Any]) -> str:
        return str(context["request"].build_absolute_uri(reverse("spaces_detail", args=[obj.slug])))


class SpaceAbilities(Schema):
    read: bool = Field(description="You may read its posts and comments.")
    post: bool = Field(description="You may post in it.")
    moderate: bool = Field(description="You manage its members and settings.")
    see_members: bool
    join: bool = Field(description="An open group you may join at once.")
    request_to_join: bool = Field(description="A private group you may ask to join.")


class SpaceDetailOut(SpaceOut):
    can: SpaceAbilities
    join_request_pending: bool = Field(description="You asked to join and wait for an answer.")
    invitation_pending: bool = Field(description="You are invited and have not answered.")


class SpacePage(Schema):
    items: list[SpaceOut]
    count: int = Field(description="How many spaces match, on all pages.")
    limit: int
    offset: int


class SpaceFilters(Schema):
    kind: SpaceKind | None = None
    mine: bool | None = Field(None, description="true: only spaces you are a member of.")
    query: str = Field("", max_length=100, pattern=NO_NUL, description="Words in the name.")
    archived: bool | None = Field(
        None, description="true: only archived spaces; false: only those in use."
    )
    limit: int = Field(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class SpaceCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: GroupKind
    name: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL)
    description: str = Field("", max_length=1000, pattern=NO_NUL)


def _optional_text(max_length: int, **constraints: Any) -> Any:
    """An optional text field that, when sent, may not be null."""
    return Field(None, max_length=max_length, pattern=NO_NUL, **constraints)


class SpaceUpdate(Schema):
    """Send only what changes. Directory spaces keep the directory's name."""

    model_config = ConfigDict(extra="forbid")

    name: str = _optional_text(120, min_length=1)
    description: str = _optional_text(1000)


class MemberOut(Schema):
    id: int = Field(description="The membership's id, used to change or remove it.")
    person: PersonRef = Field(alias="user")
    role: Role
    source: Literal["directory", "manual"] = Field(
        description="directory: follows the company directory and cannot be removed by hand."
    )
    joined_at: datetime.datetime


class MemberPage(Schema):
    items: list[MemberOut]
    count: int
    limit: int
    offset: int


class PageParams(Schema):
    limit: int = Field(PAGE_LIMIT_DEFAULT, ge=1, le=PAGE_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)


class MemberUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    role: Role


class JoinRequestOut(Schema):
    id: int
    person: PersonRef = Field(alias="user")
    status: Literal["pending", "approved", "declined"]
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class InvitationCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    person_id: int = Field(..., ge=1, le=MAX_ID)


class InvitationOut(Schema):
    id: int
    space: SpaceRef
    person: PersonRef = Field(alias="user")
    invited_by: PersonRef | None
    status: Literal["pending", "accepted", "declined"]
    created_at: datetime.datetime


# ---------------------------------------------------------------- helpers


def _space_detail(viewer: User, slug: str) -> Space:
    """The space ``slug`` with what the viewer may do there (``SpaceDetailOut``); 404 if
    they may not see it."""
    space = selectors.space_get_visible(viewer, slug)
    # Imported here: feed builds on spaces, not the other way round.
    from rallypoint.feed.selectors import can_post_in

    read = selectors.space_content_visible_to(viewer, space)
    moderate = selectors.can_moderate(viewer, space)
    pending = selectors.join_request_pending_of(viewer, space) is not None
    joinable = not space.is_archived and getattr(space, "viewer_role", None) is None
    space.can = {  # type: ignore[attr-defined]
        "read": read,
        "post": can_post_in(viewer, space),
        "moderate": moderate,
        "see_members": read or moderate,
        "join": joinable and space.kind == Space.Kind.OPEN,
        "request_to_join": joinable and space.kind == Space.Kind.PRIVATE and not pending,
    }
    space.join_request_pending = pending  # type: ignore[attr-defined]
    space.invitation_pending = (  # type: ignore[attr-defined]
        selectors.invitation_pending_of(viewer, space) is not None
    )
    return space


def _members_space(viewer: User, slug: str) -> Space:
    """The space, when the viewer may see who is in it; 404 otherwise."""
    space = selectors.space_get_visible(viewer, slug)
    if not selectors.members_visible(viewer, space):
        raise Http404(_("No such space."))
    return space


def _invalid(location: list[str | int], message: str) -> ValidationError:
    return ValidationError([{"loc": location, "msg": message, "type": "invalid"}])


# ---------------------------------------------------------------- spaces


@router.get("/spaces", response=SpacePage, summary="Spaces you can see")
def space_list(request: HttpRequest, filters: Query[SpaceFilters]) -> dict[str, Any]:
    viewer = signed_in_user(request)
    spaces = selectors.spaces_visible_to(viewer)
    if filters.kind is not None:
        spaces = spaces.filter(kind=filters.kind)
    if filters.mine:
        spaces = spaces.filter(memberships__user=viewer)
    elif filters.mine is not None:
        spaces = spaces.exclude(memberships__user=viewer)
    for word in filters.query.split():
        spaces = spaces.filter(name__icontains=word)
    if filters.archived is not None:
        spaces = spaces.filter(archived_at__isnull=not filters.archived)
    return {
        "items": list(spaces[filters.offset : filters.offset + filters.limit]),
        "count": spaces.count(),
        "limit": filters.limit,
        "offset": filters.offset,
    }


@router.get("/spaces/{slug}", response=SpaceDetailOut, summary="One space")
def space_get(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    return _space_detail(signed_in_user(request), slug)


@router.post("/spaces", response={201: SpaceDetailOut}, summary="Create a group")
def space_create(request: HttpRequest, payload: SpaceCreate) -> Any:
    viewer = signed_in_user(request)
    space = services.space_create(
        actor=viewer,
        kind=payload.kind,
        name=payload.name,
        description=payload.description,
        request=request,
    )
    return _space_detail(viewer, space.slug)


@router.patch("/spaces/{slug}", response=SpaceDetailOut, summary="Rename or describe a space")
def space_update(request: HttpRequest, payload: SpaceUpdate, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    changes = payload.model_dump(exclude_unset=True)
    services.space_update(
        actor=viewer,
        space=space,
        name=changes.get("name", space.name),
        description=changes.get("description", space.description),
        request=request,
    )
    return _space_detail(viewer, slug)


@router.post("/spaces/{slug}/archive", response=SpaceDetailOut, summary="Archive a group")
def space_archive(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    services.space_archive(actor=viewer, space=space, archived=True, request=request)
    return _space_detail(viewer, slug)


@router.delete("/spaces/{slug}/archive", response=SpaceDetailOut, summary="Restore a group")
def space_restore(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    services.space_archive(actor=viewer, space=space, archived=False, request=request)
    return _space_detail(viewer, slug)


# ---------------------------------------------------------------- your membership


@router.post("/spaces/{slug}/membership", response=MemberOut, summary="Join an open group")
def membership_join(request: HttpRequest, slug: str = SLUG_PATH) -> SpaceMembership:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    return services.space_join(actor=viewer, space=space, request=request)


@router.delete("/spaces/{slug}/membership", response={204: None}, summary="Leave a group")
def membership_leave(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    services.space_leave(actor=viewer, space=space, request=request)
    return None


@router.post(
    "/spaces/{slug}/join-requests",
    response={201: JoinRequestOut},
    summary="Ask to join a private group",
)
def join_request_create(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    return services.space_request_join(actor=viewer, space=space, request=request)


@router.get(
    "/spaces/{slug}/join-requests",
    response=list[JoinRequestOut],
    summary="Requests waiting for a decision (moderators)",
)
def join_request_list(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    return list(selectors.join_requests_pending(viewer, space))


def _decide(request: HttpRequest, slug: str, request_id: int, *, approve: bool) -> Any:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    join_request = selectors.join_request_get_decidable(viewer, space, request_id)
    decide = services.join_request_approve if approve else services.join_request_decline
    return decide(actor=viewer, join_request=join_request, request=request)


@router.post(
    "/spaces/{slug}/join-requests/{request_id}/approve",
    response=JoinRequestOut,
    summary="Let the person in",
)
def join_request_approve(
    request: HttpRequest, slug: str = SLUG_PATH, request_id: int = Path(..., ge=1, le=MAX_ID)
) -> SpaceJoinRequest:
    return _decide(request, slug, request_id, approve=True)


@router.post(
    "/spaces/{slug}/join-requests/{request_id}/decline",
    response=JoinRequestOut,
    summary="Turn the request down",
)
def join_request_decline(
    request: HttpRequest, slug: str = SLUG_PATH, request_id: int = Path(..., ge=1, le=MAX_ID)
) -> SpaceJoinRequest:
    return _decide(request, slug, request_id, approve=False)


# ---------------------------------------------------------------- invitations


@router.post(
    "/spaces/{slug}/invitations",
    response={201: InvitationOut},
    summary="Invite someone into a group (moderators)",
)
def invitation_create(
    request: HttpRequest, payload: InvitationCreate, slug: str = SLUG_PATH
) -> Any:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    try:
        person = people_selectors.person_get_visible(viewer, payload.person_id)
    except Http404:
        raise _invalid(["body", "person_id"], _("No such person.")) from None
    return invitations.space_invite(actor=viewer, space=space, user=person, request=request)


@router.get(
    "/spaces/{slug}/invitations",
    response=list[InvitationOut],
    summary="Invitations not answered yet (moderators)",
)
def invitation_list(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    return list(
        selectors.invitations_pending_in(viewer, space).select_related("space", "invited_by")
    )


@router.get("/invitations", response=list[InvitationOut], summary="Your pending invitations")
def invitation_list_mine(request: HttpRequest) -> Any:
    viewer = signed_in_user(request)
    return list(selectors.invitations_pending_for(viewer).select_related("user"))


def _my_invitation(viewer: User, slug: str) -> SpaceInvitation:
    space = selectors.space_get_visible(viewer, slug)
    invitation = selectors.invitation_pending_of(viewer, space)
    if invitation is None:
        raise Http404(_("No such invitation."))
    return invitation


@router.post(
    "/spaces/{slug}/invitation/accept", response=MemberOut, summary="Accept your invitation"
)
def invitation_accept(request: HttpRequest, slug: str = SLUG_PATH) -> SpaceMembership:
    viewer = signed_in_user(request)
    invitation = _my_invitation(viewer, slug)
    return invitations.invitation_accept(actor=viewer, invitation=invitation, request=request)


@router.post(
    "/spaces/{slug}/invitation/decline",
    response={204: None},
    summary="Decline your invitation",
)
def invitation_decline(request: HttpRequest, slug: str = SLUG_PATH) -> Any:
    viewer = signed_in_user(request)
    invitation = _my_invitation(viewer, slug)
    invitations.invitation_decline(actor=viewer, invitation=invitation, request=request)
    return None


# ---------------------------------------------------------------- members


@router.get("/spaces/{slug}/members", response=MemberPage, summary="Who is in a space")
def membership_list(
    request: HttpRequest, page: Query[PageParams], slug: str = SLUG_PATH
) -> dict[str, Any]:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    members = selectors.members_visible_to(viewer, space)
    return {
        "items": list(members[page.offset : page.offset + page.limit]),
        "count": members.count(),
        "limit": page.limit,
        "offset": page.offset,
    }


MEMBERSHIP_PATH = Path(..., ge=1, le=MAX_ID)


@router.patch(
    "/spaces/{slug}/members/{membership_id}",
    response=MemberOut,
    summary="Change a member's role (owners and moderators)",
)
def membership_update(
    request: HttpRequest,
    payload: MemberUpdate,
    slug: str = SLUG_PATH,
    membership_id: int = MEMBERSHIP_PATH,
) -> SpaceMembership:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    membership = selectors.membership_get_manageable(viewer, space, membership_id)
    return services.membership_set_role(
        actor=viewer, membership=membership, role=payload.role, request=request
    )


@router.delete(
    "/spaces/{slug}/members/{membership_id}",
    response={204: None},
    summary="Remove someone from a group (owners and moderators)",
)
def membership_remove(
    request: HttpRequest, slug: str = SLUG_PATH, membership_id: int = MEMBERSHIP_PATH
) -> Any:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    membership = selectors.membership_get_manageable(viewer, space, membership_id)
    services.membership_remove(actor=viewer, membership=membership, request=request)
    return None
