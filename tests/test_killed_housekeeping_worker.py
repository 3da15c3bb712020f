"""A background worker killed in the middle of housekeeping: two real `db_worker`s share the run, the one clearing
the audit trail's old addresses (or removing sessions) is killed with SIGKILL part way, and the run still finishes
complete: every session, file and event dealt with and counted once, one clearing record per old-format event, one
audit event per deleted file, and the chain verifying."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .test_killed_export_worker import _run, kill_one_of_two_workers, world  # noqa: F401 - world is the fixture

EVENTS = 60


def test_a_worker_killed_mid_housekeeping_finishes_complete_with_no_duplicates(
    world: tuple[dict[str, str], Callable[[str], list[tuple[Any, ...]]]],  # noqa: F811 - the fixture
) -> None:
    env, query = world
    # Small batches with a short pause between them, so a chunk is seen part way through.
    env |= {"HOUSEKEEPING_BATCH": "4", "HOUSEKEEPING_PAUSE_SECONDS": "0.1"}
    _run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    planned = json.loads(_run(env, "-m", "tests.housekeeping_world", "setup", str(EVENTS)).splitlines()[-1])

    def finished() -> bool:
        sql = f"SELECT status FROM housekeeping_housekeepingrun WHERE id = {int(planned['run'])}"  # noqa: S608
        return query(sql)[0][0] != "running"

    killed = kill_one_of_two_workers(
        env, query, mid_chunk="items_done >= 4 AND items_done < items_total - 8", finished=finished, poll=0.02
    )

    report = json.loads(_run(env, "-m", "tests.housekeeping_world", "report", str(planned["run"])).splitlines()[-1])
    assert report["status"] == "done", report
    # Everything once: the counts are exactly what there was, and nothing is left.
    assert report["sessions_removed"] == planned["sessions"] and report["sessions_left"] == 0
    assert report["export_files_removed"] == planned["files"] and report["files_named"] == 0 and report["stored"] == []
    assert report["client_events_cleared"] == planned["events"] and report["client_events_left"] == 0
    assert report["format_1_events_cleared"] == planned["legacy"] == report["legacy_records"]
    assert report["legacy_records_distinct"] == report["legacy_records"]
    assert report["events_with_client_data"] == 0
    assert report["file_expiry_events"] == report["file_expiry_targets"] == planned["files"]
    assert report["summaries"] == [
        "housekeeping_client_data", "housekeeping_drafts", "housekeeping_export_files", "housekeeping_sessions"
    ]  # fmt: skip
    # The killed worker's chunk was taken again, by the other worker.
    claims = [c["claims"] for c in report["chunks"]]
    assert sorted(claims) == [1] * (len(claims) - 1) + [2], report["chunks"]
    retried = next(c for c in report["chunks"] if c["claims"] == 2)
    assert not retried["worker"].endswith(f":{killed}")
    assert ["FAILED", "background.runner.WorkerStopped"] in report["task_results"]
    assert report["chain"].startswith("OK"), report["chain"]
