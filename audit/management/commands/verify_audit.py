from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_chains


class Command(BaseCommand):
    help = "Walk the audit hash chains and report OK or the first broken event."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chains()
        if not report.ok:
            raise CommandError(f"BROKEN: {report.message}")
        self.stdout.write(report.message)
