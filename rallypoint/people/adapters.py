"""How django-allauth signs people in to Rallypoint.

Accounts are never created by signing up: they come from invitations, the CSV
import, administrators, or single sign-on when ``OIDC_AUTO_CREATE`` is on.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect

from rallypoint.core.audit import audit_record
from rallypoint.people import lockout
from rallypoint.people.models import User


def _login_email(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refuse the attempt, before the password is checked, while slowed or locked."""
        wait = lockout.lockout_wait(email=_login_email(credentials), request=request)
        if wait:
            raise ValidationError(lockout.lockout_message(wait), code="signin_slowed")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        email = _login_email(credentials)
        user = User.objects.filter(email__iexact=email.strip()).first() if email else None
        lockout.lockout_record_failure(email=email, request=request, user=user)
        super().authentication_failed(request, **credentials)


def confirm_company_email(user: AbstractBaseUser) -> None:
    """Record the person's address as verified and primary.

    Sign-up is closed, so every address in Rallypoint was set by an administrator,
    an import or the company's identity provider. Without this record allauth would
    treat the address as unverified and wipe the password of a person who links
    single sign-on by email.
    """
    email = getattr(user, "email", "")
    if not email:
        return
    EmailAddress.objects.filter(user=user).exclude(email__iexact=email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        """New accounts from single sign-on only when allowed, and only with a confirmed email."""
        if not settings.OIDC_AUTO_CREATE:
            return False
        return any(address.verified for address in sociallogin.email_addresses)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """Refuse deactivated people; trust the address of a person found by email."""
        user = sociallogin.user
        if user is None or user.pk is None:
            return
        if not user.is_active:
            raise ImmediateHttpResponse(redirect("account_inactive"))
        if not sociallogin.account.pk:
            confirm_company_email(user)

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = (data.get("name") or "").strip()
        if not name:
            name = " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        email = (user.email or "").strip().lower()
        user.email = email
        user.display_name = (name or email.split("@")[0])[:120]
        return user

    @transaction.atomic
    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> Any:
        user = super().save_user(request, sociallogin, form)
        confirm_company_email(user)
        audit_record(
            action="people.created_by_sso",
            actor=None,
            target=user,
            request=request,
            details={"provider": sociallogin.account.provider},
        )
        return user
