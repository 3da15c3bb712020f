from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Review, audit log and dashboard"

    def ready(self) -> None:
        from . import checks, notifications  # noqa: F401  (deploy check; queues emails when a decision is submitted)
        from .summary import count_after_migrate

        post_migrate.connect(count_after_migrate, sender=self)
