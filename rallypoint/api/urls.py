from django.urls import path, re_path

from rallypoint.api import views
from rallypoint.api.site import api

urlpatterns = [
    path("api/", api.urls),
    re_path(r"^api/", views.api_not_found),
    path("me/tokens/", views.token_list, name="api_tokens"),
    path("me/tokens/<int:pk>/revoke/", views.token_revoke, name="api_token_revoke"),
]
