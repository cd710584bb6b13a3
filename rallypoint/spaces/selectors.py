"""Who may see which space, its members and its content: decided here and only here.

Every other app (posts, comments, files, search, live events, notifications, digests,
the API) filters through ``space_ids_readable_by`` or ``space_content_visible_to``, and
looks spaces up through ``space_get_visible``, which answers 404 for a space the viewer
may not see.

``KIND_ACCESS`` is the visibility table:

==========  =====================  ===========================
kind        listed to              content readable by
==========  =====================  ===========================
company     every active person    every active person
department  every active person    every active person
location    every active person    every active person
team        every active person    every active person
open        every active person    every active person
private     every active person    members only
secret      members and invitees   members only
==========  =====================  ===========================

Deactivated viewers see nothing. Administrators see every space listed and manage its
settings and members (that is what keeps a group without an owner manageable), but read
the content of a private or secret group only when they are members of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.core.queries import count_subquery
from rallypoint.people.models import User
from rallypoint.spaces.models import (
    Space,
    SpaceInvitation,
    SpaceJoinRequest,
    SpaceMembership,
    SpaceSettings,
)

Kind = Space.Kind


@dataclass(frozen=True)
class KindAccess:
    listed_to_everyone: bool
    content_for_everyone: bool


KIND_ACCESS: dict[str, KindAccess] = {
    Kind.COMPANY: KindAccess(listed_to_everyone=True, content_for_everyone=True),
    Kind.DEPARTMENT: KindAccess(listed_to_everyone=True, content_for_everyone=True),
    Kind.LOCATION: KindAccess(listed_to_everyone=True, content_for_everyone=True),
    Kind.TEAM: KindAccess(listed_to_everyone=True, content_for_everyone=True),
    Kind.OPEN: KindAccess(listed_to_everyone=True, content_for_everyone=True),
    Kind.PRIVATE: KindAccess(listed_to_everyone=True, content_for_everyone=False),
    Kind.SECRET: KindAccess(listed_to_everyone=False, content_for_everyone=False),
}
LISTED_KINDS = [kind for kind, access in KIND_ACCESS.items() if access.listed_to_everyone]
READABLE_KINDS = [kind for kind, access in KIND_ACCESS.items() if access.content_for_everyone]


_ROLE_RANK = Case(
    When(role=SpaceMembership.Role.OWNER, then=Value(0)),
    When(role=SpaceMembership.Role.MODERATOR, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _is_member(viewer: User) -> Exists:
    return Exists(SpaceMembership.objects.filter(space=OuterRef("pk"), user_id=viewer.pk))


def _is_invited(viewer: User) -> Exists:
    return Exists(
        SpaceInvitation.objects.filter(
            space=OuterRef("pk"), user_id=viewer.pk, status=SpaceInvitation.Status.PENDING
        )
    )


def _member_count() -> Coalesce:
    return count_subquery(
        SpaceMembership.objects.filter(space=OuterRef("pk"), user__is_active=True), per="space"
    )


def _viewer_role(viewer: User) -> Subquery:
    return Subquery(
        SpaceMembership.objects.filter(space=OuterRef("pk"), user_id=viewer.pk).values("role")[:1]
    )


def space_ids_readable_by(viewer: User) -> QuerySet[Space, int]:
    """Ids of the spaces whose content ``viewer`` may read, as one subquery.

    Use it inside other querysets: ``Post.objects.filter(space_id__in=space_ids_readable_by(v))``.
    """
    if not viewer.is_active:
        return Space.objects.none().values_list("pk", flat=True)
    return Space.objects.filter(Q(kind__in=READABLE_KINDS) | _is_member(viewer)).values_list(
        "pk", flat=True
    )


def spaces_visible_to(viewer: User) -> QuerySet[Space]:
    """The spaces ``viewer`` may see listed, with ``member_count`` and ``viewer_role``."""
    if not viewer.is_active:
        return Space.objects.none()
    spaces = Space.objects.all()
    if not viewer.is_administrator:
        spaces = spaces.filter(Q(kind__in=LISTED_KINDS) | _is_member(viewer) | _is_invited(viewer))
    return spaces.annotate(member_count=_member_count(), viewer_role=_viewer_role(viewer))


def space_get_visible(viewer: User, slug: str) -> Space:
    """The space ``slug`` if ``viewer`` may see it (with ``member_count``, ``viewer_role``)."""
    space = spaces_visible_to(viewer).filter(slug=slug).first()
    if space is None:
        raise Http404(_("No such space."))
    return space


def membership_of(viewer: User, space: Space) -> SpaceMembership | None:
    if not viewer.is_active:
        return None
    return SpaceMembership.objects.filter(space=space, user_id=viewer.pk).first()


def space_content_visible_to(viewer: User, space: Space) -> bool:
    """Whether ``viewer`` may read what is posted in ``space``."""
    if not viewer.is_active:
        return False
    if KIND_ACCESS[space.kind].content_for_everyone:
        return True
    return SpaceMembership.objects.filter(space=space, user_id=viewer.pk).exists()


def can_moderate(viewer: User, space: Space) -> bool:
    """Owners, moderators and administrators manage a space's members and settings."""
    if not viewer.is_active:
        return False
    if viewer.is_administrator:
        return True
    return SpaceMembership.objects.filter(
        space=space, user_id=viewer.pk, role__in=SpaceMembership.MODERATING_ROLES
    ).exists()


