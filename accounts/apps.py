from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from . import audit_changes, checks, sessions, signals  # noqa: F401  (deploy checks; sign-in and change hooks)
