from django.urls import path

from rallypoint.moderation import views

urlpatterns = [
    path("moderation/", views.queue, name="moderation_queue"),
    path("moderation/nav/", views.nav_item, name="moderation_nav"),
    path("moderation/report/<str:kind>/<int:pk>/", views.report, name="moderation_report"),
    path("moderation/<str:kind>/<int:pk>/<str:action>/", views.decide, name="moderation_decide"),
]
