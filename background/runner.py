"""Background jobs split into chunks that any number of workers share, and that finish even when a worker dies.

Bulk exports use it; subject-access bundles and housekeeping jobs are meant to. The workers are ordinary
django-tasks database workers (`manage.py db_worker`), as many as you like, on any machine that reaches the
database and the file storage. Each chunk is its own task, so the workers take chunks side by side.

How it holds together
---------------------
- A job is a `Job` row and one `Chunk` row per piece of work, written in one transaction with one task per
  chunk. The chunk's payload (for example the ids it covers) is fixed when the job is planned.
- A worker takes a chunk by a compare-and-set UPDATE that gives it a fresh token and a lease (a time the
  database's clock must not pass without news from it). While it works it renews the lease and records
  progress (at most about once a second). Whatever it writes carries its token, and its result counts only if
  its token is still the chunk's when it finishes: a worker that lost its chunk throws its work away.
- A worker killed mid-chunk (SIGKILL, out of memory, machine gone) simply stops renewing. A watcher task,
  deferred and re-enqueued every half lease while the job runs, finds the chunk's lease run out, puts the
  chunk back to waiting and enqueues it again; the next worker to take it starts it afresh, under a new
  token. The dead worker's django-tasks result, stuck as RUNNING, is marked FAILED. Each chunk's output is
  kept once, under the token of the claim that completed it, so a retried chunk never appears twice.
- When the last chunk is done, the worker that finished it claims the finishing step the same way (token
  and lease) and calls the kind's `finish`, which puts the pieces together and, in one transaction, calls
  `Finishing.complete()` and publishes the result. A finisher killed half way is replaced the same way.
- An exception in a chunk or in finishing fails the whole job with a plain message (`JobKind.message_for`);
  the chunks still running notice at their next renewal and stop. A chunk whose workers keep dying (taken
  more than JOBS_MAX_CLAIMS times) fails the job rather than take down worker after worker.
- The database's clock is used for every lease, so workers on machines whose clocks differ agree.

Reusing it for a new kind of job
--------------------------------
1. Subclass `JobKind` in your app (say `myapp/jobs.py`) and make one instance at module level::

       class SubjectAccessBundle(JobKind):
           def run_chunk(self, job, chunk, progress):
               for n, record_id in enumerate(chunk.payload["ids"], start=1):
                   ...                                   # write output under a name with chunk.token in it
                   progress(n)                           # renews the lease; raises Superseded if taken over
               return {"part": name}                     # small, JSON: stored on the chunk

           def finish(self, job, chunks, finishing):
               ...                                       # combine the chunks' results; finishing.renew() now and then
               with transaction.atomic():
                   finishing.complete()                  # raises Superseded if another finisher took over
                   ...                                   # publish: mark the owner row ready, audit, ...

           def failed(self, job, message):
               ...                                       # mark the owner row failed, delete partial output

           def message_for(self, job, exc):              # optional: plain words for expected failures
               return "The storage is full. Try again later." if isinstance(exc, OSError) else None

       bundle = SubjectAccessBundle()

2. Plan it, inside the transaction that marks the owner row as running::

       runner.start(kind="myapp.jobs.bundle", owner_id=request.pk, attempt=request.attempts,
                    chunks=[({"ids": ids}, len(ids)) for ids in batches])

3. To start again (a Retry button), `runner.cancel(kind=..., owner_id=...)` the old attempt and start a new one
   with the next attempt number; the old attempt's workers stop at their next renewal.

Keep a chunk to seconds or a few minutes of work: that bounds what a dead worker costs, and lets the work
spread over the workers. Output goes through Django's storages (see exports/storage.py), never a worker's own
disk, so any machine can finish what another started.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Chunk, ChunkStatus, Job, JobStatus

logger = logging.getLogger(__name__)

WORKER = f"{socket.gethostname()}:{os.getpid()}"
ACTIVE = (JobStatus.RUNNING, JobStatus.FINISHING)
GENERIC_FAILURE = "The job stopped because of a problem on our side. Try again."
STOPPED_REPEATEDLY = (
    "The job stopped because the background workers kept stopping while working on it. Try again. If it "
    "fails again, contact the service's support team."
)


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "JOBS_LEASE_SECONDS", 120))


def max_claims() -> int:
    return int(getattr(settings, "JOBS_MAX_CLAIMS", 3))


class Superseded(Exception):
    """This worker no longer holds the chunk or the finishing step (or the job stopped): give way."""


class JobStopped(Exception):
    """A kind's expected reason to stop the whole job; its message is what the user is told."""


