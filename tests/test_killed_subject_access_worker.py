"""A background worker killed while building a subject access bundle: two real `db_worker`s share it, one is
killed with SIGKILL mid-chunk, and the bundle still finishes with every record once (PDF, JSON and CSV)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from .test_killed_export_worker import CHUNK_SIZE, ROOT, _run, world  # noqa: F401 - the fixture is used by name

RECORDS = 8


def test_a_worker_killed_mid_chunk_leaves_a_complete_bundle_with_no_duplicates(
    world: tuple[dict[str, str], Callable[[str], list[tuple[Any, ...]]]],  # noqa: F811
) -> None:
    env, query = world
    _run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    setup = _run(env, "-m", "tests.worker_world", "setup-subject-access", str(RECORDS))
    request_id = json.loads(setup.splitlines()[-1])["request"]

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
                "SELECT worker FROM background_chunk "
                "WHERE status = 'running' AND items_done >= 1 AND items_done < items_total"
            ):
                pid = int(worker_name.rsplit(":", 1)[1])
                if pid in workers:
                    os.kill(pid, signal.SIGKILL)
                    workers.pop(pid).wait()
                    killed = pid
                    break
            time.sleep(0.05)
        assert killed is not None, "no worker was seen part way through a chunk"

        while time.monotonic() < deadline:
            sql = f"SELECT status FROM exports_subjectaccessrequest WHERE id = {int(request_id)}"  # noqa: S608
            (status,) = query(sql)[0]
            if status in ("ready", "failed"):
                break
            time.sleep(0.2)
    finally:
        for process in workers.values():
            process.terminate()
            process.wait(timeout=30)

    report = json.loads(
        _run(env, "-m", "tests.worker_world", "report-subject-access", str(request_id)).splitlines()[-1]
    )
    assert report["status"] == "ready", report
    assert (report["done"], report["total"], report["attempts"], report["naming_others"]) == (
        RECORDS,
        RECORDS,
        1,
        RECORDS // 2,
    )
    claims = [c["claims"] for c in report["chunks"]]
    assert len(claims) == RECORDS // CHUNK_SIZE
    assert sorted(claims) == [1] * (len(claims) - 1) + [2], report["chunks"]
    retried = next(c for c in report["chunks"] if c["claims"] == 2)
    assert not retried["worker"].endswith(f":{killed}")
    assert ["FAILED", "background.runner.WorkerStopped"] in report["task_results"]

    # Every record once: its PDF, its JSON, its CSV row; nothing else but the README.
    entries = report["entries"]
    pdfs = [e for e in entries if e.endswith(".pdf")]
    assert len(entries) == len(set(entries)) == RECORDS + 3 and report["zip_ok"]
    assert sorted(p.rsplit("/", 1)[1].split("-v1-")[0] for p in pdfs) == report["references"]
    assert sum(p.startswith("records-naming-other-people/") for p in pdfs) == RECORDS // 2
    assert sorted(report["json_references"]) == sorted(report["csv_references"]) == report["references"]
    assert report["pdf_export_events"] == RECORDS
    assert report["chain"] is True
    # Only the finished bundle is left: the chunks' pieces, the killed worker's included, are gone.
    assert len(report["stored"]) == 1 and report["stored"][0].endswith(".zip"), report["stored"]
