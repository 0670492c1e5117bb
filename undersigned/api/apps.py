from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "undersigned.api"
    label = "public_api"
    verbose_name = "Public API"
