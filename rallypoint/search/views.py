"""The search page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user
from rallypoint.search.forms import SearchForm
from rallypoint.search.selectors import SearchResults, search_visible_to, spaces_for_filter


def _author(viewer: User, pk: int | None) -> User | None:
    if pk is None:
        return None
    return User.objects.filter(pk=pk, is_active=True).first() if viewer.is_active else None


@login_required
def search(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    form = SearchForm(request.GET or None, spaces=spaces_for_filter(viewer))
    results = SearchResults(query="", kind=None, page=1, per_page=0)
    author = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        author = _author(viewer, data["author"])
        if data["author"] is not None and author is None:
            form.add_error(None, _("No such author."))
        else:
            results = search_visible_to(
                viewer,
                query=data["q"],
                kind=data["kind"] or None,
                space=data["space"],
                author=author,
                date_from=data["date_from"],
                date_to=data["date_to"],
                page=data["page"] or 1,
            )
    params: dict[str, str | int] = {
        key: str(value) for key, value in request.GET.items() if key != "page" and value
    }

    def link(**changes: str | int) -> str:
        merged: dict[str, str | int] = dict(params)
        for key, value in changes.items():
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)
        return reverse("search") + "?" + urlencode(merged)

    tabs = [
        {"kind": "", "label": _("Everything"), "count": results.total, "url": link(kind="")},
    ] + [
        {
            "kind": value,
            "label": label,
            "count": results.counts.get(value, 0),
            "url": link(kind=value),
        }
        for value, label in form.fields["kind"].choices[1:]  # type: ignore[attr-defined]
    ]
    context = {
        "form": form,
        "results": results,
        "author": author,
        "tabs": tabs,
        "current_kind": results.kind or "",
        "without_author": link(author=""),
        "next_url": link(page=results.page + 1) if results.has_next else "",
        "previous_url": link(page=results.page - 1) if results.page > 1 else "",
    }
    return render(request, "search/search.html", context)
