"""The Django admin for people and the company's structure. Administrators only.

Roles are changed on a person's profile page (so the change is checked and
audited by ``user_set_role``); here the role is shown read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rallypoint.core.admin import ReadOnlyAdminMixin
from rallypoint.core.audit import audit_record
from rallypoint.people.models import Department, Invitation, Location, Team, User
from rallypoint.people.selectors import active_administrators
from rallypoint.people.services import DIRECTORY_FIELDS, SOCIAL_NORMALIZERS
from rallypoint.people.signals_api import people_changed_send


class PeopleCountAdmin(admin.ModelAdmin):
    """A ``people`` column counting the members, in the list's own query."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).annotate(people_count=Count("members"))

    @admin.display(description=_("people"), ordering="people_count")
    def people(self, obj: Any) -> int:
        return int(obj.people_count)


@admin.register(Department)
class DepartmentAdmin(PeopleCountAdmin):
    list_display = ("name", "slug", "people")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Location)
class LocationAdmin(PeopleCountAdmin):
    list_display = ("name", "city", "country", "time_zone", "people")
    search_fields = ("name", "city", "country")
    list_filter = ("country",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "department")
    list_select_related = ("department",)
    list_filter = ("department",)
    search_fields = ("name", "department__name")
    prepopulated_fields = {"slug": ("name",)}


class UserAdminForm(forms.ModelForm):
    class Meta:
        model = User
        # Passwords are never edited here: people set their own through sign-in.
        fields = (
            "email",
            "display_name",
            "is_active",
            "job_title",
            "department",
            "team",
            "location",
            "manager",
            "hire_date",
            "pronouns",
            "bio",
            "avatar",
            "time_zone",
            "language",
            "birthday_month",
            "birthday_day",
            "birthday_visible",
            "linkedin",
            "x_handle",
            "mastodon",
            "bluesky",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, normalize in SOCIAL_NORMALIZERS.items():
            if name in data:
                try:
                    data[name] = normalize(data[name] or "")
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    def clean_is_active(self) -> bool:
        is_active = bool(self.cleaned_data.get("is_active"))
        user = self.instance
        if (
            not is_active
            and user.pk is not None
            and user.is_administrator
            and not active_administrators().exclude(pk=user.pk).exists()
        ):
            raise forms.ValidationError(
                _("This is the last active administrator; make someone else one first.")
            )
        return is_active


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    form = UserAdminForm
    list_display = (
        "display_name",
        "email",
        "job_title",
        "department",
        "location",
        "role",
        "is_active",
    )
    list_select_related = ("department", "location")
    list_filter = ("is_active", "role", "department", "location")
    search_fields = ("display_name", "email", "job_title")
    readonly_fields = ("role", "last_login", "date_joined")
    autocomplete_fields = ("manager",)
    fieldsets = (
        (None, {"fields": ("email", "display_name", "is_active", "role")}),
        (
            _("Place in the company"),
            {"fields": ("job_title", "department", "team", "location", "manager", "hire_date")},
        ),
        (
            _("Profile"),
            {
                "fields": (
                    "pronouns",
                    "bio",
                    "avatar",
                    "time_zone",
                    "language",
                    ("birthday_month", "birthday_day", "birthday_visible"),
                    "linkedin",
                    "x_handle",
                    "mastodon",
                    "bluesky",
                )
            },
        ),
        (_("Activity"), {"fields": ("last_login", "date_joined")}),
    )

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save, audit, and tell the apps that follow the directory (spaces) what moved."""
        super().save_model(request, obj, form, change)
        changed = set(form.changed_data)
        if changed:
            audit_record(
                action="people.profile_updated",
                actor=request.user,
                target=obj,
                request=request,
                details={"fields": sorted(changed), "via": "django-admin"},
            )
        if DIRECTORY_FIELDS.intersection(changed):
            people_changed_send(user_ids=[obj.pk])

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People join through an invitation or an import, which set up their sign-in.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deactivate instead: deleting a person would erase their authorship everywhere.
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "email",
        "user",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_select_related = ("user", "invited_by")
    search_fields = ("email",)
    list_filter = ("accepted_at", "revoked_at")
    exclude = ("token_hash",)
