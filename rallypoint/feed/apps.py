from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "rallypoint.feed"
    label = "feed"
    verbose_name = "Feed"

    def ready(self) -> None:
        from rallypoint.feed import receivers  # noqa: F401
