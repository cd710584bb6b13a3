"""Every write to spaces: creating and managing groups, joining, leaving, roles.

Each service checks who may act (through the selectors), validates, writes inside a
transaction together with its audit entry, and tells the people concerned with a live
toast once the transaction commits. Directory memberships are written only by
``directory.directory_spaces_reconcile``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.core.realtime import access_changed_on_commit
from rallypoint.people.models import User
from rallypoint.spaces import selectors
from rallypoint.spaces.directory import unique_slug
from rallypoint.spaces.models import (
    Space,
    SpaceJoinRequest,
    SpaceMembership,
    SpaceSettings,
)

Kind = Space.Kind
Role = SpaceMembership.Role


def _tell(user: User, message: Callable[[], str]) -> None:
    """Toast ``message()`` (built in the person's language) to ``user`` after commit."""
    user_id, language = user.pk, user.language

    def send() -> None:
        from rallypoint.core.realtime import publish_to_user

        with translation.override(language):
            text = message()
        publish_to_user(user_id, "toast", {"message": text})

    transaction.on_commit(send)


def _require_active(actor: User) -> None:
    if not actor.is_active:
        raise PermissionDenied(_("Your account is deactivated."))


def _require_moderator(actor: User, space: Space) -> None:
    if not selectors.can_moderate(actor, space):
        raise PermissionDenied(_("Only the space's owners and moderators can do this."))


def _require_group(space: Space) -> None:
    if not space.is_group:
        raise ValidationError(
            _("Membership of %(space)s follows the company directory.") % {"space": space}
        )


def _require_not_archived(space: Space) -> None:
    if space.is_archived:
        raise ValidationError(_("%(space)s is archived.") % {"space": space})


def _owners(space: Space) -> list[int]:
    return list(
        SpaceMembership.objects.select_for_update()
        .filter(space=space, role=Role.OWNER, user__is_active=True)
        .values_list("user_id", flat=True)
    )


def _add_member(*, space: Space, user: User, role: str = Role.MEMBER) -> SpaceMembership:
    membership, created = SpaceMembership.objects.get_or_create(
        space=space, user=user, defaults={"role": role, "source": SpaceMembership.Source.MANUAL}
    )
    if created:
        membership.full_clean()
        access_changed_on_commit([user.pk])
    return membership


# ---------------------------------------------------------------- settings


@transaction.atomic
def space_settings_update(
    *, actor: User, members_can_create_groups: bool, request: HttpRequest | None = None
) -> SpaceSettings:
    """Administrators decide whether everyone may create open and private groups."""
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators can change the spaces settings."))
    settings, _created = SpaceSettings.objects.select_for_update().get_or_create(pk=1)
    if settings.members_can_create_groups == members_can_create_groups:
        return settings
    settings.members_can_create_groups = members_can_create_groups
    settings.full_clean()
    settings.save()
    audit_record(
        action="spaces.settings_changed",
        actor=actor,
        target=settings,
        request=request,
        details={"members_can_create_groups": members_can_create_groups},
    )
    return settings


# ---------------------------------------------------------------- spaces


@transaction.atomic
def space_create(
    *,
    actor: User,
    kind: str,
    name: str,
    description: str = "",
    request: HttpRequest | None = None,
) -> Space:
    """Create a group (open, private or secret) with ``actor`` as its owner."""
    _require_active(actor)
    if kind not in Space.GROUP_KINDS:
        raise ValidationError({"kind": _("Choose open, private or secret.")})
    if kind not in selectors.group_kinds_creatable_by(actor):
        if not selectors.can_create_groups(actor):
            raise PermissionDenied(_("Only administrators can create groups."))
        raise PermissionDenied(
            _("Only administrators and communications managers can create secret groups.")
        )
    name = " ".join(name.split())
    taken = set(Space.objects.values_list("slug", flat=True))
    space = Space(
        kind=kind,
        name=name,
        description=description.strip(),
        slug=unique_slug(name, taken),
        created_by=actor,
    )
    space.full_clean()
    space.save()
    _add_member(space=space, user=actor, role=Role.OWNER)
    audit_record(
        action="spaces.created",
        actor=actor,
        target=space,
        request=request,
        details={"kind": kind, "slug": space.slug},
    )
    return space


@transaction.atomic
def space_update(
    *,
    actor: User,
    space: Space,
    name: str,
    description: str,
    request: HttpRequest | None = None,
) -> Space:
    """Owners and moderators rename a group or change its description.

    Directory spaces take their name from the directory; only their description changes.
    The address (slug) never changes, so links already shared keep working.
    """
    _require_moderator(actor, space)
    space = Space.objects.select_for_update().get(pk=space.pk)
    values = {"description": description.strip()}
    if space.is_group:
        values["name"] = " ".join(name.split())
    changed = sorted(field for field, value in values.items() if getattr(space, field) != value)
    if not changed:
        return space
    for field in changed:
        setattr(space, field, values[field])
    space.full_clean()
    space.save()
    audit_record(
        action="spaces.updated",
        actor=actor,
        target=space,
        request=request,
        details={"fields": changed},
    )
    return space


@transaction.atomic
def space_archive(
    *, actor: User, space: Space, archived: bool = True, request: HttpRequest | None = None
) -> Space:
    """Owners (and administrators) archive a group, or bring it back with ``archived=False``.

    An archived group stays readable by the same people but nobody joins it.
    """
    _require_active(actor)
    _require_group(space)
    membership = selectors.membership_of(actor, space)
    if not actor.is_administrator and (membership is None or membership.role != Role.OWNER):
        raise PermissionDenied(_("Only the group's owners can archive it."))
    space = Space.objects.select_for_update().get(pk=space.pk)
    if space.is_archived == archived:
        return space
    space.archived_at = timezone.now() if archived else None
    space.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        action="spaces.archived" if archived else "spaces.restored",
        actor=actor,
        target=space,
        request=request,
    )
    return space


