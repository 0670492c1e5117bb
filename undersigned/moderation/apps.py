from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "undersigned.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from undersigned.moderation import jobs  # noqa: F401  (registers the job handlers)
