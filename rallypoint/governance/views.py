"""Pages of the social media policy: read and accept it, write and publish versions, see
who accepted, and manage the rules that share texts are checked against.

Everyone reads ``/policy/``; the other pages answer 404 to people without the role
(administrators manage; communications managers also see the report).
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rallypoint.core.feedback import refusal_text
from rallypoint.core.markdown import render_markdown
from rallypoint.governance import selectors, services
from rallypoint.governance.compliance import compliance_settings, share_text_check
from rallypoint.governance.forms import (
    AcknowledgeForm,
    ComplianceRuleForm,
    ComplianceSettingsForm,
    PolicyVersionForm,
    TryTextForm,
)
from rallypoint.governance.models import PolicyVersion
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user

NEXT_MAX = 2000


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    """``candidate`` if it is a path inside Rallypoint, else ""."""
    if not candidate or len(candidate) > NEXT_MAX or not candidate.startswith("/"):
        return ""
    allowed = url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return candidate if allowed else ""


def _policy_url(next_url: str) -> str:
    url = reverse("governance_policy")
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return url


@login_required
@require_http_methods(["GET", "POST"])
def policy_page(request: HttpRequest) -> HttpResponse:
    """The current policy, and the button to accept it (then back to ``?next=``)."""
    viewer = signed_in_user(request)
    current = selectors.policy_current()
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST":
        form = AcknowledgeForm(request.POST)
        if not form.is_valid() or current is None:
            messages.error(request, _("Nothing to accept: reload the page and try again."))
            return redirect(_policy_url(next_url))
        if form.cleaned_data["version"] != current.number:
            messages.error(
                request,
                _("A newer version of the policy was published meanwhile: read it, then accept."),
            )
            return redirect(_policy_url(next_url))
        services.policy_acknowledge(user=viewer, version=current, request=request)
        messages.success(request, _("Thank you: you accepted the social media policy."))
        return HttpResponseRedirect(next_url or reverse("governance_policy"))
    context: dict[str, Any] = {
        "version": current,
        "acknowledgement": selectors.policy_acknowledgement_of(user=viewer, version=current),
        "next": next_url,
        "can_manage": selectors.can_manage_policy(viewer),
        "can_report": selectors.can_see_report(viewer),
    }
    return render(request, "governance/policy.html", context)


def _administrator(request: HttpRequest) -> User:
    viewer = signed_in_user(request)
    if not selectors.can_manage_policy(viewer):
        raise Http404(_("No such page."))
    return viewer


@login_required
@require_GET
def policy_manage(request: HttpRequest) -> HttpResponse:
    viewer = _administrator(request)
    versions = list(selectors.policy_versions_for(viewer))
    return render(
        request,
        "governance/manage.html",
        {"versions": versions, "current": next((v for v in versions if v.is_published), None)},
    )


def _version_form(
    request: HttpRequest, viewer: User, version: PolicyVersion | None
) -> HttpResponse:
    initial = (
        {"title": version.title, "summary": version.summary, "body": version.body}
        if version
        else {"title": _("Social media policy")}
    )
    form = PolicyVersionForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("action") == "preview":
            preview = render_markdown(data["body"])
        else:
            try:
                saved = services.policy_version_save(
                    actor=viewer,
                    version=version,
                    title=data["title"],
                    body=data["body"],
                    summary=data["summary"],
                    request=request,
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, refusal_text(error))
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("governance_policy_version", saved.pk)
    return render(
        request,
        "governance/version_form.html",
        {"form": form, "version": version, "preview": preview},
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_version_new(request: HttpRequest) -> HttpResponse:
    return _version_form(request, _administrator(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def policy_version_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _administrator(request)
    version = selectors.policy_version_for(viewer, pk)
    if version.is_published:
        messages.error(request, _("A published version cannot change: write a new version."))
        return redirect("governance_policy_version", pk)
    return _version_form(request, viewer, version)


@login_required
@require_GET
def policy_version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _administrator(request)
    version = selectors.policy_version_for(viewer, pk)
    return render(request, "governance/version_detail.html", {"version": version})


@login_required
@require_http_methods(["GET", "POST"])
def policy_version_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST with ``confirm`` publishes."""
    viewer = _administrator(request)
    version = selectors.policy_version_for(viewer, pk)
    if version.is_published:
        messages.error(request, _("This version is already published."))
        return redirect("governance_policy_version", pk)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that you want to publish."))
        else:
            try:
                services.policy_version_publish(actor=viewer, version=version, request=request)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, refusal_text(error))
            else:
                messages.success(
                    request,
                    _("Version %(number)d is published; everyone is asked to accept it.")
                    % {"number": version.number},
                )
                return redirect("governance_policy_manage")
    people = User.objects.filter(is_active=True).count()
    return render(request, "governance/publish.html", {"version": version, "people": people})


