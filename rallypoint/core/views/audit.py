from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from rallypoint.core.forms import AuditFilterForm
from rallypoint.core.selectors import (
    audit_actions_visible_to,
    audit_entries_visible_to,
    audit_target_types_visible_to,
)

PAGE_SIZE = 50


def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log, for administrators; it does not exist for anyone else."""
    user = request.user
    if not (user.is_authenticated and user.is_administrator):
        raise Http404
    form = AuditFilterForm(
        request.GET or None,
        actions=audit_actions_visible_to(user),
        target_types=audit_target_types_visible_to(user),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_visible_to(user, **filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"form": form, "page": page})
