"""Pages of the content library: browsing and rating, curating, suggesting, reviewing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rallypoint.advocacy import selectors, services
from rallypoint.advocacy.forms import CuratorForm, ItemForm, RateForm, RejectForm, SubmitForm
from rallypoint.advocacy.models import ContentItem
from rallypoint.advocacy.opengraph import OpenGraphError, og_fetch
from rallypoint.core.feedback import refusal_text
from rallypoint.networks.models import Network
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user

PAGE_SIZE = 24
MANAGE_PAGE_SIZE = 50


def _curator(request: HttpRequest) -> User:
    viewer = signed_in_user(request)
    if not selectors.is_curator(viewer):
        raise Http404(_("No such page."))
    return viewer


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


def _form_errors(form: Any, error: ValidationError | PermissionDenied) -> None:
    """Put a service's refusal on the form fields it names (the rest above the form)."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, refusal_text(error))


# ---------------------------------------------------------------- employees


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    """The library for me: filters by topic, new, featured and campaign."""
    viewer = signed_in_user(request)
    topic = request.GET.get("topic", "")[:80]
    featured = request.GET.get("featured") == "1"
    new = request.GET.get("new") == "1"
    search = request.GET.get("q", "")[:200].strip()
    campaign = None
    if request.GET.get("campaign"):
        campaign = (
            selectors.campaigns_visible_to(viewer).filter(slug=request.GET["campaign"][:80]).first()
        )
    rows = selectors.items_visible_to(
        viewer,
        topic=topic or None,
        featured=True if featured else None,
        campaign=campaign,
        new_since=selectors.new_since_default() if new else None,
        search=search or None,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(_page_number(request))
    return render(
        request,
        "advocacy/library/list.html",
        {
            "page": page,
            "items": list(page.object_list),
            "topics": list(selectors.topics_for(viewer)),
            "campaigns": list(selectors.campaigns_visible_to(viewer).only("pk", "name", "slug")),
            "current": {
                "topic": topic,
                "featured": featured,
                "new": new,
                "campaign": campaign.slug if campaign else "",
                "q": search,
            },
            "is_curator": selectors.is_curator(viewer),
            "new_days": selectors.NEW_DAYS,
        },
    )


@login_required
@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    item = selectors.item_for(viewer, pk)
    labels = dict(Network.choices)
    suggested = [
        (labels.get(network, network), text)
        for network, text in (item.suggested_texts or {}).items()
        if text
    ]
    return render(
        request,
        "advocacy/library/detail.html",
        {"item": item, "suggested": suggested, "is_curator": selectors.is_curator(viewer)},
    )


@login_required
@require_POST
def item_rate(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    item = selectors.item_for(viewer, pk)
    if not getattr(item, "in_library", False):
        raise Http404(_("No such item."))
    form = RateForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.item_rate(
                user=viewer,
                item=item,
                verdict=form.cleaned_data["verdict"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as refusal:
            error = refusal_text(refusal)
    else:
        error = _("Choose “would share” or “not for me”; a reason has at most 300 characters.")
    if request.headers.get("HX-Request"):
        item = selectors.item_for(viewer, pk)
        return render(
            request,
            "advocacy/library/_rating.html",
            {"item": item, "rating_error": error},
            status=200 if not error else 422,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Thank you: your rating helps the curators."))
    return redirect("advocacy_item", pk)


@login_required
def item_submit(request: HttpRequest) -> HttpResponse:
    """Suggest a link, a story or a photo; see what became of my suggestions."""
    viewer = signed_in_user(request)
    form = SubmitForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.item_submit(
                user=viewer,
                kind=data["kind"],
                title=data["title"],
                url=data["url"],
                text=data["text"],
                photo=data.get("photo") or None,
                suggested_text=data["suggested_text"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                mapped = {"image": "photo", "description": "text"}
                for name, problems in error.message_dict.items():
                    name = mapped.get(name, name)
                    form.add_error(name if name in form.fields else None, problems)
            else:
                form.add_error(None, refusal_text(error))
        else:
            messages.success(
                request, _("Thank you! A curator will look at your suggestion and tell you.")
            )
            return redirect("advocacy_submit")
    return render(
        request,
        "advocacy/library/submit.html",
        {"form": form, "submissions": list(selectors.submissions_of(viewer)[:50])},
    )


# ---------------------------------------------------------------- curators


@login_required
@require_GET
def library_manage(request: HttpRequest) -> HttpResponse:
    """Every item by status, with how people rated it and how often it was shared."""
    viewer = _curator(request)
    status = request.GET.get("status", ContentItem.Status.PUBLISHED)
    if status not in ContentItem.Status.values:
        status = ContentItem.Status.PUBLISHED
    rows = selectors.curator_items(viewer, status=status)
    page = Paginator(rows, MANAGE_PAGE_SIZE).get_page(_page_number(request))
    counts = selectors.curator_status_counts(viewer)
    return render(
        request,
        "advocacy/library/manage.html",
        {
            "page": page,
            "items": list(page.object_list),
            "status": status,
            "tabs": [
                (value, label, counts.get(value, 0)) for value, label in ContentItem.Status.choices
            ],
            "can_name_curators": selectors.can_name_curators(viewer),
            "reasons_shown": selectors.REASONS_SHOWN,
        },
    )


def _item_form_page(request: HttpRequest, form: ItemForm, item: ContentItem | None) -> HttpResponse:
    return render(request, "advocacy/library/form.html", {"form": form, "item": item})


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    viewer = _curator(request)
    form = ItemForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=viewer, data=form.item_data(), request=request)
        except (ValidationError, PermissionDenied) as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The item is in the library."))
            return redirect("advocacy_item", item.pk)
    return _item_form_page(request, form, None)


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an item; for a suggestion waiting for review, "Approve" saves the edits and
    puts it in the library in one step."""
    viewer = _curator(request)
    item = selectors.item_for_curator(viewer, pk)
    initial = ItemForm.initial_from(services.ItemData.from_item(item))
    form = ItemForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        approve = request.POST.get("action") == "approve"
        try:
            if approve:
                services.item_approve(
                    actor=viewer, item=item, data=form.item_data(), request=request
                )
            else:
                services.item_update(
                    actor=viewer, item=item, data=form.item_data(), request=request
                )
        except (ValidationError, PermissionDenied) as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                _("The suggestion is in the library.") if approve else _("The item is saved."),
            )
            return redirect("advocacy_item", pk)
    return _item_form_page(request, form, item)


def _curator_action(request: HttpRequest, pk: int, action: Any, success: str) -> HttpResponse:
    viewer = _curator(request)
    item = selectors.item_for_curator(viewer, pk)
    try:
        action(viewer, item)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, success)
    target = request.POST.get("next", "")
    if target in {"review", "manage"}:
        return redirect(f"advocacy_{target}")
    return redirect("advocacy_item", pk)


@login_required
@require_POST
def item_archive(request: HttpRequest, pk: int) -> HttpResponse:
    return _curator_action(
        request,
        pk,
        lambda actor, item: services.item_archive(actor=actor, item=item, request=request),
        _("The item is archived."),
    )


@login_required
@require_POST
def item_restore(request: HttpRequest, pk: int) -> HttpResponse:
    return _curator_action(
        request,
        pk,
        lambda actor, item: services.item_restore(actor=actor, item=item, request=request),
        _("The item is back in the library."),
    )


@login_required
@require_POST
def item_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _curator_action(
        request,
        pk,
        lambda actor, item: services.item_approve(actor=actor, item=item, request=request),
        _("The suggestion is in the library."),
    )


@login_required
@require_POST
def item_reject(request: HttpRequest, pk: int) -> HttpResponse:
    form = RejectForm(request.POST)
    reason = request.POST.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    return _curator_action(
        request,
        pk,
        lambda actor, item: services.item_reject(
            actor=actor, item=item, reason=reason, request=request
        ),
        _("The suggestion is rejected; the colleague is told why."),
    )


@login_required
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """Suggestions waiting for a curator, oldest first."""
    viewer = _curator(request)
    return render(
        request,
        "advocacy/library/review.html",
        {"items": list(selectors.items_pending_review(viewer)[:100]), "reject_form": RejectForm()},
    )


@login_required
@require_GET
def og_preview(request: HttpRequest) -> JsonResponse:
    """The OpenGraph details of ``?url=`` for the item form (JSON)."""
    _curator(request)
    try:
        found = og_fetch(request.GET.get("url", "")[:4096])
    except OpenGraphError as error:
        return JsonResponse({"detail": str(error)}, status=422)
    return JsonResponse(found.as_dict())


@login_required
def curators(request: HttpRequest) -> HttpResponse:
    """The people communications managers named curators; add and remove them."""
    viewer = signed_in_user(request)
    if not selectors.can_name_curators(viewer):
        raise Http404(_("No such page."))
    form = CuratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = User.objects.filter(email__iexact=form.cleaned_data["email"]).first()
        if person is None:
            form.add_error("email", _("Nobody has this email address."))
        else:
            try:
                services.curator_add(actor=viewer, user=person, request=request)
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(request, _("%(name)s is now a curator.") % {"name": person})
                return redirect("advocacy_curators")
    return render(
        request,
        "advocacy/library/curators.html",
        {"form": form, "curators": list(selectors.curators_named())},
    )


@login_required
@require_POST
def curator_remove(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = signed_in_user(request)
    if not selectors.can_name_curators(viewer):
        raise Http404(_("No such page."))
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise Http404(_("No such person."))
    try:
        services.curator_remove(actor=viewer, user=person, request=request)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("%(name)s is no longer a curator.") % {"name": person})
    return redirect("advocacy_curators")


urlpatterns = [
    path("library/", library, name="advocacy_library"),
    path("library/manage/", library_manage, name="advocacy_manage"),
    path("library/manage/curators/", curators, name="advocacy_curators"),
    path(
        "library/manage/curators/<int:user_id>/remove/",
        curator_remove,
        name="advocacy_curator_remove",
    ),
    path("library/new/", item_new, name="advocacy_item_new"),
    path("library/submit/", item_submit, name="advocacy_submit"),
    path("library/review/", review, name="advocacy_review"),
    path("library/preview/", og_preview, name="advocacy_og_preview"),
    path("library/<int:pk>/", item_detail, name="advocacy_item"),
    path("library/<int:pk>/edit/", item_edit, name="advocacy_item_edit"),
    path("library/<int:pk>/rate/", item_rate, name="advocacy_item_rate"),
    path("library/<int:pk>/archive/", item_archive, name="advocacy_item_archive"),
    path("library/<int:pk>/restore/", item_restore, name="advocacy_item_restore"),
    path("library/<int:pk>/approve/", item_approve, name="advocacy_item_approve"),
    path("library/<int:pk>/reject/", item_reject, name="advocacy_item_reject"),
]
