"""Housekeeping, run by the background workers every day: expired sessions removed, expired export files (bulk
exports, subject access bundles) deleted, with any a disposal could not delete and any no row names, the client
data of old audit events cleared, and drafts discarded longer ago than DISCARDED_DRAFT_KEEP_DAYS purged with the
people no record names (retention/drafts.py).

Each of the four is a chunk of one background job (background/runner.py), so a worker killed half way is
replaced and the chunk runs again. Every chunk works in small transactions, each doing a batch and moving the
run's counts together, and starts again from what is left: nothing is done, or counted, twice, and nothing is
left half done. When all four are done, one transaction marks the run done and audits the counts.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit import actions, clearing
from audit import services as audit
from background import runner
from background.models import Chunk, Job
from exports import deletion, expiry
from retention import drafts

from .models import HousekeepingRun, RunStatus

KIND = "housekeeping.jobs.housekeeping"
SESSIONS, EXPORT_FILES, CLIENT_DATA, DRAFTS = "sessions", "export_files", "client_data", "drafts"


def batch_size() -> int:
    return max(1, int(getattr(settings, "HOUSEKEEPING_BATCH", 1000)))


def _pause() -> None:
    pause = float(getattr(settings, "HOUSEKEEPING_PAUSE_SECONDS", 0) or 0)
    if pause > 0:
        time.sleep(pause)


def _count(run_id: int, **increments: int) -> None:
    HousekeepingRun.objects.filter(pk=run_id).update(**{k: F(k) + v for k, v in increments.items() if v})


def purge_sessions(run: HousekeepingRun, progress: runner.Progress) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                Session.objects.filter(expire_date__lt=run.started_at).values_list("pk", flat=True)[: batch_size()]
            )
            if not ids:
                return done
            # Expired still: a session renewed since it was read stays.
            removed, _ = Session.objects.filter(pk__in=ids, expire_date__lt=run.started_at).delete()
            _count(run.pk, sessions_removed=removed)
        done += removed
        progress(done)
        _pause()


def delete_export_files(run: HousekeepingRun, progress: runner.Progress) -> int:
    done = 0
    while True:
        removed = expiry.expire_batch(
            run.started_at, batch_size(), counted=lambda: _count(run.pk, export_files_removed=1)
        )
        if not removed:
            break
        done += removed
        progress(done)
        _pause()
    # Then files of disposed records whose delete failed before, and files no row names (exports/deletion.py).
    retried, _ = deletion.delete_pending()
    swept, _ = deletion.sweep_unnamed_files(run.started_at)
    _count(run.pk, export_files_removed=retried + swept)
    return done + retried + swept


def clear_client_data(run: HousekeepingRun, progress: runner.Progress) -> int:
    done = 0
    while True:
        with transaction.atomic():
            current = HousekeepingRun.objects.select_for_update().get(pk=run.pk)
            cursor = (
                (current.client_cursor_at, current.client_cursor_id)
                if current.client_cursor_at is not None and current.client_cursor_id is not None
                else None
            )
            batch = clearing.clear_batch(
                before=run.client_data_before, after=run.client_data_from, cursor=cursor, limit=batch_size()
            )
            if batch.cursor is None:
                return done
            current.client_cursor_at, current.client_cursor_id = batch.cursor
            current.client_events_cleared += batch.events
            current.format_1_events_cleared += batch.format_1
            current.client_events_left += batch.left
            current.save(
                update_fields=[
                    "client_cursor_at", "client_cursor_id", "client_events_cleared", "format_1_events_cleared",
                    "client_events_left",
                ]
            )  # fmt: skip
        done += batch.seen
        progress(done)
        _pause()


def purge_drafts(run: HousekeepingRun, progress: runner.Progress) -> int:
    """Old discarded drafts first (a never-submitted one lets go of its people), then the people no one names."""
    done = 0
    for purge, field in (
        (drafts.purge_discarded_batch, "drafts_purged"),
        (drafts.purge_unnamed_people_batch, "people_removed"),
    ):
        while True:
            with transaction.atomic():
                removed = purge(run.started_at, batch_size())
                _count(run.pk, **{field: removed})
            if not removed:
                break
            done += removed
            progress(done)
            _pause()
    return done


WORK = {
    SESSIONS: purge_sessions,
    EXPORT_FILES: delete_export_files,
    CLIENT_DATA: clear_client_data,
    DRAFTS: purge_drafts,
}


class HousekeepingJob(runner.JobKind):
    def run_chunk(self, job: Job, chunk: Chunk, progress: runner.Progress) -> dict[str, Any]:
        run = HousekeepingRun.objects.get(pk=job.owner_id)
        done = WORK[chunk.payload["task"]](run, progress)
        return {"done": done}

    def finish(self, job: Job, chunks: list[Chunk], finishing: runner.Finishing) -> None:
        with transaction.atomic():
            finishing.complete()
            run = HousekeepingRun.objects.select_for_update().get(pk=job.owner_id)
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.save(update_fields=["status", "finished_at"])
            # Counts only: what was removed is gone, and was never in the trail.
            audit.record(
                action=actions.HOUSEKEEPING_SESSIONS,
                target=run,
                details={"sessions_removed": run.sessions_removed},
            )
            audit.record(
                action=actions.HOUSEKEEPING_EXPORT_FILES,
                target=run,
                details={"files_removed": run.export_files_removed},
            )
            audit.record(
                action=actions.HOUSEKEEPING_CLIENT_DATA,
                target=run,
                details={
                    "before": run.client_data_before.isoformat(),
                    "events_cleared": run.client_events_cleared,
                    "format_1_events_cleared": run.format_1_events_cleared,
                    "events_left": run.client_events_left,
                },
            )
            audit.record(
                action=actions.HOUSEKEEPING_DRAFTS,
                target=run,
                details={"drafts_purged": run.drafts_purged, "people_removed": run.people_removed},
            )

    def failed(self, job: Job, message: str) -> None:
        HousekeepingRun.objects.filter(pk=job.owner_id, status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=message, finished_at=timezone.now()
        )


housekeeping = HousekeepingJob()


def housekeeping_start(*, now: Any = None) -> HousekeepingRun | None:
    """Plan a run for the workers, unless one is running (its workers, or their replacements, finish it)."""
    now = now or timezone.now()
    with transaction.atomic():
        running = HousekeepingRun.objects.select_for_update().filter(status=RunStatus.RUNNING).first()
        if running is not None:
            if Job.objects.filter(kind=KIND, owner_id=running.pk, status__in=runner.ACTIVE).exists():
                return None
            # Its job ended without saying so (it cannot, but a restored database might): let a new run start.
            running.status, running.error, running.finished_at = RunStatus.FAILED, "The job had ended.", now
            running.save(update_fields=["status", "error", "finished_at"])
        previous = HousekeepingRun.objects.filter(status=RunStatus.DONE).order_by("-started_at", "-pk").first()
        before = clearing.client_data_cutoff(now)
        after = previous.client_data_before if previous is not None else None
        if after is not None and after > before:  # the keeping period was made longer since
            after = None
        run = HousekeepingRun.objects.create(started_at=now, client_data_before=before, client_data_from=after)
        clearing.clearing_open(before=before)
        chunks = [
            ({"task": SESSIONS}, Session.objects.filter(expire_date__lt=now).count()),
            ({"task": EXPORT_FILES}, expiry.expired_count(now)),
            ({"task": CLIENT_DATA}, clearing.events_to_clear(before=before, after=after)),
            ({"task": DRAFTS}, drafts.discarded_due(now).count() + drafts.unnamed_people(now).count()),
        ]
        # In this transaction: the run, its job and the job's tasks exist together or not at all.
        runner.start(kind=KIND, owner_id=run.pk, attempt=1, chunks=chunks)
    return run
