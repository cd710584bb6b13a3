"""People directory, profiles, the org chart and the people widgets of the home page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from rallypoint.people import selectors
from rallypoint.people.forms import DirectoryFilterForm, ProfileForm, RoleForm
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user
from rallypoint.people.services import profile_update

PAGE_SIZE = 24


def _pk_param(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(_("No such person."))
    return int(raw)


def _greeting() -> str:
    hour = timezone.localtime().hour
    if hour < 5 or hour >= 18:
        return _("Good evening")
    if hour < 12:
        return _("Good morning")
    return _("Good afternoon")


def home_widgets(viewer: User) -> dict[str, Any]:
    """The people side of the home page: greeting, manager, team, reports, new joiners,
    anniversaries, birthdays and counts. The page itself is ``feed.views.home``, which
    puts the feed beside these (``people`` must not import the feed)."""
    me = selectors.person_get_visible(viewer, viewer.pk)
    today = timezone.localdate()
    return {
        "me": me,
        "greeting": _greeting(),
        "today": today,
        "teammates": selectors.teammates_of(viewer, me, limit=8),
        "reports": list(selectors.direct_reports_of(viewer, me)[:12]),
        "new_joiners": selectors.new_joiners(viewer, today=today),
        "anniversaries": selectors.work_anniversaries(viewer, today=today),
        "birthdays": selectors.upcoming_birthdays(viewer, today=today),
        "counts": selectors.company_counts(viewer),
    }


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    form = DirectoryFilterForm(
        request.GET or None,
        departments=selectors.departments_for_filter(viewer),
        locations=selectors.locations_for_filter(viewer),
    )
    form.is_valid()
    filters = form.filters()
    people = selectors.people_visible_to(viewer, **filters)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "searching": any(filters.values()),
    }
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    if partial:
        response = render(request, "people/_directory_results.html", {**context, "oob": True})
    else:
        response = render(request, "people/directory.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    person = selectors.person_get_visible(viewer, pk)
    reports = list(selectors.direct_reports_of(viewer, person))
    return render(
        request,
        "people/profile.html",
        {
            "person": person,
            "reports": reports,
            "teammates": selectors.teammates_of(viewer, person),
            "is_self": person.pk == viewer.pk,
            "show_birthday": person.birthday_month is not None
            and (person.birthday_visible or person.pk == viewer.pk),
            "role_form": RoleForm(initial={"role": person.role})
            if viewer.is_administrator
            else None,
        },
    )


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit my profile, or (administrators, with ``?person=<pk>``) someone else's."""
    viewer = signed_in_user(request)
    pk = _pk_param(request, "person")
    if pk is None or pk == viewer.pk:
        person = selectors.person_get_visible(viewer, viewer.pk)
    elif viewer.is_administrator:
        person = selectors.person_get_visible(viewer, pk)
    else:
        raise PermissionDenied(_("You can only edit your own profile."))

    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        person=person,
        organisation=viewer.is_administrator,
    )
    if request.method == "POST" and form.is_valid():
        old_language = person.language
        try:
            updated = profile_update(
                actor=viewer,
                user=person,
                data=form.profile_data(),
                avatar=form.cleaned_data.get("avatar"),
                remove_avatar=bool(form.cleaned_data.get("remove_avatar")),
                request=request,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if person.pk == viewer.pk:
                messages.success(request, _("Your profile is saved."))
            else:
                messages.success(request, _("%(name)s's profile is saved.") % {"name": updated})
            response = redirect("people_profile", pk=person.pk)
            if person.pk == viewer.pk and updated.language != old_language:
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    updated.language,
                    max_age=settings.LANGUAGE_COOKIE_AGE,
                    samesite="Lax",
                    secure=settings.SESSION_COOKIE_SECURE,
                )
            return response
    action = reverse("people_profile_edit")
    if person.pk != viewer.pk:
        action = f"{action}?person={person.pk}"
    return render(
        request,
        "people/profile_edit.html",
        {
            "form": form,
            "person": person,
            "is_self": person.pk == viewer.pk,
            "action": action,
            "avatar_limit": settings.AVATAR_MAX_BYTES,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def org_chart(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    pk = _pk_param(request, "person")
    person = selectors.person_get_visible(viewer, viewer.pk if pk is None else pk)
    chart = selectors.org_chart_for(viewer, person)
    return render(request, "people/org_chart.html", {"chart": chart, "person": person})
