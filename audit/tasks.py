"""Background jobs of the audit trail, run by `manage.py db_worker`: the hourly checkpoint, and the chain
check asked for on the admin's page (so a check of millions of events never holds a web request)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from . import actions
from . import services as audit
from .models import ChainCheck, ChainCheckRun, CheckpointReason
from .verify import checkpoint_after_check, events_to_check, verify_chains

logger = logging.getLogger(__name__)
HOURLY = dt.timedelta(hours=1)
# Progress is saved at most this often, so a fast check does not spend its time writing progress.
PROGRESS_EVERY = dt.timedelta(seconds=1)


def schedule_hourly_checkpoint() -> bool:
    """Queue the next hourly checkpoint unless one is already waiting. True if one was queued."""
    path = hourly_checkpoint.module_path
    with transaction.atomic():
        waiting = DBTaskResult.objects.select_for_update().filter(task_path=path, status__in=["READY", "RUNNING"])
        if waiting.exists():
            return False
        hourly_checkpoint.using(run_after=timezone.now() + HOURLY).enqueue()
    return True


@task()
def hourly_checkpoint() -> int:
    """Sign every chain head that moved in the last hour, once what it added checks out (a failure is logged and
    saved as a failed chain check, and nothing is signed), then queue the next run."""
    written = len(checkpoint_after_check(CheckpointReason.HOURLY)[0])
    path = hourly_checkpoint.module_path
    # This run is still RUNNING while it queues the next one: only READY ones count as already queued.
    if not DBTaskResult.objects.filter(task_path=path, status="READY").exists():
        hourly_checkpoint.using(run_after=timezone.now() + HOURLY).enqueue()
    return written


def run_chain_check(run_id: int) -> str:
    with transaction.atomic():
        run = ChainCheckRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != ChainCheckRun.Status.QUEUED:
            return "skipped"
        run.status = ChainCheckRun.Status.RUNNING
        run.events_total = events_to_check()
        run.updated_at = timezone.now()
        run.save(update_fields=["status", "events_total", "updated_at"])
    last_saved = timezone.now()

    def progress(done: int, total: int) -> None:
        nonlocal last_saved
        now = timezone.now()
        if now - last_saved >= PROGRESS_EVERY:
            ChainCheckRun.objects.filter(pk=run_id).update(events_done=done, events_total=total, updated_at=now)
            last_saved = now

    try:
        report = verify_chains(progress=progress)
    except Exception:
        logger.exception("Chain check %s failed", run_id)
        ChainCheckRun.objects.filter(pk=run_id).update(status=ChainCheckRun.Status.FAILED, updated_at=timezone.now())
        raise
    with transaction.atomic():
        run = ChainCheckRun.objects.select_related("requested_by").get(pk=run_id)
        run.status = ChainCheckRun.Status.DONE
        run.events_done = report.events_checked
        run.events_total = max(run.events_total, report.events_checked)
        run.result = ChainCheck.objects.order_by("-pk").first()
        run.updated_at = timezone.now()
        run.save(update_fields=["status", "events_done", "events_total", "result", "updated_at"])
        audit.record(
            action=actions.CHAIN_VERIFY,
            actor=run.requested_by,
            organisation=run.organisation_id,
            details={"ok": report.ok, "events_checked": report.events_checked, "run": run.pk},
        )
    return "ok" if report.ok else "broken"


@task()
def chain_check(run_id: int) -> str:
    return run_chain_check(run_id)
