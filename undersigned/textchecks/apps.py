from django.apps import AppConfig


class TextchecksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "undersigned.textchecks"
    verbose_name = "Text check"

    def ready(self) -> None:
        from undersigned.statements.signals import text_saved
        from undersigned.textchecks import jobs, services

        text_saved.connect(services.on_text_saved, dispatch_uid="textchecks.links")
        del jobs  # registers the link check job
