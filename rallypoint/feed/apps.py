from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "rallypoint.feed"
    label = "feed"
    verbose_name = "Feed"

    def ready(self) -> None:
        from rallypoint.core import markdown
        from rallypoint.feed import receivers  # noqa: F401
        from rallypoint.feed.mentions import hashtags_plugin, mentions_plugin

        for plugin in (mentions_plugin, hashtags_plugin):
            if plugin not in markdown.PLUGINS:
                markdown.PLUGINS.append(plugin)
        markdown.parser.cache_clear()
