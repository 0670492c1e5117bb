from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "undersigned.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from undersigned.accounts import jobs  # noqa: F401  (registers the job handlers)