@login_required
@require_POST
def policy_version_delete(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _administrator(request)
    version = selectors.policy_version_for(viewer, pk)
    try:
        services.policy_version_delete(actor=viewer, version=version, request=request)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
        return redirect("governance_policy_version", pk)
    messages.success(request, _("The draft is deleted."))
    return redirect("governance_policy_manage")


@login_required
@require_GET
def policy_report(request: HttpRequest) -> HttpResponse:
    try:
        report = selectors.policy_report(signed_in_user(request))
    except PermissionDenied as error:
        raise Http404(_("No such page.")) from error
    return render(request, "governance/report.html", {"report": report})


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@login_required
@require_GET
def policy_report_csv(request: HttpRequest) -> StreamingHttpResponse:
    viewer = signed_in_user(request)
    if not selectors.can_see_report(viewer):
        raise Http404(_("No such page."))
    current = selectors.policy_current()
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(
            [_("Name"), _("Email"), _("Department"), _("Version"), _("Accepted at (UTC)")]
        )
        number = current.number if current else ""
        for name, email, department, at in selectors.policy_report_rows(viewer):
            accepted = at.astimezone(datetime.UTC).isoformat(timespec="seconds") if at else ""
            yield writer.writerow([_cell(v) for v in (name, email, department, number, accepted)])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="policy-acknowledgements-{stamp}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def compliance_rules(request: HttpRequest) -> HttpResponse:
    """The disclosure settings, the rules, and a box to try a text against them."""
    viewer = _administrator(request)
    stored = compliance_settings()
    action = request.POST.get("action") if request.method == "POST" else None
    settings_form = ComplianceSettingsForm(
        request.POST if action == "settings" else None, instance=stored
    )
    try_form = TryTextForm(request.POST if action == "try" else None)
    result = None
    if action == "settings" and settings_form.is_valid():
        data = settings_form.cleaned_data
        try:
            services.compliance_settings_update(
                actor=viewer,
                disclosure_text=data["disclosure_text"],
                disclosure_action=data["disclosure_action"],
                disclosure_overflow=data["disclosure_overflow"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            settings_form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("The disclosure settings are saved."))
            return redirect("governance_rules")
    if action == "try" and try_form.is_valid():
        data = try_form.cleaned_data
        result = share_text_check(text=data["text"], network=data["network"], url=data["url"])
    return render(
        request,
        "governance/rules.html",
        {
            "settings_form": settings_form,
            "try_form": try_form,
            "result": result,
            "rules": list(selectors.compliance_rules_for(viewer)),
        },
    )


def _rule_form(request: HttpRequest, viewer: User, pk: int | None) -> HttpResponse:
    rule = selectors.compliance_rule_for(viewer, pk) if pk is not None else None
    form = ComplianceRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.compliance_rule_save(
                actor=viewer,
                rule=rule,
                kind=data["kind"],
                action=data["action"],
                value=data["value"],
                message=data["message"],
                enabled=data["enabled"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, refusal_text(error))
        else:
            messages.success(request, _("The rule is saved."))
            return redirect("governance_rules")
    return render(request, "governance/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_http_methods(["GET", "POST"])
def compliance_rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, _administrator(request), None)


@login_required
@require_http_methods(["GET", "POST"])
def compliance_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_form(request, _administrator(request), pk)


@login_required
@require_POST
def compliance_rule_enabled(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _administrator(request)
    rule = selectors.compliance_rule_for(viewer, pk)
    enabled = request.POST.get("enabled") == "1"
    services.compliance_rule_set_enabled(actor=viewer, rule=rule, enabled=enabled, request=request)
    messages.success(request, _("The rule is enabled.") if enabled else _("The rule is disabled."))
    return redirect("governance_rules")
