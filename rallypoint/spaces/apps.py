from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "rallypoint.spaces"
    label = "spaces"
    verbose_name = "Spaces"

    def ready(self) -> None:
        from rallypoint.spaces import receivers  # noqa: F401  (connects the receivers)
