from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (registers deploy checks; connects login/logout auditing)
