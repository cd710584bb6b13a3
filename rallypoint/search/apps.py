from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "rallypoint.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from rallypoint.search import receivers  # noqa: F401
