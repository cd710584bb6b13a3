from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "rallypoint.networks"
    label = "networks"
    verbose_name = "Networks"
