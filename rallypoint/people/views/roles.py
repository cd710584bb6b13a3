"""Administrators assign roles from a person's profile page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rallypoint.people.forms import RoleForm
from rallypoint.people.models import User
from rallypoint.people.selectors import person_get_visible
from rallypoint.people.services import user_set_role


@login_required
@require_POST
def role_set(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.user
    assert isinstance(viewer, User)
    person = person_get_visible(viewer, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return redirect("people_profile", pk=person.pk)
    try:
        updated = user_set_role(
            actor=viewer, user=person, role=form.cleaned_data["role"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.") % {"name": updated, "role": updated.get_role_display()},
        )
    return redirect("people_profile", pk=person.pk)