def members_visible(viewer: User, space: Space) -> bool:
    """Whether ``viewer`` may see who is in ``space`` (a members page that 404s otherwise)."""
    return space_content_visible_to(viewer, space) or can_moderate(viewer, space)


def members_visible_to(viewer: User, space: Space) -> QuerySet[SpaceMembership]:
    """Active members of ``space`` (owners first), or nothing if the viewer may not see them."""
    if not members_visible(viewer, space):
        return SpaceMembership.objects.none()
    return (
        SpaceMembership.objects.filter(space=space, user__is_active=True)
        .select_related("user", "user__department", "user__location")
        .annotate(role_rank=_ROLE_RANK)
        .order_by("role_rank", "user__display_name", "user__pk")
    )


def join_requests_pending(viewer: User, space: Space) -> QuerySet[SpaceJoinRequest]:
    """Pending requests to join ``space``, for the people who may decide them."""
    if not can_moderate(viewer, space):
        return SpaceJoinRequest.objects.none()
    return (
        SpaceJoinRequest.objects.filter(
            space=space, status=SpaceJoinRequest.Status.PENDING, user__is_active=True
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )


def join_request_pending_of(viewer: User, space: Space) -> SpaceJoinRequest | None:
    if not viewer.is_active:
        return None
    return SpaceJoinRequest.objects.filter(
        space=space, user_id=viewer.pk, status=SpaceJoinRequest.Status.PENDING
    ).first()


def join_request_get_decidable(viewer: User, space: Space, pk: int) -> SpaceJoinRequest:
    request = join_requests_pending(viewer, space).filter(pk=pk).first()
    if request is None:
        raise Http404(_("No such request."))
    return request


def invitations_pending_for(viewer: User) -> QuerySet[SpaceInvitation]:
    """The viewer's own pending invitations to spaces that are still open for them."""
    if not viewer.is_active:
        return SpaceInvitation.objects.none()
    return (
        SpaceInvitation.objects.filter(
            user_id=viewer.pk, status=SpaceInvitation.Status.PENDING, space__archived_at=None
        )
        .select_related("space", "invited_by")
        .order_by("-created_at", "pk")
    )


def invitation_pending_of(viewer: User, space: Space) -> SpaceInvitation | None:
    return invitations_pending_for(viewer).filter(space=space).first()


def invitations_pending_in(viewer: User, space: Space) -> QuerySet[SpaceInvitation]:
    """Invitations of ``space`` not answered yet, for its moderators."""
    if not can_moderate(viewer, space):
        return SpaceInvitation.objects.none()
    return (
        SpaceInvitation.objects.filter(
            space=space, status=SpaceInvitation.Status.PENDING, user__is_active=True
        )
        .select_related("user")
        .order_by("-created_at", "pk")
    )


def membership_get_manageable(viewer: User, space: Space, pk: int) -> SpaceMembership:
    """A membership of ``space`` that ``viewer`` may manage; 404 otherwise."""
    membership = members_visible_to(viewer, space).filter(pk=pk).first()
    if membership is None or not can_moderate(viewer, space):
        raise Http404(_("No such member."))
    return membership


def space_settings() -> SpaceSettings:
    """The company's spaces settings (defaults until an administrator saves them)."""
    return SpaceSettings.objects.filter(pk=1).first() or SpaceSettings(pk=1)


def can_create_groups(viewer: User) -> bool:
    if not viewer.is_active:
        return False
    return viewer.is_administrator or space_settings().members_can_create_groups


def group_kinds_creatable_by(viewer: User) -> list[str]:
    """The kinds of group ``viewer`` may create: secret ones are for administrators and
    communications managers."""
    if not can_create_groups(viewer):
        return []
    kinds: list[str] = [Kind.OPEN, Kind.PRIVATE]
    if viewer.is_communications:
        kinds.append(Kind.SECRET)
    return kinds
