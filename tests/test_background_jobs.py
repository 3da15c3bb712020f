"""Chunked background jobs (background/runner.py): claims, leases, a stopped worker's chunk run again, one result per
chunk, failures, and the finishing step. Tasks are only recorded here (the dummy backend); the tests play the
workers by calling what the tasks call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tasks import default_task_backend
from django_tasks_db.models import DBTaskResult

from background import runner, tasks
from background.models import Chunk, ChunkStatus, Job, JobStatus

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
KIND = "tests.test_background_jobs.recording"


class Recording(runner.JobKind):
    """Doubles numbers, a chunk at a time; finishing adds them up. Records what it was asked to do."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.finished: list[int] = []
        self.failures: list[str] = []
        self.discarded: list[dict[str, Any]] = []
        self.progress: list[int] = []
        self.during_chunk: Any = None

    def run_chunk(self, job: Job, chunk: Chunk, progress: runner.Progress) -> dict[str, Any]:
        doubled = []
        for n, number in enumerate(chunk.payload["numbers"], start=1):
            if self.during_chunk is not None:
                self.during_chunk(chunk)
            doubled.append(number * 2)
            progress.last = 0.0  # renew at every item here, rather than once a second
            progress(n)
        return {"doubled": doubled, "token": chunk.token}

    def finish(self, job: Job, chunks: list[Chunk], finishing: runner.Finishing) -> None:
        total = sum(sum((c.result or {})["doubled"]) for c in chunks)
        with transaction.atomic():
            finishing.complete()
            self.finished.append(total)

    def failed(self, job: Job, message: str) -> None:
        self.failures.append(message)

    def discard(self, job: Job, chunk: Chunk, result: dict[str, Any]) -> None:
        self.discarded.append(result)

    def progressed(self, job: Job, items_done: int) -> None:
        self.progress.append(items_done)


recording = Recording()


def enqueued(task_name: str) -> list[list[Any]]:
    return [list(r.args) for r in default_task_backend.results if r.task.name == task_name]  # type: ignore[attr-defined]


