"""The django-tasks tasks behind background/runner.py: run by `manage.py db_worker`, on any machine."""

from __future__ import annotations

from django_tasks import task

from . import runner


@task()
def run_chunk(chunk_id: int) -> str:
    return runner.run_chunk(chunk_id)


@task()
def finish_job(job_id: int) -> str:
    return runner.finish(job_id)


@task()
def watch_job(job_id: int) -> str:
    return runner.watch(job_id)
