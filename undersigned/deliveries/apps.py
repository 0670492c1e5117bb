from django.apps import AppConfig


class DeliveriesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "undersigned.deliveries"
    verbose_name = "Exports and delivery"

    def ready(self) -> None:
        from undersigned.deliveries import jobs

        del jobs  # registers the export job
