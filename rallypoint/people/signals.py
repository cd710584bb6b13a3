"""Audit and lockout hooks on the sign-in events that Django and allauth announce.

These receivers only record what happened (audit log, lockout counters); the
sign-in flows themselves belong to allauth and to ``people/adapters.py``.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.account.internal.stagekit import clear_login
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth import signals as auth_signals
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from rallypoint.core.audit import audit_record
from rallypoint.people import lockout


@receiver(account_signals.user_logged_in, dispatch_uid="rallypoint.people.signed_in")
def on_signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    method = "sso" if kwargs.get("sociallogin") is not None else "password"
    lockout.lockout_clear(email=user.email)
    with transaction.atomic():
        audit_record(
            action="people.signed_in",
            actor=user,
            target=user,
            request=request,
            details={"method": method},
        )


@receiver(auth_signals.user_logged_out, dispatch_uid="rallypoint.people.signed_out")
def on_signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return
    with transaction.atomic():
        audit_record(action="people.signed_out", actor=user, target=user, request=request)


@receiver(account_signals.password_reset, dispatch_uid="rallypoint.people.password_reset")
def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # The reset proved the person reads this mailbox: lift the account's lock.
    lockout.lockout_clear(email=user.email)
    with transaction.atomic():
        audit_record(action="people.password_reset", actor=user, target=user, request=request)


_MFA_ADDED = {
    Authenticator.Type.TOTP: "people.mfa_activated",
}
_MFA_REMOVED = {
    Authenticator.Type.TOTP: "people.mfa_deactivated",
}


def _audit_mfa_change(request: HttpRequest, user: Any, action: str | None, **details: Any) -> None:
    """Record a change to the person's own two-factor setup; no ``action``, no record."""
    if action:
        with transaction.atomic():
            audit_record(action=action, actor=user, target=user, request=request, details=details)


@receiver(mfa_signals.authenticator_added, dispatch_uid="rallypoint.people.mfa_added")
def on_authenticator_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    _audit_mfa_change(request, user, _MFA_ADDED.get(authenticator.type), type=authenticator.type)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="rallypoint.people.mfa_removed")
def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    _audit_mfa_change(request, user, _MFA_REMOVED.get(authenticator.type), type=authenticator.type)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="rallypoint.people.mfa_reset")
def on_authenticator_reset(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        _audit_mfa_change(request, user, "people.mfa_recovery_codes_regenerated")


@receiver(mfa_signals.authentication_failed, dispatch_uid="rallypoint.people.mfa_failed")
def on_mfa_failed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """A wrong two-factor code counts as a failed sign-in of that account.

    allauth checks codes without asking first, so once the account must wait, the
    sign-in in progress is dropped: the person starts again with their password,
    where the wait is enforced.
    """
    if kwargs.get("reauthentication"):
        return
    lockout.lockout_record_failure(email=user.email, request=request, user=user)
    wait = lockout.lockout_wait(email=user.email, request=request)
    if wait and request is not None:
        clear_login(request)
        messages.error(request, lockout.lockout_message(wait))
