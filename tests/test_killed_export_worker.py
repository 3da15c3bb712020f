"""A background worker killed mid-chunk: two real `db_worker`s share a bulk export, one is killed with SIGKILL while
it renders, and the export still finishes complete, with every decision once.

The workers need a database another process can open, so this runs on a throw-away one (a SQLite file, or a
PostgreSQL database beside the test database when the suite runs on PostgreSQL), like the browser journeys.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from decisions import pdf

ROOT = Path(__file__).resolve().parent.parent
DECISIONS = 8
CHUNK_SIZE = 2
LEASE_SECONDS = 2


def _run(env: dict[str, str], *args: str) -> str:
    out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return out.stdout


def kill_one_of_two_workers(
    env: dict[str, str],
    query: Callable[[str], list[tuple[Any, ...]]],
    *,
    mid_chunk: str,
    finished: Callable[[], bool],
    poll: float = 0.05,
) -> int:
    """Two real `db_worker`s share the queued job; the first seen `mid_chunk` (a condition on background_chunk)
    is killed with SIGKILL, and the other is left to finish the job. The killed worker's pid."""
    worker = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1"]
    workers = {
        p.pid: p
        for p in (
            subprocess.Popen(worker, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(2)
        )
    }
    killed: int | None = None
    try:
        deadline = time.monotonic() + 120
        while killed is None and time.monotonic() < deadline:
            for (worker_name,) in query(
                f"SELECT worker FROM background_chunk WHERE status = 'running' AND {mid_chunk}"
            ):  # noqa: S608
                pid = int(worker_name.rsplit(":", 1)[1])
                if pid in workers:
                    os.kill(pid, signal.SIGKILL)
                    workers.pop(pid).wait()
                    killed = pid
                    break
            time.sleep(poll)
        assert killed is not None, "no worker was seen part way through a chunk"
        while time.monotonic() < deadline and not finished():
            time.sleep(0.2)
    finally:
        for process in workers.values():
            process.terminate()
            process.wait(timeout=30)
    return killed


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[dict[str, str], Callable[[str], list[tuple[Any, ...]]]]]:
    """The environment for the worker processes, and a way to read their database while they run."""
    env = {
        **os.environ,
        "SECRET_KEY": "killed-worker-test-secret-key-0123456789-abcdefghijklmnop",
        "DEBUG": "false",
        "EXPORTS_STORAGE": "local",
        "EXPORTS_DIR": str(tmp_path / "exports"),
        "EXPORT_CHUNK_SIZE": str(CHUNK_SIZE),
        "JOBS_LEASE_SECONDS": str(LEASE_SECONDS),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "PYTHONPATH": str(ROOT),
    }
    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        name = f"{settings['NAME']}_workers"
        user, host, port = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        base = f"postgres://{user}@{host}:{port}"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"

        def query(sql: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
                return list(conn.execute(sql).fetchall())

        try:
            yield env, query
        finally:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        database = tmp_path / "workers.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{database}"

        def query(sql: str) -> list[tuple[Any, ...]]:
            with sqlite3.connect(database, timeout=20) as conn:
                return list(conn.execute(sql).fetchall())

        yield env, query


def test_a_worker_killed_mid_chunk_leaves_a_complete_export_with_no_duplicates(
    world: tuple[dict[str, str], Callable[[str], list[tuple[Any, ...]]]],
) -> None:
    env, query = world
    _run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    export_id = json.loads(_run(env, "-m", "tests.worker_world", "setup", str(DECISIONS)).splitlines()[-1])["export"]

    def finished() -> bool:
        (status,) = query(f"SELECT status FROM exports_bulkexport WHERE id = {int(export_id)}")[0]  # noqa: S608
        return status in ("ready", "failed")

    # Whichever worker first shows progress inside a chunk is rendering that chunk's next PDF.
    killed = kill_one_of_two_workers(
        env, query, mid_chunk="items_done >= 1 AND items_done < items_total", finished=finished
    )

    report = json.loads(_run(env, "-m", "tests.worker_world", "report", str(export_id)).splitlines()[-1])
    assert report["status"] == "ready", report
    assert (report["done"], report["total"], report["attempts"]) == (DECISIONS, DECISIONS, 1)
    # The killed worker's chunk was taken twice (the second time by the other worker); the rest once.
    claims = [c["claims"] for c in report["chunks"]]
    assert sorted(claims) == [1] * (len(claims) - 1) + [2], report["chunks"]
    retried = next(c for c in report["chunks"] if c["claims"] == 2)
    assert not retried["worker"].endswith(f":{killed}")
    # Its task, left RUNNING by the dead worker, is marked failed; every other chunk task succeeded.
    assert sorted(status for status, _ in report["task_results"]) == ["FAILED"] + ["SUCCESSFUL"] * len(claims)
    assert ["FAILED", "background.runner.WorkerStopped"] in report["task_results"]

    # The zip: every decision's PDF once, the index once per decision, nothing else.
    entries = report["entries"]
    assert len(entries) == len(set(entries)) == DECISIONS + 1 and entries[-1] == "index.csv"
    assert report["zip_ok"]
    codes = sorted(pdf.normalise_code(code) for code in report["index_codes"])
    assert codes == report["versions"]
    assert report["pdf_export_events"] == DECISIONS
    assert report["chain"] is True
    # Only the finished zip is left: the chunks' pieces, the killed worker's included, are gone.
    assert len(report["stored"]) == 1 and report["stored"][0].endswith(".zip"), report["stored"]
