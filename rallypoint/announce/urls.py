from django.urls import path

from rallypoint.announce import views

urlpatterns = [
    path("announcements/", views.announcement_list, name="announce_list"),
    path("announcements/new/", views.announcement_compose, name="announce_compose"),
    path("announcements/opened/", views.announcements_opened, name="announce_opened"),
    path("announcements/<int:pk>/", views.announcement_detail, name="announce_detail"),
    path(
        "announcements/<int:pk>/acknowledge/",
        views.announcement_acknowledge,
        name="announce_acknowledge",
    ),
    path(
        "announcements/<int:pk>/publish/",
        views.announcement_publish_draft,
        name="announce_publish",
    ),
    path("announcements/<int:pk>/stats/", views.announcement_stats, name="announce_stats"),
    path(
        "announcements/<int:pk>/stats/numbers/",
        views.announcement_stats_fragment,
        name="announce_stats_fragment",
    ),
]
