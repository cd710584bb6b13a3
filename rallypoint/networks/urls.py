from django.urls import path

from rallypoint.networks import views

urlpatterns = [
    path("connections/", views.networks_accounts, name="networks_accounts"),
    path("connections/<str:network>/connect/", views.networks_connect, name="networks_connect"),
    path("connections/<str:network>/callback/", views.networks_callback, name="networks_callback"),
    path(
        "connections/<str:network>/disconnect/",
        views.networks_disconnect,
        name="networks_disconnect",
    ),
]
