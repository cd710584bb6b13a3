"""The Django admin shows notifications for support; they are written by services only."""

from django.contrib import admin

from rallypoint.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "summary", "count", "updated_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("recipient__email", "summary")
    list_select_related = ("recipient",)
    raw_id_fields = ("recipient", "actor", "space")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