@override_settings(TASKS=DUMMY, JOBS_LEASE_SECONDS=60, JOBS_MAX_CLAIMS=3)
class RunnerTests(TestCase):
    def setUp(self) -> None:
        recording.reset()
        default_task_backend.clear()  # type: ignore[attr-defined]
        self.job = runner.start(
            kind=KIND, owner_id=7, attempt=1, chunks=[({"numbers": [1, 2]}, 2), ({"numbers": [3]}, 1)]
        )
        self.first, self.second = self.job.chunks.order_by("index")

    def stopped_worker(self, chunk: Chunk, *, lease_left: dt.timedelta = dt.timedelta(seconds=-1)) -> None:
        """What a worker killed mid-chunk leaves behind: the chunk running under its token, no more renewals."""
        Chunk.objects.filter(pk=chunk.pk).update(
            status=ChunkStatus.RUNNING, token="dead" * 8, worker="elsewhere:1", claims=1, items_done=1,
            lease_until=timezone.now() + lease_left,
        )  # fmt: skip

    def test_start_enqueues_one_task_per_chunk_and_the_watcher(self) -> None:
        assert sorted(enqueued("run_chunk")) == [[self.first.pk], [self.second.pk]]
        assert enqueued("watch_job") == [[self.job.pk]]
        assert all(c.task_id for c in self.job.chunks.all())

    def test_chunks_run_once_each_and_the_last_one_finishes_the_job(self) -> None:
        assert runner.run_chunk(self.first.pk) == "done"
        assert runner.run_chunk(self.first.pk) == "taken"  # a second delivery of the same task does nothing
        assert recording.finished == []
        assert runner.run_chunk(self.second.pk) == "done"
        assert recording.finished == [12]
        self.job.refresh_from_db()
        assert self.job.status == JobStatus.DONE and runner.items_done(self.job.pk) == 3
        assert recording.progress[-1] == 3
        assert runner.run_chunk(self.second.pk) == "not needed"
        assert runner.finish(self.job.pk) == "taken"

    def test_a_chunk_whose_worker_stopped_is_run_again_and_counted_once(self) -> None:
        self.stopped_worker(self.first)
        default_task_backend.clear()  # type: ignore[attr-defined]
        assert runner.watch(self.job.pk) == "watching"
        # (The dummy backend cannot say whether the second chunk's task still waits, so that goes again too.)
        assert [self.first.pk] in enqueued("run_chunk")
        assert enqueued("watch_job") == [[self.job.pk]]  # and the watcher comes back
        assert runner.run_chunk(self.first.pk) == "done"
        chunk = Chunk.objects.get(pk=self.first.pk)
        assert (
            chunk.claims == 2
            and chunk.token != "dead" * 8
            and chunk.result == {"doubled": [2, 4], "token": chunk.token}
        )
        runner.run_chunk(self.second.pk)
        assert recording.finished == [12]

    def test_a_chunk_whose_worker_is_alive_is_left_alone(self) -> None:
        self.stopped_worker(self.first, lease_left=dt.timedelta(seconds=30))
        default_task_backend.clear()  # type: ignore[attr-defined]
        runner.watch(self.job.pk)
        assert [self.first.pk] not in enqueued("run_chunk")
        assert runner.run_chunk(self.first.pk) == "taken"

    def test_a_worker_that_was_replaced_throws_its_work_away(self) -> None:
        def taken_over(chunk: Chunk) -> None:
            # Its lease ran out (a long pause) and another worker took the chunk meanwhile.
            Chunk.objects.filter(pk=chunk.pk).update(token="other" * 6)

        recording.during_chunk = taken_over
        assert runner.run_chunk(self.first.pk) == "superseded"
        chunk = Chunk.objects.get(pk=self.first.pk)
        assert chunk.status == ChunkStatus.RUNNING and chunk.result is None and chunk.token == "other" * 6

    def test_a_result_that_arrives_after_a_takeover_is_discarded(self) -> None:
        real = recording.run_chunk

        def late(job: Job, chunk: Chunk, progress: runner.Progress) -> dict[str, Any]:
            result = real(job, chunk, progress)
            Chunk.objects.filter(pk=chunk.pk).update(token="other" * 6)
            return result

        recording.run_chunk = late  # type: ignore[method-assign]
        try:
            assert runner.run_chunk(self.first.pk) == "superseded"
        finally:
            del recording.run_chunk
        assert [r["doubled"] for r in recording.discarded] == [[2, 4]]
        assert Chunk.objects.get(pk=self.first.pk).result is None

    def test_an_expected_failure_fails_the_job_with_its_message_and_stops_the_others(self) -> None:
        def stop(chunk: Chunk) -> None:
            raise runner.JobStopped("The person who asked is no longer allowed to")

        recording.during_chunk = stop
        assert runner.run_chunk(self.first.pk) == "failed"
        self.job.refresh_from_db()
        assert self.job.status == JobStatus.FAILED and recording.failures == [self.job.error]
        assert self.job.error == "The person who asked is no longer allowed to"
        recording.during_chunk = None
        assert runner.run_chunk(self.second.pk) == "not needed"
        assert recording.finished == []

    def test_a_running_chunk_stops_when_the_job_fails_elsewhere(self) -> None:
        def failed_elsewhere(chunk: Chunk) -> None:
            Job.objects.filter(pk=chunk.job_id).update(status=JobStatus.FAILED)

        recording.during_chunk = failed_elsewhere
        assert runner.run_chunk(self.first.pk) == "superseded"

    def test_a_fault_fails_the_job_with_the_generic_message_and_is_raised_for_the_log(self) -> None:
        def fault(chunk: Chunk) -> None:
            raise ZeroDivisionError("bug")

        recording.during_chunk = fault
        with self.assertLogs("background.runner", "ERROR"), pytest.raises(ZeroDivisionError):
            runner.run_chunk(self.first.pk)
        self.job.refresh_from_db()
        assert (self.job.status, self.job.error) == (JobStatus.FAILED, runner.GENERIC_FAILURE)
        assert recording.failures == [runner.GENERIC_FAILURE]

    def test_a_chunk_that_keeps_stopping_workers_fails_the_job(self) -> None:
        Chunk.objects.filter(pk=self.first.pk).update(claims=3)
        assert runner.run_chunk(self.first.pk) == "failed"
        self.job.refresh_from_db()
        assert self.job.status == JobStatus.FAILED and self.job.error == runner.STOPPED_REPEATEDLY

    def test_a_finisher_that_stopped_is_replaced_and_cannot_complete_later(self) -> None:
        runner.run_chunk(self.first.pk)
        Chunk.objects.filter(pk=self.second.pk).update(status=ChunkStatus.DONE, result={"doubled": [6]})
        Job.objects.filter(pk=self.job.pk).update(
            status=JobStatus.FINISHING, token="dead" * 8, claims=1, lease_until=timezone.now() - dt.timedelta(seconds=1)
        )
        default_task_backend.clear()  # type: ignore[attr-defined]
        runner.watch(self.job.pk)
        assert enqueued("finish_job") == [[self.job.pk]]
        assert runner.finish(self.job.pk) == "done"
        assert recording.finished == [12]
        with pytest.raises(runner.Superseded):
            runner.Finishing(self.job, "dead" * 8).complete()

    def test_a_lost_finishing_task_is_enqueued_again(self) -> None:
        Chunk.objects.filter(job=self.job).update(status=ChunkStatus.DONE, result={"doubled": [1]})
        default_task_backend.clear()  # type: ignore[attr-defined]
        runner.watch(self.job.pk)
        assert enqueued("finish_job") == [[self.job.pk]]

    def test_cancel_stops_the_attempt_and_the_watcher_ends(self) -> None:
        assert [j.pk for j in runner.cancel(kind=KIND, owner_id=7)] == [self.job.pk]
        assert runner.run_chunk(self.first.pk) == "not needed"
        assert runner.watch(self.job.pk) == "ended"
        assert runner.cancel(kind=KIND, owner_id=7) == []


