from django.apps import AppConfig


class AnnounceConfig(AppConfig):
    name = "rallypoint.announce"
    label = "announce"
    verbose_name = "Announce"
