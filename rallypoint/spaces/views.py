"""Pages of spaces: the list, a space, its members, its settings, and the admin toggle."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rallypoint.core.feedback import service_attempt
from rallypoint.people.models import User
from rallypoint.people.requests import signed_in_user
from rallypoint.spaces import invitations, selectors, services
from rallypoint.spaces.forms import (
    MembershipRoleForm,
    SpaceCreateForm,
    SpaceInviteForm,
    SpaceSettingsForm,
    SpaceUpdateForm,
)
from rallypoint.spaces.models import Space, SpaceMembership

MEMBERS_PREVIEW = 12
MEMBERS_PAGE_SIZE = 60


def _posted(request: HttpRequest) -> Any:
    """The submitted data, even when empty (an unticked checkbox sends nothing)."""
    return request.POST if request.method == "POST" else None


@login_required
def space_list(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    spaces = list(selectors.spaces_visible_to(viewer).select_related("created_by"))
    mine = [s for s in spaces if getattr(s, "viewer_role", None)]
    discover = [s for s in spaces if not getattr(s, "viewer_role", None) and not s.is_archived]
    return render(
        request,
        "spaces/list.html",
        {
            "mine": mine,
            "discover": discover,
            "invitations": list(selectors.invitations_pending_for(viewer)),
            "can_create": selectors.can_create_groups(viewer),
        },
    )


@login_required
def space_create(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    kinds = selectors.group_kinds_creatable_by(viewer)
    if not kinds:
        messages.error(request, _("Only administrators can create groups."))
        return redirect("spaces_list")
    form = SpaceCreateForm(_posted(request), kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            space = services.space_create(actor=viewer, request=request, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(space)s is ready.") % {"space": space})
            return redirect("spaces_detail", slug=space.slug)
    return render(request, "spaces/create.html", {"form": form})


@login_required
def space_detail(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    content_visible = selectors.space_content_visible_to(viewer, space)
    moderate = selectors.can_moderate(viewer, space)
    members = selectors.members_visible_to(viewer, space)
    return render(
        request,
        "spaces/detail.html",
        {
            "space": space,
            "content_visible": content_visible,
            "members_visible": content_visible or moderate,
            "moderate": moderate,
            "membership": selectors.membership_of(viewer, space),
            "members": list(members[:MEMBERS_PREVIEW]),
            "pending_request": selectors.join_request_pending_of(viewer, space),
            "invitation": selectors.invitation_pending_of(viewer, space),
            "requests_waiting": selectors.join_requests_pending(viewer, space).count(),
        },
    )


@login_required
@require_POST
def space_join(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    service_attempt(
        request,
        lambda: services.space_join(actor=viewer, space=space, request=request),
        _("Welcome to %(space)s.") % {"space": space},
    )
    return redirect("spaces_detail", slug=space.slug)


@login_required
@require_POST
def space_leave(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    left = service_attempt(
        request,
        lambda: services.space_leave(actor=viewer, space=space, request=request),
        _("You left %(space)s.") % {"space": space},
    )
    if left and space.kind == Space.Kind.SECRET and not viewer.is_administrator:
        return redirect("spaces_list")
    return redirect("spaces_detail", slug=space.slug)


@login_required
@require_POST
def space_request_join(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    service_attempt(
        request,
        lambda: services.space_request_join(actor=viewer, space=space, request=request),
        _("Your request was sent to the moderators of %(space)s.") % {"space": space},
    )
    return redirect("spaces_detail", slug=space.slug)


@login_required
@require_POST
def invitation_answer(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    invitation = selectors.invitation_pending_of(viewer, space)
    if invitation is None:
        raise Http404(_("No such invitation."))
    if request.POST.get("answer") == "accept":
        service_attempt(
            request,
            lambda: invitations.invitation_accept(
                actor=viewer, invitation=invitation, request=request
            ),
            _("Welcome to %(space)s.") % {"space": space},
        )
        return redirect("spaces_detail", slug=space.slug)
    service_attempt(
        request,
        lambda: invitations.invitation_decline(
            actor=viewer, invitation=invitation, request=request
        ),
        _("You declined the invitation to %(space)s.") % {"space": space},
    )
    return redirect("spaces_list")


def _members_space(viewer: User, slug: str) -> Space:
    space = selectors.space_get_visible(viewer, slug)
    if not selectors.members_visible(viewer, space):
        raise Http404(_("No such space."))
    return space


@login_required
def space_members(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    moderate = selectors.can_moderate(viewer, space)
    page = Paginator(selectors.members_visible_to(viewer, space), MEMBERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "spaces/members.html",
        {
            "space": space,
            "moderate": moderate,
            "page_obj": page,
            "members": list(page.object_list),
            "join_requests": list(selectors.join_requests_pending(viewer, space)),
            "invitations": list(selectors.invitations_pending_in(viewer, space)),
            "invite_form": SpaceInviteForm() if moderate and space.is_group else None,
            "role_choices": [
                (value, label)
                for value, label in SpaceMembership.Role.choices
                if space.is_group or value != SpaceMembership.Role.OWNER
            ],
        },
    )


@login_required
@require_POST
def member_role_set(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    membership = selectors.membership_get_manageable(viewer, space, pk)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the roles offered."))
        return redirect("spaces_members", slug=space.slug)
    role = form.cleaned_data["role"]
    service_attempt(
        request,
        lambda: services.membership_set_role(
            actor=viewer, membership=membership, role=role, request=request
        ),
        _("%(name)s's role is saved.") % {"name": membership.user},
    )
    return redirect("spaces_members", slug=space.slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    membership = selectors.membership_get_manageable(viewer, space, pk)
    service_attempt(
        request,
        lambda: services.membership_remove(actor=viewer, membership=membership, request=request),
        _("%(name)s was removed from %(space)s.") % {"name": membership.user, "space": space},
    )
    return redirect("spaces_members", slug=space.slug)


@login_required
@require_POST
def join_request_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    join_request = selectors.join_request_get_decidable(viewer, space, pk)
    if request.POST.get("decision") == "approve":
        service_attempt(
            request,
            lambda: services.join_request_approve(
                actor=viewer, join_request=join_request, request=request
            ),
            _("%(name)s is now a member.") % {"name": join_request.user},
        )
    else:
        service_attempt(
            request,
            lambda: services.join_request_decline(
                actor=viewer, join_request=join_request, request=request
            ),
            _("You declined %(name)s's request.") % {"name": join_request.user},
        )
    return redirect("spaces_members", slug=space.slug)


@login_required
@require_POST
def space_invite(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = _members_space(viewer, slug)
    if not selectors.can_moderate(viewer, space):
        raise Http404(_("No such space."))
    form = SpaceInviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form["email"].errors))
        return redirect("spaces_members", slug=space.slug)
    person = form.cleaned_data["email"]
    service_attempt(
        request,
        lambda: invitations.space_invite(actor=viewer, space=space, user=person, request=request),
        _("%(name)s is invited.") % {"name": person},
    )
    return redirect("spaces_members", slug=space.slug)


@login_required
def space_settings(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    if not selectors.can_moderate(viewer, space):
        raise Http404(_("No such space."))
    form = SpaceUpdateForm(
        _posted(request),
        space=space,
        initial={"name": space.name, "description": space.description},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.space_update(
                actor=viewer,
                space=space,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("The settings of %(space)s are saved.") % {"space": space})
            return redirect("spaces_detail", slug=space.slug)
    return render(request, "spaces/settings.html", {"space": space, "form": form})


@login_required
@require_POST
def space_archive(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = signed_in_user(request)
    space = selectors.space_get_visible(viewer, slug)
    if not selectors.can_moderate(viewer, space):
        raise Http404(_("No such space."))
    archive = request.POST.get("archived") != "false"
    service_attempt(
        request,
        lambda: services.space_archive(
            actor=viewer, space=space, archived=archive, request=request
        ),
        _("%(space)s is archived.") % {"space": space}
        if archive
        else _("%(space)s is open again.") % {"space": space},
    )
    return redirect("spaces_detail", slug=space.slug)


@login_required
def spaces_admin_settings(request: HttpRequest) -> HttpResponse:
    viewer = signed_in_user(request)
    if not viewer.is_administrator:
        raise Http404(_("No such page."))
    current = selectors.space_settings()
    form = SpaceSettingsForm(
        _posted(request),
        initial={"members_can_create_groups": current.members_can_create_groups},
    )
    if request.method == "POST" and form.is_valid():
        services.space_settings_update(
            actor=viewer,
            members_can_create_groups=form.cleaned_data["members_can_create_groups"],
            request=request,
        )
        messages.success(request, _("The spaces settings are saved."))
        return redirect("spaces_admin_settings")
    return render(request, "spaces/admin_settings.html", {"form": form})
