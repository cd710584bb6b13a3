"""Pages of moderation: the report dialog, the moderators' queue and their decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rallypoint.core.feedback import refusal_text, service_attempt
from rallypoint.feed.models import Post
from rallypoint.moderation import selectors, services
from rallypoint.moderation.forms import HideForm, ReportForm
from rallypoint.people.requests import signed_in_user
from rallypoint.spaces.selectors import can_moderate

ACTIONS = {"hide", "unhide", "dismiss", "delete"}
NAV_MAX_AGE = 20


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _item_url(item: Any) -> str:
    if isinstance(item, Post):
        return reverse("feed_post", args=[item.pk])
    return reverse("feed_post", args=[item.post_id]) + f"#comment-{item.pk}"


def _target_kwargs(kind: str, item: Any) -> dict[str, Any]:
    return {"post": item} if kind == "post" else {"comment": item}


@login_required
def report(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Report a post or comment: a small form (loaded into the page with htmx, or a page
    of its own). A refusal shows the form again with everything typed kept."""
    viewer = signed_in_user(request)
    item = selectors.reportable_get(viewer, kind, pk)
    form = ReportForm(request.POST or None)
    context: dict[str, Any] = {
        "form": form,
        "kind": kind,
        "item": item,
        "next": _next_url(request, _item_url(item)),
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=viewer,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                **_target_kwargs(kind, item),
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            done = _(
                "Thank you. The space's moderators will look at it; nobody else sees who reported."
            )
            if _is_htmx(request):
                return render(request, "moderation/_report_done.html", {"message": done})
            messages.success(request, done)
            return redirect(context["next"])
    template = "moderation/_report_form.html" if _is_htmx(request) else "moderation/report.html"
    return render(request, template, context)


@login_required
def nav_item(request: HttpRequest) -> HttpResponse:
    """The navigation's link to the queue with the number of open reports, loaded after
    the page (so that pages cost no query for it); empty for people who moderate nothing.
    Browsers keep it for ``NAV_MAX_AGE`` seconds."""
    viewer = signed_in_user(request)
    count = selectors.open_report_count(viewer)
    show = count is not None or viewer.is_administrator
    current = _next_url(request, "").startswith(reverse("moderation_queue"))
    # Rendered without the context processors: they would each cost a query here.
    response = HttpResponse(
        render_to_string(
            "moderation/_nav_item.html", {"show": show, "count": count or 0, "current": current}
        )
    )
    # On the queue itself the count has just changed: never from the browser's cache.
    patch_cache_control(response, private=True, max_age=0 if current else NAV_MAX_AGE)
    return response


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open reports of the spaces the viewer moderates, grouped per item."""
    viewer = signed_in_user(request)
    if not viewer.is_administrator and selectors.open_report_count(viewer) is None:
        raise Http404(_("You moderate no space."))
    items = selectors.moderation_queue(viewer)
    hidden_posts, hidden_comments = selectors.hidden_content_for(viewer)
    return render(
        request,
        "moderation/queue.html",
        {"items": items, "hidden_posts": hidden_posts, "hidden_comments": hidden_comments},
    )


@login_required
@require_POST
def decide(request: HttpRequest, kind: str, pk: int, action: str) -> HttpResponse:
    """Hide, unhide, dismiss the reports of, or delete a post or comment."""
    viewer = signed_in_user(request)
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    item = selectors.reportable_get(viewer, kind, pk)
    target = _target_kwargs(kind, item)
    space = item.space if isinstance(item, Post) else item.post.space
    back = _next_url(
        request, reverse("moderation_queue") if can_moderate(viewer, space) else _item_url(item)
    )
    if action == "hide":
        form = HideForm(request.POST)
        reason = request.POST.get("reason", "")
        if not form.is_valid():
            messages.error(
                request,
                _("Say why it is hidden (at most 500 characters): the author will read it."),
            )
            return redirect(back)
        service_attempt(
            request,
            lambda: services.content_hide(actor=viewer, reason=reason, request=request, **target),
            _("Hidden. The author was told why."),
        )
    elif action == "unhide":
        service_attempt(
            request,
            lambda: services.content_unhide(actor=viewer, request=request, **target),
            _("Shown again. The author was told."),
        )
    elif action == "dismiss":
        service_attempt(
            request,
            lambda: services.report_dismiss(
                actor=viewer, note=request.POST.get("note", ""), request=request, **target
            ),
            _("Reports dismissed."),
        )
    else:
        done = service_attempt(
            request,
            lambda: services.content_delete(actor=viewer, request=request, **target),
            _("Deleted."),
        )
        if done and back.startswith(reverse("feed_post", args=[getattr(item, "post_id", item.pk)])):
            back = reverse("moderation_queue")
    return redirect(back)