# ---------------------------------------------------------------- joining and leaving


@transaction.atomic
def space_join(*, actor: User, space: Space, request: HttpRequest | None = None) -> SpaceMembership:
    """Join an open group."""
    _require_active(actor)
    _require_not_archived(space)
    if space.kind != Kind.OPEN:
        raise ValidationError(_("Only open groups can be joined directly."))
    existing = selectors.membership_of(actor, space)
    if existing is not None:
        return existing
    membership = _add_member(space=space, user=actor)
    audit_record(action="spaces.joined", actor=actor, target=space, request=request)
    return membership


@transaction.atomic
def space_leave(*, actor: User, space: Space, request: HttpRequest | None = None) -> None:
    """Leave a group. The last owner must hand over first, so no group is left unmanaged."""
    _require_group(space)
    membership = (
        SpaceMembership.objects.select_for_update().filter(space=space, user_id=actor.pk).first()
    )
    if membership is None:
        return
    if membership.role == Role.OWNER and _owners(space) == [actor.pk]:
        raise ValidationError(
            _("You are the only owner of %(space)s. Make someone else an owner first.")
            % {"space": space}
        )
    membership.delete()
    access_changed_on_commit([actor.pk])
    audit_record(action="spaces.left", actor=actor, target=space, request=request)


@transaction.atomic
def space_request_join(
    *, actor: User, space: Space, request: HttpRequest | None = None
) -> SpaceJoinRequest:
    """Ask to join a private group; its moderators are told and decide."""
    _require_active(actor)
    _require_not_archived(space)
    if space.kind != Kind.PRIVATE:
        raise ValidationError(_("Only private groups take requests to join."))
    if selectors.membership_of(actor, space) is not None:
        raise ValidationError(_("You are already a member of %(space)s.") % {"space": space})
    pending = selectors.join_request_pending_of(actor, space)
    if pending is not None:
        return pending
    join_request = SpaceJoinRequest(space=space, user=actor)
    join_request.full_clean()
    join_request.save()
    audit_record(action="spaces.join_requested", actor=actor, target=space, request=request)
    moderators = User.objects.filter(
        is_active=True,
        space_memberships__space=space,
        space_memberships__role__in=SpaceMembership.MODERATING_ROLES,
    )
    for moderator in moderators:
        _tell(
            moderator,
            lambda: _("%(name)s asks to join %(space)s.") % {"name": actor, "space": space.name},
        )
    return join_request


def _decide(
    *, actor: User, join_request: SpaceJoinRequest, approve: bool, request: HttpRequest | None
) -> SpaceJoinRequest:
    join_request = (
        SpaceJoinRequest.objects.select_for_update()
        .select_related("space", "user")
        .get(pk=join_request.pk)
    )
    space = join_request.space
    _require_moderator(actor, space)
    if join_request.status != SpaceJoinRequest.Status.PENDING:
        raise ValidationError(_("This request was already answered."))
    if approve:
        _require_not_archived(space)
        if not join_request.user.is_active:
            raise ValidationError(_("%(name)s is deactivated.") % {"name": join_request.user})
        _add_member(space=space, user=join_request.user)
    join_request.status = (
        SpaceJoinRequest.Status.APPROVED if approve else SpaceJoinRequest.Status.DECLINED
    )
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        action="spaces.join_approved" if approve else "spaces.join_declined",
        actor=actor,
        target=space,
        request=request,
        details={"person": join_request.user.email},
    )
    name = space.name
    if approve:
        _tell(join_request.user, lambda: _("You are now a member of %(space)s.") % {"space": name})
    else:
        _tell(
            join_request.user,
            lambda: _("Your request to join %(space)s was declined.") % {"space": name},
        )
    return join_request


