"""Pages for sharing: the share panel of an item, the live check as the employee types,
their shares, and the queue of scheduled and failed shares."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from rallypoint.advocacy import share_selectors, sharing
from rallypoint.advocacy.models import ContentItem, Share
from rallypoint.advocacy.selectors import item_for
from rallypoint.core.feedback import refusal_text
from rallypoint.networks import limits
from rallypoint.networks.models import ConnectedAccount, Network
from rallypoint.networks.registry import API_NETWORKS
from rallypoint.networks.selectors import accounts_of
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user

SESSION_INSTANCE = "advocacy_mastodon_instance"
SHARES_SHOWN = 200
TEXT_MAX = 70000


# ---------------------------------------------------------------- forms


class ShareForm(forms.Form):
    """What the share panel posts. ``action``: ``now`` (post with the connected account),
    ``schedule`` (at ``scheduled_for``), ``slot`` (the next suggested time), ``intent``
    (open the network's share page) or ``copy``."""

    ACTIONS = ("now", "schedule", "slot", "intent", "copy")

    network = forms.ChoiceField(choices=Network.choices)
    text = forms.CharField(max_length=TEXT_MAX, strip=True)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    scheduled_for = forms.DateTimeField(
        required=False,
        label=gettext_lazy("When"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    instance = forms.CharField(
        required=False, max_length=253, label=gettext_lazy("Your Mastodon server")
    )
    campaign = forms.SlugField(required=False, max_length=80)


class ShareEditForm(forms.Form):
    text = forms.CharField(
        max_length=TEXT_MAX, strip=True, widget=forms.Textarea(attrs={"rows": 4})
    )
    scheduled_for = forms.DateTimeField(
        label=gettext_lazy("When"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _in_zone(user: User, value: datetime.datetime | None) -> datetime.datetime | None:
    """A time typed on a form (wall clock of the employee's time zone) as an instant."""
    if value is None:
        return None
    zone = sharing.zone_of(user.time_zone)
    if timezone.is_aware(value):
        value = timezone.make_naive(value, zone)
    return value.replace(tzinfo=zone, fold=0)


def show_local(moment: datetime.datetime | None, user: User) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(sharing.zone_of(user.time_zone))
    return date_format(local, "D j M, H:i")


# ---------------------------------------------------------------- the share panel


@dataclass(frozen=True)
class NetworkTab:
    network: str
    label: str
    text: str
    limit: int
    intent: bool
    copy_only: bool
    api_capable: bool
    account: ConnectedAccount | None
    can_post: bool
    slot: datetime.datetime | None
    slot_label: str


def _suggested_text(item: ContentItem, network: str) -> str:
    texts = item.suggested_texts if isinstance(item.suggested_texts, dict) else {}
    text = texts.get(network) or texts.get("default") or ""
    return str(text) if text else item.title


def _tabs(user: User, item: ContentItem) -> list[NetworkTab]:
    accounts = {account.network: account for account in accounts_of(user=user)}
    now = timezone.now()
    tabs = []
    for network in (*sharing.INTENT_NETWORKS, *sharing.COPY_NETWORKS):
        account = accounts.get(network)
        can_post = (
            network in API_NETWORKS
            and account is not None
            and account.status == ConnectedAccount.Status.ACTIVE
        )
        slot = sharing.next_suggested_slot(network, now, user.time_zone) if can_post else None
        tabs.append(
            NetworkTab(
                network=network,
                label=sharing.network_label(network),
                text=_suggested_text(item, network),
                limit=limits.LIMITS.get(network, 65536),
                intent=network in sharing.INTENT_NETWORKS,
                copy_only=network in sharing.COPY_NETWORKS,
                api_capable=network in API_NETWORKS,
                account=account if network in API_NETWORKS else None,
                can_post=can_post,
                slot=slot,
                slot_label=show_local(slot, user),
            )
        )
    return tabs


def _panel(
    request: HttpRequest,
    item: ContentItem,
    *,
    form: ShareForm | None = None,
    chosen: str = "",
    status: int = 200,
) -> HttpResponse:
    viewer = signed_in_user(request)
    context: dict[str, Any] = {"item": item, "form": form}
    if item.internal_only:
        return render(request, "advocacy/sharing/internal_only.html", context, status=status)
    try:
        sharing.require_policy(viewer, next_url=request.path)
    except sharing.PolicyNotAcknowledged as refusal:
        context["policy_url"] = refusal.policy_url
    tabs = _tabs(viewer, item)
    chosen = chosen or request.GET.get("network", "")
    if chosen not in {tab.network for tab in tabs}:
        chosen = tabs[0].network
    context.update(
        tabs=tabs,
        chosen=chosen,
        mastodon_instance=sharing.mastodon_instance_of(
            viewer, request.session.get(SESSION_INSTANCE, "")
        ),
        time_zone=viewer.time_zone or "UTC",
        check_url=reverse("advocacy_share_check"),
        campaign_slug=(form.data.get("campaign", "") if form else request.GET.get("campaign", ""))[
            :80
        ],
        link_placeholder=sharing.link_placeholder(),
        min_time=timezone.now()
        .astimezone(sharing.zone_of(viewer.time_zone))
        .strftime("%Y-%m-%dT%H:%M"),
    )
    return render(request, "advocacy/sharing/panel.html", context, status=status)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _method_and_time(user: User, data: dict[str, Any]) -> tuple[str, datetime.datetime | None]:
    action = data["action"]
    if action in ("intent", "copy"):
        return action, None
    if action == "slot":
        return Share.Method.API, sharing.next_suggested_slot(
            data["network"], timezone.now(), user.time_zone
        )
    if action == "schedule":
        when = _in_zone(user, data.get("scheduled_for"))
        if when is None:
            raise ValidationError(_("Choose the date and time it goes out."))
        return Share.Method.API, when
    return Share.Method.API, None


@login_required
def share_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the share panel of an item. POST: share it (see ``ShareForm``)."""
    viewer = signed_in_user(request)
    item = item_for(viewer, pk)
    if request.method != "POST":
        return _panel(request, item)
    form = ShareForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            return JsonResponse({"error": _("Check the form."), "fields": form.errors}, status=400)
        return _panel(request, item, form=form, chosen=request.POST.get("network", ""), status=400)
    data = form.cleaned_data
    network = data["network"]
    instance = ""
    try:
        method, when = _method_and_time(viewer, data)
        if method == Share.Method.INTENT and network == Network.MASTODON:
            instance = sharing.mastodon_instance_of(viewer, "")
            if not instance:
                instance = sharing.clean_instance(
                    data.get("instance") or request.session.get(SESSION_INSTANCE, "")
                )
                request.session[SESSION_INSTANCE] = instance
        share = sharing.share_create(
            user=viewer,
            item=item,
            network=network,
            text=data["text"],
            method=method,
            scheduled_for=when,
            campaign=sharing.campaign_named(data.get("campaign") or ""),
        )
    except sharing.PolicyNotAcknowledged as refusal:
        if _wants_json(request):
            return JsonResponse(
                {"error": str(refusal), "policy_url": refusal.policy_url}, status=403
            )
        messages.error(request, _("Acknowledge the social media policy before sharing."))
        return redirect(refusal.policy_url)
    except (ValidationError, PermissionDenied) as error:
        if _wants_json(request):
            return JsonResponse({"error": refusal_text(error)}, status=400)
        form.add_error(None, refusal_text(error))
        return _panel(request, item, form=form, chosen=network, status=400)
    return _shared(request, share, instance)


def _shared(request: HttpRequest, share: Share, instance: str) -> HttpResponse:
    viewer = signed_in_user(request)
    text = sharing.posted_text(share)
    if share.method == Share.Method.INTENT:
        url = sharing.share_intent_url(share=share, instance=instance) or ""
        if _wants_json(request):
            return JsonResponse({"share": share.pk, "status": share.status, "intent_url": url})
        return render(
            request,
            "advocacy/sharing/opened.html",
            {"share": share, "intent_url": url, "text": text},
        )
    if share.method == Share.Method.COPY:
        if _wants_json(request):
            return JsonResponse({"share": share.pk, "status": share.status, "text": text})
        return render(
            request, "advocacy/sharing/opened.html", {"share": share, "text": text, "copy": True}
        )
    if share.scheduled_for and share.scheduled_for > timezone.now():
        message = _("Scheduled for %(when)s on %(network)s.") % {
            "when": show_local(share.scheduled_for, viewer),
            "network": sharing.network_label(share.network),
        }
        target = reverse("advocacy_queue")
    else:
        share.refresh_from_db()
        if share.status == Share.Status.PUBLISHED:
            message = _("Posted on %(network)s.") % {
                "network": sharing.network_label(share.network)
            }
        elif share.status == Share.Status.FAILED:
            message = _("Not posted: %(reason)s") % {"reason": share.last_error}
        else:
            message = _("Posting on %(network)s…") % {
                "network": sharing.network_label(share.network)
            }
        target = reverse("advocacy_my_shares")
    if _wants_json(request):
        return JsonResponse(
            {"share": share.pk, "status": share.status, "message": message, "next": target}
        )
    messages.success(request, message)
    return redirect(target)


@login_required
@require_POST
def share_check(request: HttpRequest) -> HttpResponse:
    """The compliance check and length of a text as the employee types (JSON)."""
    viewer = signed_in_user(request)
    network = request.POST.get("network", "")
    text = request.POST.get("text", "")[:TEXT_MAX]
    item_id = request.POST.get("item", "")
    if network not in Network.values:
        return JsonResponse({"error": _("Unknown network.")}, status=400)
    item = (
        item_for(viewer, int(item_id)) if item_id.isdigit() and 0 < int(item_id) < 2**63 else None
    )
    try:
        check = sharing.share_check(user=viewer, item=item, network=network, text=text)
    except sharing.PolicyNotAcknowledged as refusal:
        return JsonResponse({"error": str(refusal), "policy_url": refusal.policy_url}, status=403)
    return JsonResponse({**check.as_json(), "reasons": check.reasons})


# ---------------------------------------------------------------- my shares and the queue


@login_required
@require_GET
def my_shares(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    shares = list(share_selectors.shares_of(user=viewer)[:SHARES_SHOWN])
    return render(
        request,
        "advocacy/sharing/my_shares.html",
        {"rows": share_selectors.share_rows(shares)},
    )


@login_required
@require_GET
def share_queue(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    return render(
        request,
        "advocacy/sharing/queue.html",
        {
            "waiting": list(share_selectors.queue_of(user=viewer)[:SHARES_SHOWN]),
            "failed": list(share_selectors.failed_of(user=viewer)[:SHARES_SHOWN]),
            "time_zone": viewer.time_zone or "UTC",
        },
    )


@login_required
def share_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the text and time of a scheduled share (checked again)."""
    viewer = signed_in_user(request)
    share = share_selectors.share_for(user=viewer, pk=pk)
    zone = sharing.zone_of(viewer.time_zone)
    initial = {
        "text": share.text,
        "scheduled_for": share.scheduled_for.astimezone(zone).replace(tzinfo=None)
        if share.scheduled_for
        else None,
    }
    form = ShareEditForm(request.POST or None, initial=initial)
    editable = share.status in (Share.Status.SCHEDULED, Share.Status.FAILED)
    if request.method == "POST" and editable and form.is_valid():
        try:
            sharing.share_reschedule(
                user=viewer,
                share=share,
                text=form.cleaned_data["text"],
                scheduled_for=_in_zone(viewer, form.cleaned_data["scheduled_for"]),
            )
        except sharing.PolicyNotAcknowledged as refusal:
            return redirect(refusal.policy_url)
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("The share is rescheduled."))
            return redirect("advocacy_queue")
    return render(
        request,
        "advocacy/sharing/edit.html",
        {
            "share": share,
            "form": form,
            "editable": editable,
            "limit": limits.LIMITS.get(share.network, 65536),
            "link": sharing.short_url(share),
            "check_url": reverse("advocacy_share_check"),
            "time_zone": viewer.time_zone or "UTC",
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def share_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    share = share_selectors.share_for(user=viewer, pk=pk)
    try:
        sharing.share_cancel(user=viewer, share=share)
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("The share is cancelled."))
    return redirect("advocacy_queue")


@login_required
@require_POST
def share_retry(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    share = share_selectors.share_for(user=viewer, pk=pk)
    try:
        sharing.share_retry(user=viewer, share=share)
    except sharing.PolicyNotAcknowledged as refusal:
        return redirect(refusal.policy_url)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, _("Trying again now."))
    return redirect("advocacy_queue")


urlpatterns = [
    path("library/<int:pk>/share/", share_panel, name="advocacy_share"),
    path("library/share/check/", share_check, name="advocacy_share_check"),
    path("shares/", my_shares, name="advocacy_my_shares"),
    path("shares/queue/", share_queue, name="advocacy_queue"),
    path("shares/<int:pk>/edit/", share_edit, name="advocacy_share_edit"),
    path("shares/<int:pk>/cancel/", share_cancel, name="advocacy_share_cancel"),
    path("shares/<int:pk>/retry/", share_retry, name="advocacy_share_retry"),
]
