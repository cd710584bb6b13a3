from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve as serve_media

from rallypoint.feed.views import home

admin.site.site_header = "Rallypoint administration"
admin.site.site_title = "Rallypoint"

urlpatterns = [
    path("", home, name="home"),
    path("", include("rallypoint.core.urls")),
    path("", include("rallypoint.people.urls")),
    path("", include("rallypoint.spaces.urls")),
    path("", include("rallypoint.feed.urls")),
    path("", include("rallypoint.notify.urls")),
    path("", include("rallypoint.announce.urls")),
    path("", include("rallypoint.moderation.urls")),
    path("", include("rallypoint.search.urls")),
    path("", include("rallypoint.governance.urls")),
    path("", include("rallypoint.networks.urls")),
    path("", include("rallypoint.links.urls")),
    path("", include("rallypoint.advocacy.urls")),
    path("", include("rallypoint.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("django-admin/", admin.site.urls),
    # Uploaded files (avatars) in the embedded mode; at scale a proxy or S3 serves them.
    re_path(r"^media/(?P<path>.*)$", serve_media, {"document_root": settings.MEDIA_ROOT}),
]
