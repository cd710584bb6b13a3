"""Pages of announcements: the list for me, the composer, one announcement, statistics."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rallypoint.announce import selectors, services
from rallypoint.announce.forms import AnnouncementForm
from rallypoint.announce.models import Announcement
from rallypoint.core.feedback import refusal_text
from rallypoint.core.markdown import render_markdown
from rallypoint.people.requests import signed_in_user

MAX_OPENED_IDS = 50


@login_required
@require_GET
def announcement_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    context: dict[str, Any] = {"announcements": list(selectors.announcements_for(viewer)[:100])}
    if viewer.is_communications:
        context["sent"] = list(selectors.announcements_sent_by(viewer)[:50])
    return render(request, "announce/list.html", context)


@login_required
def announcement_compose(request: HttpRequest) -> HttpResponse:
    """Write, preview, and publish (or keep as a draft) an announcement."""
    viewer = signed_in_user(request)
    if not viewer.is_communications:
        raise Http404(_("No such page."))
    form = AnnouncementForm(request.POST or None, choices=selectors.audience_choices(viewer))
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = request.POST.get("action", "publish")
        if action == "preview":
            preview = render_markdown(data["body"])
        else:
            try:
                announcement = services.announcement_create(
                    author=viewer,
                    title=data["title"],
                    body=data["body"],
                    to_everyone=data["to_everyone"],
                    departments=data["departments"],
                    locations=data["locations"],
                    spaces=data["spaces"],
                    must_read=data["must_read"],
                    urgent=data["urgent"],
                    reminder_after_days=data["reminder_after_days"],
                    publish=action == "publish",
                    request=request,
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, refusal_text(error))
            else:
                if announcement.is_published:
                    messages.success(request, _("The announcement is published."))
                    return redirect("announce_stats", announcement.pk)
                messages.success(request, _("The draft is saved."))
                return redirect("announce_detail", announcement.pk)
    return render(request, "announce/compose.html", {"form": form, "preview": preview})


@login_required
@require_POST
def announcement_publish_draft(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    announcement = selectors.announcement_get_visible(viewer, pk)
    if announcement.author_id != viewer.pk:
        raise Http404(_("No such announcement."))
    try:
        services.announcement_publish(actor=viewer, announcement=announcement, request=request)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect("announce_detail", pk)
    messages.success(request, _("The announcement is published."))
    return redirect("announce_stats", pk)


@login_required
@require_GET
def announcement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One announcement; opening the page counts as opening it."""
    viewer = signed_in_user(request)
    announcement = selectors.announcement_get_visible(viewer, pk)
    if announcement.in_audience and announcement.my_opened_at is None:  # type: ignore[attr-defined]
        services.announcement_mark_opened(viewer=viewer, announcement_id=pk)
    return render(
        request,
        "announce/detail.html",
        {
            "announcement": announcement,
            "can_see_stats": announcement.is_published
            and selectors.can_see_stats(viewer, announcement),
        },
    )


@login_required
@require_POST
def announcement_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    try:
        receipt = services.announcement_acknowledge(viewer=viewer, announcement_id=pk)
    except PermissionDenied as error:
        raise Http404(_("No such announcement.")) from error
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        return redirect("announce_detail", pk)
    if request.headers.get("HX-Request"):
        return render(request, "announce/_acknowledged.html", {"receipt": receipt})
    messages.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect("announce_detail", pk)


@login_required
@require_POST
def announcements_opened(request: HttpRequest) -> JsonResponse:
    """Announcements that were on screen in the feed: ``{"announcements": [ids]}``."""
    try:
        ids = json.loads(request.body or b"{}").get("announcements", [])
        ids = [int(pk) for pk in ids][:MAX_OPENED_IDS]
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"detail": _('Send {"announcements": [ids]}.')}, status=400)
    opened = services.announcements_mark_opened(
        viewer=signed_in_user(request), announcement_ids=ids
    )
    return JsonResponse({"opened": opened})


def _stats_context(announcement: Announcement) -> dict[str, Any]:
    return {
        "announcement": announcement,
        "stats": selectors.announcement_stats(announcement),
        "pending": list(selectors.announcement_not_acknowledged(announcement)[:500])
        if announcement.must_read
        else [],
    }


@login_required
@require_GET
def announcement_stats(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = selectors.announcement_get_for_stats(signed_in_user(request), pk)
    return render(request, "announce/stats.html", _stats_context(announcement))


@login_required
@require_GET
def announcement_stats_fragment(request: HttpRequest, pk: int) -> HttpResponse:
    """The numbers alone, for the statistics page to refresh when they change."""
    announcement = selectors.announcement_get_for_stats(signed_in_user(request), pk)
    return render(request, "announce/_stats.html", _stats_context(announcement))
