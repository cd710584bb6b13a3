"""Reads of personal access tokens."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from rallypoint.api.models import PersonalAccessToken
from rallypoint.people.models import User


def tokens_of(viewer: User) -> QuerySet[PersonalAccessToken]:
    """The viewer's own tokens, newest first, revoked and expired ones included."""
    return PersonalAccessToken.objects.filter(user=viewer).order_by("-created_at", "-pk")


def token_get_own(viewer: User, pk: int) -> PersonalAccessToken:
    """One of the viewer's tokens; 404 for anyone else's."""
    try:
        return tokens_of(viewer).select_related("user").get(pk=pk)
    except PersonalAccessToken.DoesNotExist:
        raise Http404(_("No such token.")) from None


def token_by_hash(hashed: str) -> PersonalAccessToken | None:
    """The token whose secret has the SHA-256 ``hashed``, with its owner; None when unknown."""
    return PersonalAccessToken.objects.select_related("user").filter(token_hash=hashed).first()
