from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "undersigned.statements"
    label = "statements"
    verbose_name = "Statements"

    def ready(self) -> None:
        from undersigned.statements import jobs  # noqa: F401  (registers the job handlers)
