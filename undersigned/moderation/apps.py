from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "undersigned.moderation"
    label = "moderation"
    verbose_name = "Moderation"
