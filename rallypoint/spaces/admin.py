"""The Django admin shows spaces for support; changes go through the spaces pages."""

from django.contrib import admin

from rallypoint.spaces.models import Space


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "slug", "archived_at", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    readonly_fields = ("kind", "slug", "department", "location", "team", "created_by")
    fields = ("name", "description", *readonly_fields, "archived_at")
