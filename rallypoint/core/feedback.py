"""Telling a person why a service refused what they asked, instead of an error page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest


def refusal_text(error: ValidationError | PermissionDenied) -> str:
    """The reason a service gave, as one sentence for a message or a form error."""
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def service_attempt(
    request: HttpRequest, action: Callable[[], Any], success: str | None = None
) -> bool:
    """Run a service; show its refusal (or ``success``) as a message. True if it ran."""
    try:
        action()
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return False
    if success:
        messages.success(request, success)
    return True
