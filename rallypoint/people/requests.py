"""The person behind a request, for views behind ``login_required`` or API auth."""

from __future__ import annotations

from django.http import HttpRequest

from rallypoint.people.models import User


def signed_in_user(request: HttpRequest) -> User:
    """``request.user`` as a ``User``; call only where sign-in is already required."""
    user = request.user
    assert isinstance(user, User)
    return user
