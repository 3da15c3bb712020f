from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from . import checks, sessions, signals  # noqa: F401  (registers deploy checks; connects sign-in hooks)
