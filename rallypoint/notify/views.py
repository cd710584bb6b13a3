"""The notifications page, marking read, the counter for pages that reconnect, and the
notification settings."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from rallypoint.notify import selectors, services
from rallypoint.notify.models import Notification
from rallypoint.people.requests import signed_in_user

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    notifications = selectors.notifications_visible_to(viewer).select_related("actor", "space")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notify/list.html", {"page_obj": page, "notifications": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    notification = services.notification_mark_read(viewer=viewer, notification_id=pk)
    if not request.headers.get("HX-Request"):
        return redirect("notifications_list")
    response = render(request, "notify/_notification.html", {"notification": notification})
    # Update this page's counter now; other pages hear it from the live event.
    unread = selectors.notifications_unread_count(viewer)
    response["HX-Trigger"] = json.dumps({"rallypoint:notifications": {"unread": unread}})
    return response


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    changed = services.notifications_mark_all_read(viewer=signed_in_user(request))
    if changed:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications_list")


@login_required
@require_GET
def notifications_unread(request: HttpRequest) -> JsonResponse:
    """The unread count, for a page whose live connection was interrupted."""
    return JsonResponse({"unread": selectors.notifications_unread_count(signed_in_user(request))})


PREFERENCE_LABELS = {
    Notification.Kind.MENTION: _lazy("Someone mentions me"),
    Notification.Kind.REPLY: _lazy("Someone replies to me"),
    Notification.Kind.REACTION: _lazy("Someone reacts to my posts"),
    Notification.Kind.ANNOUNCEMENT: _lazy("Announcements for me (urgent ones always reach you)"),
    Notification.Kind.SPACE: _lazy("News of my spaces (requests, invitations, roles)"),
}


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which kinds of notification the person gets in the app."""
    viewer = signed_in_user(request)
    if request.method == "POST":
        services.notification_preferences_set(
            user=viewer,
            in_app={kind: request.POST.get(kind) == "on" for kind in PREFERENCE_LABELS},
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications_settings")
    current = selectors.notification_preferences_of(viewer)
    choices = [
        {"kind": kind, "label": label, "on": current.get(kind, True)}
        for kind, label in PREFERENCE_LABELS.items()
    ]
    return render(request, "notify/settings.html", {"choices": choices})
