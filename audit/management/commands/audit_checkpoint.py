from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import keys
from audit.models import CheckpointReason
from audit.tasks import schedule_hourly_checkpoint
from audit.verify import checkpoint_after_check


class Command(BaseCommand):
    help = (
        "Check what every audit chain added since its last checkpoint, then sign a checkpoint of each chain that "
        "moved (nothing is signed if a chain does not check out); --schedule also queues the hourly job."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Also queue the hourly checkpoint job for the worker (does nothing if it is already queued)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not keys.has_signing_key():
            raise CommandError("No audit checkpoint signing key: set AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY")
        # With --schedule too (run when the service starts): a new installation is anchored at once, not an hour
        # after its first events.
        reason = CheckpointReason.SETUP if options["schedule"] else CheckpointReason.HOURLY
        written, failure = checkpoint_after_check(reason)
        if failure is not None:
            raise CommandError(f"No checkpoint signed: {failure.message}")
        self.stdout.write(f"{len(written)} checkpoint{'' if len(written) == 1 else 's'} written")
        if options["schedule"]:
            queued = schedule_hourly_checkpoint()
            self.stdout.write("Hourly checkpoint queued" if queued else "Hourly checkpoint already queued")
