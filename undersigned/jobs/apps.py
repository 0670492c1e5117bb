from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "undersigned.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        from undersigned.jobs import upkeep  # noqa: F401  (registers the queue's upkeep job)
