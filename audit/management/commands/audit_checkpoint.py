from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import keys
from audit.checkpoints import write_checkpoints
from audit.models import CheckpointReason
from audit.tasks import schedule_hourly_checkpoint


class Command(BaseCommand):
    help = "Sign a checkpoint of every audit chain that moved since its last one; --schedule queues the hourly job."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the hourly checkpoint job for the worker (does nothing if it is already queued)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not keys.has_signing_key():
            raise CommandError("No audit checkpoint signing key: set AUDIT_SIGNING_KEY_FILE or AUDIT_SIGNING_KEY")
        if options["schedule"]:
            queued = schedule_hourly_checkpoint()
            self.stdout.write("Hourly checkpoint queued" if queued else "Hourly checkpoint already queued")
            return
        written = write_checkpoints(CheckpointReason.HOURLY)
        self.stdout.write(f"{len(written)} checkpoint{'' if len(written) == 1 else 's'} written")
