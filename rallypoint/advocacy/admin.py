"""The content library in Django's admin, for administrators looking into a problem.

Curators work on the library's own pages (``/library/manage/``), which validate share
texts and notify people; the admin is a read-mostly window on the rows.
"""

from django.contrib import admin

from rallypoint.advocacy.models import ContentItem, ContentRating, Curator, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ["pk", "title", "kind", "status", "featured", "internal_only", "published_at"]
    list_filter = ["status", "kind", "featured", "internal_only"]
    search_fields = ["title", "url", "description"]
    raw_id_fields = ["created_by", "submitted_by", "reviewed_by"]
    filter_horizontal = ["topics", "departments", "locations"]
    readonly_fields = ["created_at", "updated_at", "reviewed_at", "published_at"]


@admin.register(ContentRating)
class ContentRatingAdmin(admin.ModelAdmin):
    list_display = ["item", "user", "verdict", "reason", "at"]
    list_filter = ["verdict"]
    raw_id_fields = ["item", "user"]


@admin.register(Curator)
class CuratorAdmin(admin.ModelAdmin):
    list_display = ["user", "added_by", "added_at"]
    raw_id_fields = ["user", "added_by"]
