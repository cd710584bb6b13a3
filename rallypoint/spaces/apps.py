from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "rallypoint.spaces"
    label = "spaces"
    verbose_name = "Spaces"

    def ready(self) -> None:
        from rallypoint.core.realtime import register_channel_provider
        from rallypoint.spaces import receivers

        register_channel_provider(receivers.space_channels)
