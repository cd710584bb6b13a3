from django.urls import path

from rallypoint.feed import views

urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("feed/read/", views.posts_read, name="feed_read"),
    path("feed/live/posts/", views.live_posts, name="feed_live_posts"),
    path("feed/live/comments/<int:pk>/", views.live_comment, name="feed_live_comment"),
    path("feed/mentions/", views.mention_suggestions, name="feed_mention_suggestions"),
    path("spaces/<slug:slug>/posts/", views.space_posts, name="feed_space_posts"),
    path("posts/new/", views.post_create, name="feed_post_create"),
    path("posts/drafts/", views.drafts, name="feed_drafts"),
    path("posts/drafts/<int:pk>/", views.draft_edit, name="feed_draft_edit"),
    path("posts/drafts/<int:pk>/action/", views.draft_action, name="feed_draft_action"),
    path("posts/recurring/<int:pk>/", views.schedule_edit, name="feed_schedule_edit"),
    path("posts/recurring/<int:pk>/action/", views.schedule_action, name="feed_schedule_action"),
    path("posts/<int:pk>/", views.post_detail, name="feed_post"),
    path("posts/<int:pk>/edit/", views.post_edit, name="feed_post_edit"),
    path("posts/<int:pk>/history/", views.post_history, name="feed_post_history"),
    path("posts/<int:pk>/delete/", views.post_delete, name="feed_post_delete"),
    path("posts/<int:pk>/pin/", views.post_pin, name="feed_post_pin"),
    path("posts/<int:pk>/react/", views.post_react, name="feed_post_react"),
    path("posts/<int:pk>/comments/", views.comment_create, name="feed_comment_create"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="feed_comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="feed_comment_delete"),
    path("comments/<int:pk>/react/", views.comment_react, name="feed_comment_react"),
    path("attachments/<int:pk>/<str:name>", views.attachment_download, name="feed_attachment"),
]
