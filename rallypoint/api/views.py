"""Each person's page for their personal access tokens: create, list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rallypoint.api import selectors, services
from rallypoint.api.forms import TokenForm
from rallypoint.people.requests import signed_in_user


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """The token list and the form to make one. The new secret is shown in this answer only."""
    viewer = signed_in_user(request)
    secret = ""
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            token, secret = services.token_create(
                user=viewer,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
                request=request,
            )
            messages.success(request, _("Token “%(name)s” created.") % {"name": token.name})
            form = TokenForm()
    else:
        form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {"form": form, "secret": secret, "tokens": selectors.tokens_of(viewer)},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    token = selectors.token_get_own(viewer, pk)
    services.token_revoke(actor=viewer, token=token, request=request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens")


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other address under /api/: the API's 404, as JSON like its other errors."""
    return JsonResponse({"detail": _("No such API endpoint.")}, status=404)
