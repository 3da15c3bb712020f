"""`manage.py rebuild_dashboard`: recompute the dashboard's counts from the records themselves."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from oversight import summary


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's counts from every submitted decision and review. Safe while the service runs: "
        "submits and reviews wait for it (seconds per hundred thousand decisions), then count on top."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--organisation", help="Only this organisation (its slug)")

    def handle(self, *args: Any, organisation: str | None = None, **options: Any) -> None:
        organisation_id = None
        if organisation:
            found = Organisation.objects.filter(slug=organisation).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No organisation with the slug {organisation!r}")
            organisation_id = found
        started = time.monotonic()
        rows = summary.rebuild(organisation_id)
        self.stdout.write(f"Dashboard counts rebuilt: {rows} rows in {time.monotonic() - started:.1f} s")
