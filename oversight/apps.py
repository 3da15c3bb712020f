from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Review, audit log and dashboard"

    def ready(self) -> None:
        from . import notifications  # noqa: F401  (queues emails to supervisors when a decision is submitted)