@transaction.atomic
def join_request_approve(
    *, actor: User, join_request: SpaceJoinRequest, request: HttpRequest | None = None
) -> SpaceJoinRequest:
    """A moderator lets the person in; they are told live."""
    return _decide(actor=actor, join_request=join_request, approve=True, request=request)


@transaction.atomic
def join_request_decline(
    *, actor: User, join_request: SpaceJoinRequest, request: HttpRequest | None = None
) -> SpaceJoinRequest:
    """A moderator turns the request down; the person is told live."""
    return _decide(actor=actor, join_request=join_request, approve=False, request=request)


# ---------------------------------------------------------------- members


def _lock_membership(membership: SpaceMembership) -> SpaceMembership:
    return (
        SpaceMembership.objects.select_for_update()
        .select_related("space", "user")
        .get(pk=membership.pk)
    )


def _may_manage_owners(actor: User, space: Space) -> bool:
    membership = selectors.membership_of(actor, space)
    return actor.is_administrator or (membership is not None and membership.role == Role.OWNER)


@transaction.atomic
def membership_remove(
    *, actor: User, membership: SpaceMembership, request: HttpRequest | None = None
) -> None:
    """A moderator removes someone from a group. They lose access at once.

    Moderators remove members; owners and administrators remove anyone but the last owner.
    Directory memberships follow the directory and cannot be removed by hand.
    """
    membership = _lock_membership(membership)
    space = membership.space
    _require_moderator(actor, space)
    if membership.source == SpaceMembership.Source.DIRECTORY:
        raise ValidationError(
            _("%(name)s is in %(space)s through the company directory.")
            % {"name": membership.user, "space": space}
        )
    if membership.role != Role.MEMBER and not _may_manage_owners(actor, space):
        raise PermissionDenied(_("Only owners can remove owners and moderators."))
    if membership.role == Role.OWNER and _owners(space) == [membership.user_id]:
        raise ValidationError(
            _("%(name)s is the only owner of %(space)s. Make someone else an owner first.")
            % {"name": membership.user, "space": space}
        )
    person = membership.user
    membership.delete()
    access_changed_on_commit([person.pk])
    audit_record(
        action="spaces.member_removed",
        actor=actor,
        target=space,
        request=request,
        details={"person": person.email},
    )
    if person.pk != actor.pk:
        name = space.name
        _tell(person, lambda: _("You were removed from %(space)s.") % {"space": name})


@transaction.atomic
def membership_set_role(
    *, actor: User, membership: SpaceMembership, role: str, request: HttpRequest | None = None
) -> SpaceMembership:
    """Change a member's role in a space.

    Owners and administrators give and take any role; moderators make members
    moderators and back, never owners. A group always keeps an active owner. Directory
    spaces have no owners: administrators appoint their moderators.
    """
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles offered.")})
    membership = _lock_membership(membership)
    space = membership.space
    _require_moderator(actor, space)
    old_role = membership.role
    if old_role == role:
        return membership
    if Role.OWNER in (old_role, role) and not _may_manage_owners(actor, space):
        raise PermissionDenied(_("Only owners can appoint or change owners."))
    if role == Role.OWNER and space.is_directory:
        raise ValidationError(
            {"role": _("Spaces that follow the directory have moderators, not owners.")}
        )
    if old_role == Role.OWNER and _owners(space) == [membership.user_id]:
        raise ValidationError(
            {
                "role": _(
                    "%(name)s is the only owner of %(space)s. Make someone else an owner first."
                )
                % {"name": membership.user, "space": space}
            }
        )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    audit_record(
        action="spaces.role_changed",
        actor=actor,
        target=space,
        request=request,
        details={"person": membership.user.email, "old_role": old_role, "new_role": role},
    )
    name, new_role = space.name, Role(role)
    _tell(
        membership.user,
        lambda: (
            _("You are now %(role)s of %(space)s.")
            % {"role": new_role.label.lower(), "space": name}
        ),
    )
    return membership
