from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "undersigned.operations"
    label = "operations"
    verbose_name = "Operations"
