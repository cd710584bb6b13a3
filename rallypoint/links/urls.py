from django.urls import re_path

from rallypoint.links import views
from rallypoint.links.capture import CODE_PATTERN

urlpatterns = [
    re_path(rf"^r/(?P<code>{CODE_PATTERN})$", views.links_redirect, name="links_redirect"),
]