class JobKind:
    """What one kind of job does. Subclass it, make one instance at module level, and name it by dotted path."""

    def run_chunk(self, job: Job, chunk: Chunk, progress: Progress) -> dict[str, Any]:
        raise NotImplementedError

    def finish(self, job: Job, chunks: list[Chunk], finishing: Finishing) -> None:
        raise NotImplementedError

    def failed(self, job: Job, message: str) -> None:
        """The job failed (or its chunks kept killing workers): tell the owner row, tidy partial output."""

    def discard(self, job: Job, chunk: Chunk, result: dict[str, Any]) -> None:
        """A chunk's output that does not count (its claim was taken over, or the job stopped)."""

    def progressed(self, job: Job, items_done: int) -> None:
        """Items done so far over the whole job; called about once a second while chunks run."""

    def message_for(self, job: Job, exc: BaseException) -> str | None:
        """The plain message for an expected failure, or None for a fault (logged with its traceback)."""
        return str(exc) if isinstance(exc, JobStopped) else None

    def fault_message(self, job: Job) -> str:
        """What the user is told when the job stopped because of a fault."""
        return GENERIC_FAILURE


def kind_of(job: Job) -> JobKind:
    kind = import_string(job.kind)
    if not isinstance(kind, JobKind):
        raise TypeError(f"{job.kind} is not a JobKind")
    return kind


# Starting and stopping ------------------------------------------------------------------------------------


def start(*, kind: str, owner_id: int, attempt: int, chunks: Sequence[tuple[dict[str, Any], int]]) -> Job:
    """Plan a job: one chunk per (payload, number of items), each enqueued as a task, plus the watcher.

    With the database task backend the tasks are rows written in the caller's transaction, so the job and its
    tasks exist together or not at all.
    """
    from . import tasks

    with transaction.atomic():
        job = Job.objects.create(kind=kind, owner_id=owner_id, attempt=attempt, chunks_total=len(chunks))
        rows = Chunk.objects.bulk_create(
            Chunk(job=job, index=index, payload=payload, items_total=items)
            for index, (payload, items) in enumerate(chunks)
        )
        _watch_later(job.pk)
        for chunk in rows:
            _enqueue_chunk(chunk.pk)
        if not rows:
            tasks.finish_job.enqueue(job.pk)
    return job


def cancel(*, kind: str, owner_id: int) -> list[Job]:
    """Stop the owner's running attempts (their workers stop at their next renewal). Returns them."""
    jobs = list(Job.objects.filter(kind=kind, owner_id=owner_id, status__in=ACTIVE))
    Job.objects.filter(pk__in=[j.pk for j in jobs], status__in=ACTIVE).update(
        status=JobStatus.CANCELLED, lease_until=None
    )
    return jobs


def items_done(job_id: int) -> int:
    """Items done over the job's chunks: finished ones and the progress of running ones."""
    total = Chunk.objects.filter(job_id=job_id).aggregate(n=Sum("items_done"))["n"]
    return int(total or 0)


def fail(job: Job, message: str) -> bool:
    """Fail the job with `message` unless it has already ended; tell its kind. True if it was still active."""
    updated = Job.objects.filter(pk=job.pk, status__in=ACTIVE).update(
        status=JobStatus.FAILED, error=message, lease_until=None
    )
    if updated:
        job.status, job.error = JobStatus.FAILED, message
        kind_of(job).failed(job, message)
    return bool(updated)


def _enqueue_chunk(chunk_id: int) -> None:
    from . import tasks

    result = tasks.run_chunk.enqueue(chunk_id)
    Chunk.objects.filter(pk=chunk_id).update(task_id=str(result.id)[:64])


