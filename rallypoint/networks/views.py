"""The connections page: connect, reconnect and disconnect one's own social accounts.

LinkedIn, X and Mastodon connect by OAuth: ``networks_connect`` sends the browser to the
network with a single-use ``state`` (and a PKCE challenge for X), and the network sends it
back to ``networks_callback``, which checks the state, trades the code for tokens and
stores them encrypted. Bluesky connects with a handle and an app password, used once to
open a session and never stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rallypoint.core.feedback import refusal_text
from rallypoint.networks import oauth, selectors, services
from rallypoint.networks.base import AuthExpired, NetworkError, TokenSet
from rallypoint.networks.forms import BlueskyForm, MastodonInstanceForm
from rallypoint.networks.models import MastodonApp, Network
from rallypoint.networks.registry import OAUTH_NETWORKS
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user

ERROR_DETAIL_MAX = 200


def callback_uri(network: str) -> str:
    """The address a network sends the employee back to (register it with the network)."""
    return settings.BASE_URL + reverse("networks_callback", args=[network])


def _label(network: str) -> str:
    return str(Network(network).label)


def _connectable(network: str) -> str:
    if network not in selectors.CONNECTABLE:
        raise Http404(_("No such network."))
    return network


def _back(request: HttpRequest, next_url: str = "") -> HttpResponse:
    return redirect(oauth.safe_next(request, next_url) or reverse("networks_accounts"))


def _page(request: HttpRequest, viewer: User, **forms: Any) -> HttpResponse:
    connections = selectors.connections_of(user=viewer)
    accounts = {c.network: c.account for c in connections}
    mastodon = accounts.get(Network.MASTODON)
    bluesky = accounts.get(Network.BLUESKY)
    context = {
        "connections": connections,
        "mastodon_form": forms.get("mastodon_form")
        or MastodonInstanceForm(initial={"instance": mastodon.instance if mastodon else ""}),
        "bluesky_form": forms.get("bluesky_form")
        or BlueskyForm(initial={"handle": bluesky.handle if bluesky else ""}),
        "next": oauth.safe_next(request, request.POST.get("next") or request.GET.get("next", "")),
    }
    return render(request, "networks/accounts.html", context)


@login_required
@require_GET
def networks_accounts(request: HttpRequest) -> HttpResponse:
    """The viewer's connections, one block per network."""
    return _page(request, signed_in_user(request))


@login_required
@require_POST
def networks_connect(request: HttpRequest, network: str) -> HttpResponse:
    """Start connecting (or reconnecting) ``network``."""
    viewer = signed_in_user(request)
    _connectable(network)
    next_url = request.POST.get("next", "")
    if not selectors.network_configured(network):
        messages.error(
            request,
            _("An administrator has not set up %(network)s connections yet.")
            % {"network": _label(network)},
        )
        return _back(request)
    if network == Network.BLUESKY:
        return _connect_bluesky(request, viewer, next_url)
    if network == Network.MASTODON:
        return _connect_mastodon(request, viewer, next_url)
    pending = oauth.oauth_begin(request, network=network, next_url=next_url)
    if network == Network.X:
        from rallypoint.networks import x

        url = x.authorize_url(
            state=pending.state,
            redirect_uri=callback_uri(network),
            code_challenge=pending.code_challenge,
        )
    else:
        from rallypoint.networks import linkedin

        url = linkedin.authorize_url(state=pending.state, redirect_uri=callback_uri(network))
    return HttpResponseRedirect(url)


def _connect_mastodon(request: HttpRequest, viewer: User, next_url: str) -> HttpResponse:
    from rallypoint.networks import mastodon

    form = MastodonInstanceForm(request.POST)
    if not form.is_valid():
        return _page(request, viewer, mastodon_form=form)
    instance = form.cleaned_data["instance"]
    redirect_uri = callback_uri(Network.MASTODON)
    try:
        app = services.mastodon_app_for(instance=instance, redirect_uri=redirect_uri)
    except NetworkError as error:
        form.add_error(
            "instance",
            _("Rallypoint could not register with %(instance)s: %(reason)s")
            % {"instance": instance, "reason": error},
        )
        return _page(request, viewer, mastodon_form=form)
    pending = oauth.oauth_begin(
        request, network=Network.MASTODON, instance=instance, next_url=next_url
    )
    return HttpResponseRedirect(
        mastodon.authorize_url(
            instance=instance,
            client_id=app.client_id,
            state=pending.state,
            redirect_uri=redirect_uri,
        )
    )


