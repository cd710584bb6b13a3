from django.contrib import admin

from rallypoint.feed.models import Comment, Post, PostRevision


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