def _watch_later(job_id: int) -> None:
    from . import tasks

    backend = tasks.watch_job.get_backend()
    if not backend.supports_defer:
        return  # the immediate backend (tests) runs every chunk inline: nothing can be left behind
    delay = max(1.0, lease().total_seconds() / 2)
    tasks.watch_job.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(job_id)


# Chunks ---------------------------------------------------------------------------------------------------


class Progress:
    """Passed to `run_chunk`: call it with the number of items done so far in the chunk."""

    def __init__(self, job: Job, chunk: Chunk, token: str, kind: JobKind) -> None:
        self.job, self.chunk, self.token, self.kind = job, chunk, token, kind
        self.every = min(1.0, lease().total_seconds() / 4)
        self.last = 0.0

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        mine = Chunk.objects.filter(pk=self.chunk.pk, token=self.token, status=ChunkStatus.RUNNING).update(
            items_done=min(done, self.chunk.items_total), lease_until=Now() + lease(), updated_at=Now()
        )
        if not mine or not Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING).exists():
            raise Superseded
        self.kind.progressed(self.job, items_done(self.job.pk))


def run_chunk(chunk_id: int) -> str:
    """Take the chunk if it is waiting (or its worker stopped), do it, and finish the job if it was the last."""
    chunk = Chunk.objects.select_related("job").filter(pk=chunk_id).first()
    if chunk is None or chunk.job.status != JobStatus.RUNNING:
        return "not needed"
    token = secrets.token_hex(16)
    # Conditions on the chunk row only, so PostgreSQL re-checks them after waiting for a concurrent claim.
    claimed = (
        Chunk.objects.filter(pk=chunk_id)
        .filter(Q(status=ChunkStatus.PENDING) | Q(status=ChunkStatus.RUNNING, lease_until__lt=Now()))
        .update(
            status=ChunkStatus.RUNNING,
            token=token,
            worker=WORKER,
            claims=F("claims") + 1,
            lease_until=Now() + lease(),
            items_done=0,
            result=None,
            updated_at=Now(),
        )
    )
    if not claimed:
        return "taken"
    chunk.refresh_from_db()
    job, kind = chunk.job, kind_of(chunk.job)
    if chunk.claims > max_claims():
        fail(job, STOPPED_REPEATEDLY)
        return "failed"
    try:
        result = kind.run_chunk(job, chunk, Progress(job, chunk, token, kind))
    except Superseded:
        return "superseded"
    except Exception as exc:
        return _failed(job, kind, exc)
    completed = Chunk.objects.filter(pk=chunk_id, token=token, status=ChunkStatus.RUNNING).update(
        status=ChunkStatus.DONE, result=result, items_done=chunk.items_total, lease_until=None, updated_at=Now()
    )
    if not completed or not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exists():
        kind.discard(job, chunk, result)
        return "superseded"
    kind.progressed(job, items_done(job.pk))
    if not Chunk.objects.filter(job_id=job.pk).exclude(status=ChunkStatus.DONE).exists():
        finish(job.pk)
    return "done"


def _failed(job: Job, kind: JobKind, exc: Exception) -> str:
    message = kind.message_for(job, exc)
    if message is None:
        logger.exception("%s failed", job)
        fail(job, kind.fault_message(job))
        raise exc
    logger.warning("%s stopped: %s", job, exc)
    fail(job, message)
    return "failed"


# Finishing ------------------------------------------------------------------------------------------------


class Finishing:
    """Passed to `finish`: renew the lease during long work; complete() inside the publishing transaction."""

    def __init__(self, job: Job, token: str) -> None:
        self.job, self.token = job, token
        self.last = time.monotonic()

    def renew(self) -> None:
        now = time.monotonic()
        if now - self.last < min(1.0, lease().total_seconds() / 4):
            return
        self.last = now
        mine = Job.objects.filter(pk=self.job.pk, token=self.token, status=JobStatus.FINISHING).update(
            lease_until=Now() + lease()
        )
        if not mine:
            raise Superseded

    def complete(self) -> None:
        """Mark the job done. Call inside the transaction that publishes its result: if another finisher has taken
        over (or the job was cancelled), raises Superseded and the transaction publishes nothing."""
        job = Job.objects.select_for_update().get(pk=self.job.pk)
        if job.status != JobStatus.FINISHING or job.token != self.token:
            raise Superseded
        job.status, job.lease_until = JobStatus.DONE, None
        job.save(update_fields=["status", "lease_until", "updated_at"])