@override_settings(TASKS=DATABASE, JOBS_LEASE_SECONDS=60)
class DatabaseBackendTests(TestCase):
    def test_the_stopped_workers_task_is_marked_failed_and_the_chunk_enqueued_again(self) -> None:
        job = runner.start(kind=KIND, owner_id=8, attempt=1, chunks=[({"numbers": [5]}, 1)])
        chunk = job.chunks.get()
        stuck = DBTaskResult.objects.get(id=chunk.task_id)
        assert stuck.task_path == "background.tasks.run_chunk" and stuck.status == "READY"
        # A worker claimed the task and the chunk, then was killed.
        DBTaskResult.objects.filter(id=stuck.id).update(status="RUNNING", worker_ids=["killed"])
        Chunk.objects.filter(pk=chunk.pk).update(
            status=ChunkStatus.RUNNING, token="dead" * 8, claims=1, lease_until=timezone.now() - dt.timedelta(seconds=5)
        )
        assert tasks.watch_job.call(job.pk) == "watching"
        stuck.refresh_from_db()
        assert stuck.status == "FAILED" and "worker stopped" in stuck.traceback
        chunk.refresh_from_db()
        again = DBTaskResult.objects.get(id=chunk.task_id)
        assert again.pk != stuck.pk and again.status == "READY" and again.args_kwargs["args"] == [chunk.pk]
        # A pending chunk whose task is waiting is not enqueued twice.
        Chunk.objects.filter(pk=chunk.pk).update(status=ChunkStatus.PENDING, lease_until=None)
        before = DBTaskResult.objects.filter(task_path="background.tasks.run_chunk").count()
        tasks.watch_job.call(job.pk)
        assert DBTaskResult.objects.filter(task_path="background.tasks.run_chunk").count() == before
