from django.contrib import admin
from django.http import HttpRequest

from rallypoint.feed.models import Attachment, Comment, LinkPreview, Post, PostRevision


class PostRevisionInline(admin.TabularInline):
    model = PostRevision
    extra = 0
    can_delete = False
    readonly_fields = ["body", "edited_by", "edited_at"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["pk", "space", "author", "created_at", "edited_at", "pinned_at", "deleted_at"]
    list_filter = ["space__kind"]
    search_fields = ["body", "author__email", "space__name"]
    raw_id_fields = ["space", "author", "deleted_by"]
    readonly_fields = ["body", "body_html", "created_at", "edited_at", "deleted_at", "deleted_by"]
    inlines = [PostRevisionInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["pk", "post", "parent", "author", "created_at", "deleted_at"]
    search_fields = ["body", "author__email"]
    raw_id_fields = ["post", "parent", "author"]
    readonly_fields = ["body", "body_html", "created_at", "edited_at", "deleted_at"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for support; written only by the services and jobs."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["pk", "name", "content_type", "size", "post", "uploaded_by", "created_at"]
    list_filter = ["is_image"]
    search_fields = ["name", "uploaded_by__email"]
    raw_id_fields = ["post", "uploaded_by"]


@admin.register(LinkPreview)
class LinkPreviewAdmin(ReadOnlyAdmin):
    list_display = ["url", "status", "title", "fetched_at"]
    list_filter = ["status"]
    search_fields = ["url", "title"]