def finish(job_id: int) -> str:
    """Claim the finishing step once every chunk is done (or take it over from a finisher that stopped)."""
    if Chunk.objects.filter(job_id=job_id).exclude(status=ChunkStatus.DONE).exists():
        return "not ready"  # chunks never leave DONE, so a stale read can only wait, never finish early
    token = secrets.token_hex(16)
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(status=JobStatus.RUNNING) | Q(status=JobStatus.FINISHING, lease_until__lt=Now()))
        .update(
            status=JobStatus.FINISHING,
            token=token,
            worker=WORKER,
            claims=F("claims") + 1,
            lease_until=Now() + lease(),
            updated_at=Now(),
        )
    )
    if not claimed:
        return "taken"
    job = Job.objects.get(pk=job_id)
    kind = kind_of(job)
    if job.claims > max_claims():
        fail(job, STOPPED_REPEATEDLY)
        return "failed"
    try:
        kind.finish(job, list(job.chunks.order_by("index")), Finishing(job, token))
    except Superseded:
        return "superseded"
    except Exception as exc:
        return _failed(job, kind, exc)
    return "done"


# The watcher ----------------------------------------------------------------------------------------------


def watch(job_id: int) -> str:
    """Hand out again what stopped workers left: chunks and a finishing step whose lease ran out, and chunks whose
    task was lost. Runs every half lease until the job ends (the next run is enqueued first, so a watcher killed
    half way still has a successor)."""
    from . import tasks

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status not in ACTIVE:
        return "ended"
    _watch_later(job_id)
    now = Job.objects.annotate(now=Now()).values_list("now", flat=True).get(pk=job_id)
    backend = tasks.run_chunk.get_backend()
    for chunk in job.chunks.exclude(status=ChunkStatus.DONE):
        if chunk.status == ChunkStatus.RUNNING and chunk.lease_until and chunk.lease_until < now:
            # Back to waiting, under no token: the stopped worker's result could no longer count, and the next
            # watcher sees the new task waiting rather than enqueue another.
            released = Chunk.objects.filter(
                pk=chunk.pk, token=chunk.token, status=ChunkStatus.RUNNING, lease_until__lt=Now()
            ).update(status=ChunkStatus.PENDING, token="", lease_until=None, items_done=0, updated_at=Now())
            if released:
                logger.warning("%s: the worker %s stopped; handing the chunk to another", chunk, chunk.worker)
                _abandon_task(chunk.task_id)
                _enqueue_chunk(chunk.pk)
        elif chunk.status == ChunkStatus.PENDING and not _task_waiting(backend, chunk.task_id):
            _enqueue_chunk(chunk.pk)
    if job.status == JobStatus.FINISHING and job.lease_until and job.lease_until < now:
        logger.warning("%s: the finishing worker %s stopped; handing it to another", job, job.worker)
        tasks.finish_job.enqueue(job_id)
    elif job.status == JobStatus.RUNNING and not job.chunks.exclude(status=ChunkStatus.DONE).exists():
        tasks.finish_job.enqueue(job_id)
    return "watching"


def _task_waiting(backend: Any, task_id: str) -> bool:
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not task_id or not backend.supports_get_result:
        return False
    try:
        return backend.get_result(task_id).status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)
    except TaskResultDoesNotExist:
        return False


def _abandon_task(task_id: str) -> None:
    """Mark a dead worker's task result failed, so the task list does not show it running for ever."""
    from django.apps import apps

    from . import tasks

    if not task_id or not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(tasks.run_chunk.get_backend(), DatabaseBackend):
        return

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="background.runner.WorkerStopped",
        traceback="The worker stopped while running this task (its lease ran out); the chunk was run again.",
    )
