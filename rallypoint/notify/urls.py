from django.urls import path

from rallypoint.notify import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications_list"),
    path("notifications/unread/", views.notifications_unread, name="notifications_unread"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notifications_read"),
    path("me/notifications/", views.notification_settings, name="notifications_settings"),
]
