from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "rallypoint.notify"
    label = "notify"
    verbose_name = "Notifications"
