from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from housekeeping.jobs import housekeeping_start
from housekeeping.tasks import schedule_daily_housekeeping


class Command(BaseCommand):
    help = (
        "Start housekeeping now for the background workers (expired sessions, expired export files, old addresses "
        "and browsers in the audit trail); --schedule queues the daily run instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily housekeeping job, its first run in a minute (does nothing if already queued)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            queued = schedule_daily_housekeeping(first_in=dt.timedelta(minutes=1))
            self.stdout.write("Daily housekeeping queued" if queued else "Daily housekeeping already queued")
            return
        run = housekeeping_start()
        if run is None:
            self.stdout.write("Housekeeping is already running")
        else:
            self.stdout.write(f"Housekeeping run {run.pk} started")
