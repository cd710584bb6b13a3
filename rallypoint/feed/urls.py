from django.urls import path

from rallypoint.feed import views

urlpatterns = [
    path("feed/", views.feed, name="feed"),
    path("feed/read/", views.posts_read, name="feed_read"),
    path("spaces/<slug:slug>/posts/", views.space_posts, name="feed_space_posts"),
    path("posts/new/", views.post_create, name="feed_post_create"),
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
]
