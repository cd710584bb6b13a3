"""Pages of campaigns: mine, one campaign with live progress, and running them.

Live progress is polled: ``static/js/campaigns.js`` asks ``progress.json`` every few
seconds while the page is visible and updates the bars in place. Clicks are stored in
batches anyway, so a push would not be fresher than a poll, and a poll needs no channel
of its own; the answer is cached for a few seconds per campaign, so many open pages cost
one computation.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rallypoint.advocacy import campaign_selectors as selectors
from rallypoint.advocacy import campaigns as services
from rallypoint.advocacy.campaign_forms import CampaignForm
from rallypoint.advocacy.models import Campaign
from rallypoint.core.feedback import refusal_text, service_attempt
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user

PROGRESS_CACHE_SECONDS = 4
POLL_SECONDS = 5


def _require_communications(viewer: User) -> None:
    if not viewer.is_communications:
        raise Http404(_("No such page."))


def _progress_key(campaign: Campaign) -> str:
    return f"advocacy:campaign-progress:{campaign.pk}"


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    return render(
        request,
        "advocacy/campaigns/list.html",
        {"campaigns": selectors.campaigns_for(viewer)},
    )


@login_required
@require_GET
def campaign_detail(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    campaign = selectors.campaign_for(viewer, slug)
    context: dict[str, Any] = {
        "campaign": campaign,
        "state": selectors.campaign_state(campaign),
        "progress": selectors.campaign_progress(campaign),
        "contribution": selectors.contribution_of(campaign, viewer),
        "items": list(selectors.campaign_items(viewer, campaign)[:50]),
        "reach_definition": selectors.REACH_DEFINITION,
        "poll_seconds": POLL_SECONDS,
        "runs_campaigns": viewer.is_communications,
    }
    if viewer.is_communications:
        context["departments"] = selectors.department_participation(campaign)
        context["sharers"] = selectors.top_sharers(campaign)
    return render(request, "advocacy/campaigns/detail.html", context)


@login_required
@require_GET
def campaign_progress(request: HttpRequest, slug: str) -> JsonResponse:
    """The campaign's numbers for the page to refresh itself; 404 outside the audience."""
    viewer = signed_in_user(request)
    campaign = selectors.campaign_for(viewer, slug)
    key = _progress_key(campaign)
    numbers = cache.get(key)
    if numbers is None:
        numbers = selectors.progress_json(campaign, selectors.campaign_progress(campaign))
        cache.set(key, numbers, PROGRESS_CACHE_SECONDS)
    body = {**numbers, "contribution": selectors.contribution_of(campaign, viewer).as_json()}
    response = JsonResponse(body)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def campaign_manage(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    _require_communications(viewer)
    return render(
        request,
        "advocacy/campaigns/manage.html",
        {"cards": selectors.campaigns_managed(viewer)},
    )


def _form_page(request: HttpRequest, viewer: User, campaign: Campaign | None) -> HttpResponse:
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                saved = services.campaign_create(
                    actor=viewer, data=form.campaign_data(), request=request
                )
                messages.success(request, _("The campaign is ready."))
            else:
                saved = services.campaign_update(
                    actor=viewer, campaign=campaign, data=form.campaign_data(), request=request
                )
                messages.success(request, _("The campaign is saved."))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, refusal_text(error))
        except PermissionDenied as error:
            form.add_error(None, refusal_text(error))
        else:
            return redirect("advocacy_campaign", saved.slug)
    return render(request, "advocacy/campaigns/form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    _require_communications(viewer)
    return _form_page(request, viewer, None)


@login_required
def campaign_edit(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    _require_communications(viewer)
    return _form_page(request, viewer, selectors.campaign_for(viewer, slug))


@login_required
@require_POST
def campaign_end(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    _require_communications(viewer)
    campaign = selectors.campaign_for(viewer, slug)
    service_attempt(
        request,
        lambda: services.campaign_end(actor=viewer, campaign=campaign, request=request),
        _("The campaign has ended."),
    )
    cache.delete(_progress_key(campaign))
    return redirect("advocacy_campaign", campaign.slug)


urlpatterns = [
    path("campaigns/", campaign_list, name="advocacy_campaigns"),
    path("campaigns/manage/", campaign_manage, name="advocacy_campaign_manage"),
    path("campaigns/new/", campaign_new, name="advocacy_campaign_new"),
    path("campaigns/<slug:slug>/", campaign_detail, name="advocacy_campaign"),
    path("campaigns/<slug:slug>/edit/", campaign_edit, name="advocacy_campaign_edit"),
    path("campaigns/<slug:slug>/end/", campaign_end, name="advocacy_campaign_end"),
    path(
        "campaigns/<slug:slug>/progress.json",
        campaign_progress,
        name="advocacy_campaign_progress",
    ),
]
