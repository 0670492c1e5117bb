from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "undersigned.signatures"
    label = "signatures"
    verbose_name = "Signatures"

    def ready(self) -> None:
        from undersigned.signatures import jobs  # noqa: F401  (registers the job handlers)
