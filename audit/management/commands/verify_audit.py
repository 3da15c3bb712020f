from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import verify_chains


class Command(BaseCommand):
    help = (
        "Walk the audit hash chains, check every signed checkpoint (in the database and in the checkpoint log), "
        "and report OK or the first problem. When all holds, each chain's head is checkpointed again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint-log",
            action="append",
            default=[],
            type=Path,
            help="Another copy of the checkpoint log to check against, e.g. one collected from syslog "
            "(may be given more than once)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["checkpoint_log"]:
            if not path.is_file():
                raise CommandError(f"No checkpoint log at {path}")
        report = verify_chains(extra_logs=options["checkpoint_log"])
        if not report.ok:
            raise CommandError(f"BROKEN: {report.message}")
        self.stdout.write(report.message)
