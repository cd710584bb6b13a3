"""Writes to personal access tokens: create (the secret is returned once) and revoke."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from rallypoint.api.models import PersonalAccessToken
from rallypoint.core.audit import audit_record
from rallypoint.people.models import User

TOKEN_SCHEME = "rp_"  # noqa: S105 (the visible scheme of every token, not a secret)
# The prefix shown in lists: the scheme and the first eight characters of the secret.
PREFIX_LENGTH = len(TOKEN_SCHEME) + 8


def token_hash(secret: str) -> str:
    """The SHA-256 of a token secret, as stored."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *,
    user: User,
    name: str,
    expires_at: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[PersonalAccessToken, str]:
    """Make a token for ``user``; return it and its secret, which is never available again."""
    secret = TOKEN_SCHEME + secrets.token_urlsafe(32)
    token = PersonalAccessToken(
        user=user,
        name=name.strip(),
        prefix=secret[:PREFIX_LENGTH],
        token_hash=token_hash(secret),
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit_record(
        action="api.token_created",
        actor=user,
        target=token,
        request=request,
        details={
            "name": token.name,
            "prefix": token.prefix,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return token, secret


@transaction.atomic
def token_revoke(
    *, actor: User, token: PersonalAccessToken, request: HttpRequest | None = None
) -> PersonalAccessToken:
    """Revoke ``token`` now. Its owner or an administrator may; revoking twice changes nothing."""
    if actor.pk != token.user_id and not actor.is_administrator:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    token = PersonalAccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        action="api.token_revoked",
        actor=actor,
        target=token,
        request=request,
        details={"prefix": token.prefix, "owner": token.user.email},
    )
    return token


def token_touch(*, token: PersonalAccessToken, at: datetime.datetime) -> None:
    """Record that ``token`` was used at ``at``; writes at most once a minute per token.

    Not audited: it is bookkeeping for the owner's token list, not an action.
    """
    if token.last_used_at is not None and at - token.last_used_at < datetime.timedelta(minutes=1):
        return
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=at)
    token.last_used_at = at
