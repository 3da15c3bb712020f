from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (registers deploy checks; connects login/logout auditing)

        post_migrate.connect(_checkpoint_after_migrate, sender=self, dispatch_uid="audit_checkpoint_after_migrate")


def _checkpoint_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Sign the chains once migrate has run (set-up or upgrade), after checking them, so a new or upgraded
    installation is anchored at once rather than at the next hourly checkpoint."""
    import logging

    from django.db import DatabaseError

    from .models import CheckpointReason
    from .verify import checkpoint_after_check

    if using != "default":
        return
    try:
        checkpoint_after_check(CheckpointReason.SETUP)
    except DatabaseError:
        # Migrated back to before the tables it reads: there is nothing to sign yet.
        logging.getLogger(__name__).warning("No audit checkpoint after migrate: the audit tables are not ready")