def _connect_bluesky(request: HttpRequest, viewer: User, next_url: str) -> HttpResponse:
    from rallypoint.networks import bluesky

    form = BlueskyForm(request.POST)
    if not form.is_valid():
        return _page(request, viewer, bluesky_form=form)
    try:
        tokens = bluesky.create_session(
            identifier=form.cleaned_data["handle"],
            app_password=form.cleaned_data["app_password"],
        )
    except AuthExpired:
        form.add_error(None, _("Bluesky did not accept this handle and app password."))
        return _page(request, viewer, bluesky_form=form)
    except NetworkError as error:
        form.add_error(None, str(error))
        return _page(request, viewer, bluesky_form=form)
    pds = str(settings.BLUESKY_PDS_URL).rstrip("/")
    return _store(request, viewer, Network.BLUESKY, tokens, pds, next_url)


def _store(
    request: HttpRequest,
    viewer: User,
    network: str,
    tokens: TokenSet,
    instance: str,
    next_url: str,
) -> HttpResponse:
    try:
        account = services.account_connect(
            user=viewer, network=network, tokens=tokens, instance=instance
        )
    except ValidationError as error:
        messages.error(request, refusal_text(error))
        return _back(request)
    messages.success(
        request,
        _("Your %(network)s account %(handle)s is connected.")
        % {"network": _label(network), "handle": account.handle or account.remote_id},
    )
    return _back(request, next_url)


@login_required
@require_GET
def networks_callback(request: HttpRequest, network: str) -> HttpResponse:
    """Where the network sends the employee back, with a code or an error."""
    viewer = signed_in_user(request)
    if network not in OAUTH_NETWORKS:
        raise Http404(_("No such network."))
    state = request.GET.get("state", "")
    error = request.GET.get("error", "")
    if error:
        pending = oauth.oauth_discard(request, state=state)
        if error == "access_denied":
            text = _("You did not allow access to your %(network)s account; nothing was connected.")
        else:
            text = _("%(network)s did not connect your account: %(reason)s")
        reason = (request.GET.get("error_description") or error)[:ERROR_DETAIL_MAX]
        messages.error(request, text % {"network": _label(network), "reason": reason})
        return _back(request, pending.next_url if pending else "")
    try:
        pending = oauth.oauth_complete(request, network=network, state=state)
    except oauth.StateInvalid as refusal:
        messages.error(request, str(refusal))
        return _back(request)
    code = request.GET.get("code", "")
    if not code:
        messages.error(request, _("The network sent no authorization. Please start again."))
        return _back(request)
    try:
        tokens = _exchange(network, code, pending)
    except NetworkError as failure:
        messages.error(
            request,
            _("Connecting your %(network)s account failed: %(reason)s")
            % {"network": _label(network), "reason": failure},
        )
        return _back(request)
    return _store(request, viewer, network, tokens, pending.instance, pending.next_url)


def _exchange(network: str, code: str, pending: oauth.PendingConnection) -> TokenSet:
    redirect_uri = callback_uri(network)
    if network == Network.X:
        from rallypoint.networks import x

        return x.exchange_code(
            code=code, redirect_uri=redirect_uri, code_verifier=pending.code_verifier
        )
    if network == Network.LINKEDIN:
        from rallypoint.networks import linkedin

        return linkedin.exchange_code(code=code, redirect_uri=redirect_uri)
    from rallypoint.networks import mastodon

    app = MastodonApp.objects.filter(instance=pending.instance).first()
    if app is None:
        raise NetworkError(_("Rallypoint is not registered with this server. Please start again."))
    return mastodon.exchange_code(
        instance=pending.instance,
        client_id=app.client_id,
        client_secret=app.client_secret,
        code=code,
        redirect_uri=redirect_uri,
    )


@login_required
@require_http_methods(["GET", "POST"])
def networks_disconnect(request: HttpRequest, network: str) -> HttpResponse:
    """GET asks for confirmation; POST deletes the connection and its tokens."""
    viewer = signed_in_user(request)
    account = selectors.account_for(user=viewer, network=_connectable(network))
    if account is None:
        raise Http404(_("You have not connected this network."))
    if request.method == "POST":
        services.account_disconnect(user=viewer, network=network)
        messages.success(
            request,
            _("Your %(network)s account is disconnected; Rallypoint deleted its access.")
            % {"network": _label(network)},
        )
        return redirect("networks_accounts")
    return render(request, "networks/disconnect.html", {"account": account})
