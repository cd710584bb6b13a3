"""The audit log in the Django admin: read-only, for administrators."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rallypoint.core.models import AuditEntry


class ReadOnlyAdminMixin:
    """For records that only the app writes: the admin may list and show them, never edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "actor_label", "target_label", "ip_address")
    list_filter = ("action",)
    search_fields = ("action", "actor_label", "target_label", "target_id")
    date_hierarchy = "at"
    readonly_fields = (
        "at",
        "actor",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "ip_address",
        "details",
    )
