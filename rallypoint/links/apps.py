from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "rallypoint.links"
    label = "links"
    verbose_name = "Links"
