from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from sharing_app import checks as project_checks  # noqa: F401  (the service's files and profile)

        from . import audit_changes, checks, sessions, signals  # noqa: F401  (deploy checks; sign-in and change hooks)
