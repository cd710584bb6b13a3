"""Connected accounts and Mastodon applications, for support: never their secrets."""

from django.contrib import admin
from django.http import HttpRequest

from rallypoint.networks.models import ConnectedAccount, MastodonApp


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(admin.ModelAdmin):
    """Read-only; tokens are excluded. Support may delete a connection (the employee then
    connects again)."""

    list_display = ["user", "network", "handle", "instance", "status", "last_used_at"]
    list_filter = ["network", "status"]
    search_fields = ["user__email", "handle", "remote_id", "instance"]
    fields = ACCOUNT_FIELDS = (
        "user",
        "network",
        "instance",
        "remote_id",
        "handle",
        "scopes",
        "token_expires_at",
        "status",
        "status_reason",
        "last_used_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = ACCOUNT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MastodonApp)
class MastodonAppAdmin(admin.ModelAdmin):
    """Registered by Rallypoint on first use of an instance; deleting one makes the next
    connection to that instance register again."""

    list_display = ["instance", "client_id", "redirect_uri", "scopes", "created_at"]
    search_fields = ["instance"]
    fields = APP_FIELDS = (
        "instance",
        "client_id",
        "redirect_uri",
        "scopes",
        "created_at",
        "updated_at",
    )
    readonly_fields = APP_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
