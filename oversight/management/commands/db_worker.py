"""django-tasks' `db_worker`, which first refuses to start where its emails' links could not be clicked.

Listed before django_tasks_db in INSTALLED_APPS, so `manage.py db_worker` runs this one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from oversight.checks import SITE_URL_HINT, site_url_problem


class Command(DatabaseWorker):
    def handle(self, *args: Any, **options: Any) -> Any:
        problem = site_url_problem()
        if problem:
            raise CommandError(f"{problem} {SITE_URL_HINT}.")
        return super().handle(*args, **options)
