"""The daily housekeeping task, queued by `manage.py housekeeping --schedule` and queueing its own next run, as
the hourly audit checkpoint does (audit/tasks.py)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from . import jobs

DAILY = dt.timedelta(days=1)


def schedule_daily_housekeeping(*, first_in: dt.timedelta = DAILY) -> bool:
    """Queue the next daily run unless one is already waiting. True if one was queued."""
    path = daily_housekeeping.module_path
    with transaction.atomic():
        waiting = DBTaskResult.objects.select_for_update().filter(task_path=path, status__in=["READY", "RUNNING"])
        if waiting.exists():
            return False
        daily_housekeeping.using(run_after=timezone.now() + first_in).enqueue()
    return True


@task()
def daily_housekeeping() -> str:
    """Start today's run (its chunks go to the workers), then queue tomorrow's."""
    run = jobs.housekeeping_start()
    path = daily_housekeeping.module_path
    # This run is still RUNNING while it queues the next one: only READY ones count as already queued.
    if not DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        daily_housekeeping.using(run_after=timezone.now() + DAILY).enqueue()
    return f"run {run.pk}" if run is not None else "a run is still going"
