from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from rallypoint.notify.selectors import notifications_unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread counter of the top bar: one query when signed in, none otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    unread = notifications_unread_count(user)
    return {
        "notifications_unread": unread,
        "notifications_label": unread_label(unread),
        "notifications_label_template": unread_label_template(),
    }


def unread_label_template() -> str:
    """The bell's text for screen readers, with ``%(count)s`` for the number."""
    return _("Notifications, %(count)s unread")


def unread_label(unread: int) -> str:
    return unread_label_template() % {"count": unread}
