"""The admin shows the policy and the rules read-only where the pages are the way to
change them: publishing and acknowledging go through the services (numbers, audit,
notifications), never through a bare save."""

from django.contrib import admin
from django.http import HttpRequest

from rallypoint.governance.models import (
    ComplianceRule,
    ComplianceSettings,
    PolicyAcknowledgement,
    PolicyVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PolicyVersion)
class PolicyVersionAdmin(ReadOnlyAdmin):
    list_display = ["pk", "number", "title", "author", "published_at", "updated_at"]
    search_fields = ["title", "body"]


@admin.register(PolicyAcknowledgement)
class PolicyAcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["version", "user", "acknowledged_at"]
    list_filter = ["version"]
    search_fields = ["user__email", "user__display_name"]


@admin.register(ComplianceSettings)
class ComplianceSettingsAdmin(ReadOnlyAdmin):
    list_display = ["disclosure_text", "disclosure_action", "disclosure_overflow", "updated_at"]


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(ReadOnlyAdmin):
    list_display = ["kind", "value", "action", "enabled", "updated_at"]
    list_filter = ["kind", "action", "enabled"]
