"""A background worker killed while building a subject access bundle: two real `db_worker`s share it, one is
killed with SIGKILL mid-chunk, and the bundle still finishes with every record once (PDF, JSON and CSV)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .test_killed_export_worker import CHUNK_SIZE, _run, kill_one_of_two_workers, world  # noqa: F401 - the fixture is used by name

RECORDS = 8


def test_a_worker_killed_mid_chunk_leaves_a_complete_bundle_with_no_duplicates(
    world: tuple[dict[str, str], Callable[[str], list[tuple[Any, ...]]]],  # noqa: F811
) -> None:
    env, query = world
    _run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    setup = _run(env, "-m", "tests.worker_world", "setup-subject-access", str(RECORDS))
    request_id = json.loads(setup.splitlines()[-1])["request"]

    def finished() -> bool:
        sql = f"SELECT status FROM exports_subjectaccessrequest WHERE id = {int(request_id)}"  # noqa: S608
        return query(sql)[0][0] in ("ready", "failed")

    killed = kill_one_of_two_workers(
        env, query, mid_chunk="items_done >= 1 AND items_done < items_total", finished=finished
    )

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
    # Every record holds free text, so every one is for review, half of them naming other people too.
    assert report["for_review"] == RECORDS
    assert sum(p.startswith("review-before-release/") for p in pdfs) == RECORDS
    assert sorted(report["json_references"]) == sorted(report["csv_references"]) == report["references"]
    assert report["pdf_export_events"] == RECORDS
    assert report["chain"] is True
    # Only the finished bundle is left: the chunks' pieces, the killed worker's included, are gone.
    assert len(report["stored"]) == 1 and report["stored"][0].endswith(".zip"), report["stored"]
