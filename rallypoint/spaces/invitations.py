"""Invitations into groups: a moderator invites, the person accepts or declines.

The way into a secret group; usable for open and private groups too.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.people.models import User
from rallypoint.spaces.models import Space, SpaceInvitation, SpaceJoinRequest, SpaceMembership
from rallypoint.spaces.services import (
    _add_member,
    _require_active,
    _require_group,
    _require_moderator,
    _require_not_archived,
    _tell,
)


@transaction.atomic
def space_invite(
    *, actor: User, space: Space, user: User, request: HttpRequest | None = None
) -> SpaceInvitation:
    """A moderator invites ``user`` into a group; they accept or decline it."""
    _require_moderator(actor, space)
    _require_group(space)
    _require_not_archived(space)
    if not user.is_active:
        raise ValidationError(_("%(name)s is deactivated.") % {"name": user})
    if SpaceMembership.objects.filter(space=space, user=user).exists():
        raise ValidationError(
            _("%(name)s is already a member of %(space)s.") % {"name": user, "space": space}
        )
    pending = SpaceInvitation.objects.filter(
        space=space, user=user, status=SpaceInvitation.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    invitation = SpaceInvitation(space=space, user=user, invited_by=actor)
    invitation.full_clean()
    invitation.save()
    audit_record(
        action="spaces.invited",
        actor=actor,
        target=space,
        request=request,
        details={"person": user.email},
    )
    name = space.name
    _tell(
        user,
        lambda: (
            _("%(name)s invites you to %(space)s. Open Spaces to answer.")
            % {"name": actor, "space": name}
        ),
    )
    return invitation


def _answer(
    *, actor: User, invitation: SpaceInvitation, accept: bool, request: HttpRequest | None
) -> SpaceMembership | None:
    _require_active(actor)
    invitation = (
        SpaceInvitation.objects.select_for_update(of=("self",))
        .select_related("space", "invited_by")
        .get(pk=invitation.pk)
    )
    if invitation.user_id != actor.pk:
        raise PermissionDenied(_("This invitation is for someone else."))
    if invitation.status != SpaceInvitation.Status.PENDING:
        raise ValidationError(_("This invitation was already answered."))
    space = invitation.space
    membership = None
    if accept:
        _require_not_archived(space)
        membership = _add_member(space=space, user=actor)
    invitation.status = (
        SpaceInvitation.Status.ACCEPTED if accept else SpaceInvitation.Status.DECLINED
    )
    invitation.decided_at = timezone.now()
    invitation.save(update_fields=["status", "decided_at"])
    SpaceJoinRequest.objects.filter(
        space=space, user=actor, status=SpaceJoinRequest.Status.PENDING
    ).update(status=SpaceJoinRequest.Status.APPROVED, decided_at=invitation.decided_at)
    audit_record(
        action="spaces.invitation_accepted" if accept else "spaces.invitation_declined",
        actor=actor,
        target=space,
        request=request,
    )
    inviter = invitation.invited_by
    if accept and inviter is not None and inviter.is_active:
        name = space.name
        _tell(
            inviter,
            lambda: _("%(name)s joined %(space)s.") % {"name": actor, "space": name},
        )
    return membership


@transaction.atomic
def invitation_accept(
    *, actor: User, invitation: SpaceInvitation, request: HttpRequest | None = None
) -> SpaceMembership:
    """The invited person joins the group."""
    membership = _answer(actor=actor, invitation=invitation, accept=True, request=request)
    assert membership is not None
    return membership


@transaction.atomic
def invitation_decline(
    *, actor: User, invitation: SpaceInvitation, request: HttpRequest | None = None
) -> None:
    """The invited person says no; nothing else changes."""
    _answer(actor=actor, invitation=invitation, accept=False, request=request)
