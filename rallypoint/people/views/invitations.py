"""Administrators invite people; invitees set a password and sign in."""

from __future__ import annotations

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django import forms
from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from rallypoint.people import invitations as service
from rallypoint.people.models import Invitation, User

PAGE_SIZE = 50


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254)
    display_name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Needed only for someone who is not in Rallypoint yet."),
    )


class AcceptForm(forms.Form):
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, user: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are different."))
        elif first:
            try:
                password_validation.validate_password(str(first), self.user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


STATUS_LABELS = {
    service.InvitationStatus.PENDING: gettext_lazy("Pending"),
    service.InvitationStatus.ACCEPTED: gettext_lazy("Accepted"),
    service.InvitationStatus.EXPIRED: gettext_lazy("Expired"),
    service.InvitationStatus.REVOKED: gettext_lazy("Revoked"),
}


def _administrator(request: HttpRequest) -> User:
    """The signed-in administrator; anyone else is told the page does not exist."""
    user = request.user
    if not isinstance(user, User) or not user.is_administrator:
        raise Http404
    return user


def _apply_form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _act_on_invitation(request: HttpRequest, actor: User, action: str) -> None:
    raw = request.POST.get("invitation", "")
    invitation = Invitation.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if invitation is None:
        messages.error(request, _("That invitation does not exist any more."))
        return
    try:
        if action == "resend":
            service.invitation_resend(actor=actor, invitation=invitation, request=request)
            messages.success(
                request, _("A new invitation was sent to %(email)s.") % {"email": invitation.email}
            )
        else:
            service.invitation_revoke(actor=actor, invitation=invitation, request=request)
            messages.success(
                request,
                _("The invitation for %(email)s was revoked.") % {"email": invitation.email},
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    form = InviteForm()
    if request.method == "POST":
        action = request.POST.get("action", "send")
        if action in {"resend", "revoke"}:
            _act_on_invitation(request, actor, action)
            return redirect("people_invitations")
        form = InviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = service.invitation_send(
                    actor=actor,
                    email=form.cleaned_data["email"],
                    display_name=form.cleaned_data["display_name"],
                    request=request,
                )
            except ValidationError as exc:
                _apply_form_errors(form, exc)
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": invitation.email},
                )
                return redirect("people_invitations")

    invitations = service.invitations_for_admin(actor)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        invitations = invitations.filter(
            Q(email__icontains=query) | Q(user__display_name__icontains=query)
        )
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"invitation": inv, "status": status, "status_label": STATUS_LABELS[status]}
        for inv in page.object_list
        for status in [service.invitation_status(inv)]
    ]
    return render(
        request,
        "people/invitation_list.html",
        {"form": form, "page": page, "rows": rows, "query": query},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = service.invitation_find(token=token)
    problem = service.invitation_problem(invitation)
    if problem:
        status = 404 if invitation is None else 410
        return render(
            request,
            "people/invitation_invalid.html",
            {"problem": problem, "invitation": invitation},
            status=status,
        )
    assert invitation is not None
    person = invitation.user
    form = AcceptForm(request.POST or None, user=person)
    if request.method == "POST" and form.is_valid():
        try:
            user = service.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"], request=request
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            record_authentication(request, user, method="password", email=user.email)
            return perform_login(
                request,
                user,
                email_verification=account_settings.EmailVerificationMethod.NONE,
            )
    return render(
        request,
        "people/invitation_accept.html",
        {"form": form, "person": person, "invitation": invitation},
        status=400 if request.method == "POST" else 200,
    )
