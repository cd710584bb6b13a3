from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "rallypoint.advocacy"
    label = "advocacy"
    verbose_name = "Advocacy"

    def ready(self) -> None:
        from rallypoint.advocacy import receivers  # noqa: F401
