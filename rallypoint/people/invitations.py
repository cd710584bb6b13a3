"""Invitations: an administrator asks one person to set a password and sign in.

The secret token travels only in the email; the database keeps its SHA-256, so a
copy of the database cannot be used to accept an invitation.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rallypoint.core.audit import audit_record
from rallypoint.people.adapters import confirm_company_email
from rallypoint.people.models import Invitation, User

INVITATION_DAYS = 7


class InvitationStatus:
    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_status(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return InvitationStatus.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= timezone.now():
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def invitations_for_admin(viewer: User) -> QuerySet[Invitation]:
    """Every invitation, newest first; only administrators may list them."""
    if not viewer.is_administrator:
        raise PermissionDenied
    return Invitation.objects.select_related("user", "invited_by").order_by("-created_at", "-id")


def invitation_find(*, token: str) -> Invitation | None:
    """The invitation this secret token belongs to, whatever its state."""
    if not token or len(token) > 200:
        return None
    return Invitation.objects.select_related("user").filter(token_hash=token_hash(token)).first()


def _require_administrator(actor: User) -> None:
    if not actor.is_administrator:
        raise PermissionDenied(_("Only administrators can manage invitations."))


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
    invitation.sent_at = None
    return token


def _send_on_commit(invitation: Invitation, token: str) -> None:
    from rallypoint.people.tasks import invitation_email_task

    transaction.on_commit(lambda: invitation_email_task(invitation.pk, token))


@transaction.atomic
def invitation_send(
    *,
    actor: User,
    email: str,
    display_name: str = "",
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite an existing person who cannot sign in yet, or a new person.

    A new person is created (with no password) from ``email`` and ``display_name``.
    """
    _require_administrator(actor)
    email = (email or "").strip().lower()
    display_name = (display_name or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Enter a valid email address.")}) from exc

    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        if not display_name:
            raise ValidationError({"display_name": _("Give the new person's name.")})
        user = User(email=email, display_name=display_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    else:
        if not user.is_active:
            raise ValidationError(
                {
                    "email": _("%(name)s is deactivated. Reactivate them before inviting them.")
                    % {"name": user}
                }
            )
        if user.has_usable_password():
            raise ValidationError(
                {
                    "email": _(
                        "%(name)s can already sign in. They can use “Forgot password?” "
                        "on the sign-in page if they need a new password."
                    )
                    % {"name": user}
                }
            )
        pending = user.invitations.filter(
            accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
        )
        if pending.exists():
            raise ValidationError(
                {
                    "email": _(
                        "%(name)s already has a pending invitation. Resend it from the "
                        "list instead."
                    )
                    % {"name": user}
                }
            )

    invitation = Invitation(email=user.email, user=user, invited_by=actor)
    token = _new_token(invitation)
    invitation.full_clean()
    invitation.save()
    audit_record(
        action="people.invitation_sent",
        actor=actor,
        target=user,
        request=request,
        details={"invitation": invitation.pk, "new_person": created},
    )
    _send_on_commit(invitation, token)
    return invitation


def _invitation_lock_unsettled(invitation: Invitation, *, revoked_error: str) -> Invitation:
    """Lock and re-read the invitation; refuse it once accepted or revoked.

    Call inside a transaction. ``revoked_error`` is the message for a revoked one, which
    each caller words for what the administrator was trying to do.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=invitation.pk)
    )
    status = invitation_status(invitation)
    if status == InvitationStatus.ACCEPTED:
        raise ValidationError(_("This invitation has already been accepted."))
    if status == InvitationStatus.REVOKED:
        raise ValidationError(revoked_error)
    return invitation


@transaction.atomic
def invitation_resend(
    *, actor: User, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    """Send a fresh link for a pending or expired invitation; the old link stops working."""
    _require_administrator(actor)
    invitation = _invitation_lock_unsettled(
        invitation,
        revoked_error=_("This invitation was revoked. Send a new invitation instead."),
    )
    if not invitation.user.is_active:
        raise ValidationError(_("%(name)s is deactivated.") % {"name": invitation.user})
    token = _new_token(invitation)
    invitation.save(update_fields=["token_hash", "expires_at", "sent_at", "updated_at"])
    audit_record(
        action="people.invitation_resent",
        actor=actor,
        target=invitation.user,
        request=request,
        details={"invitation": invitation.pk},
    )
    _send_on_commit(invitation, token)
    return invitation


@transaction.atomic
def invitation_revoke(
    *, actor: User, invitation: Invitation, request: HttpRequest | None = None
) -> Invitation:
    _require_administrator(actor)
    invitation = _invitation_lock_unsettled(
        invitation, revoked_error=_("This invitation is already revoked.")
    )
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        action="people.invitation_revoked",
        actor=actor,
        target=invitation.user,
        request=request,
        details={"invitation": invitation.pk},
    )
    return invitation


def invitation_problem(invitation: Invitation | None) -> str:
    """Why this invitation cannot be accepted, in the invitee's words; "" if it can."""
    if invitation is None:
        return _(
            "This invitation link is not valid. Check that you copied the whole link, "
            "or ask an administrator for a new invitation."
        )
    status = invitation_status(invitation)
    if status == InvitationStatus.ACCEPTED:
        return _("This invitation has already been used. Sign in with your email and password.")
    if status == InvitationStatus.REVOKED:
        return _("This invitation was withdrawn. Ask an administrator for a new one.")
    if status == InvitationStatus.EXPIRED:
        return _("This invitation has expired. Ask an administrator to send it again.")
    if not invitation.user.is_active:
        return _("This account is deactivated. Ask an administrator if you think this is wrong.")
    return ""


@transaction.atomic
def invitation_accept(
    *, invitation: Invitation, password: str, request: HttpRequest | None = None
) -> User:
    """Set the invitee's password and mark the invitation accepted.

    The caller signs the person in afterwards.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    confirm_company_email(user)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    Invitation.objects.filter(user=user, accepted_at=None, revoked_at=None).exclude(
        pk=invitation.pk
    ).update(revoked_at=invitation.accepted_at)
    audit_record(
        action="people.invitation_accepted",
        actor=None,
        target=user,
        target_label=user.email,
        request=request,
        details={"invitation": invitation.pk},
    )
    return user


@transaction.atomic
def invitation_email_deliver(*, invitation_id: int, token: str) -> bool:
    """Email the invitation link, in the invitee's language. False if no longer pending."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("user", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.token_hash != token_hash(token):
        return False
    if invitation_status(invitation) != InvitationStatus.PENDING:
        return False
    user = invitation.user
    context = {
        "person": user,
        "inviter": invitation.invited_by,
        "accept_url": settings.BASE_URL + reverse("people_invitation_accept", args=[token]),
        "expires_at": invitation.expires_at,
        "days": INVITATION_DAYS,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("people/email/invitation_subject.txt", context)
        text = render_to_string("people/email/invitation_message.txt", context)
        html = render_to_string("people/email/invitation_message.html", context)
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=text,
        to=[invitation.email],
    )
    message.attach_alternative(html, "text/html")
    message.send()
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at", "updated_at"])
    return True
