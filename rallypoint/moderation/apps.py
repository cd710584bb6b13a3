from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "rallypoint.moderation"
    label = "moderation"
    verbose_name = "Moderation"
