from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "rallypoint.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from rallypoint.people import signals  # noqa: F401  (connects the receivers)
