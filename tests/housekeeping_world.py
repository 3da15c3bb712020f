"""A throw-away world for the killed housekeeping worker test: `python -m tests.housekeeping_world setup N` makes N
audit events a year and a half old with an address and browser (a third of them in the old format), N expired
sessions and a few expired export files, then starts housekeeping for the workers; `report RUN_ID` prints what
came of it. Run with DATABASE_URL naming a database that `manage.py migrate` has prepared. Each prints one JSON
line."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sys
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharing_app.settings")
django.setup()

import time_machine  # noqa: E402
from django.utils import timezone  # noqa: E402

FILES = 3


def setup(n: int) -> dict[str, Any]:
    from django.contrib.sessions.models import Session
    from django.core.files.base import ContentFile

    from accounts.models import Membership, Organisation, Role, User
    from audit import actions
    from audit import services as audit
    from exports.models import BulkExport, ExportStatus
    from exports.storage import export_storage
    from housekeeping.jobs import housekeeping_start
    from tests.test_housekeeping import legacy_event, request_from

    organisation = Organisation.objects.create(name="Tidy Partnership", slug="tidy", reference_prefix="TD")
    admin = User.objects.create(username="tidy_admin", first_name="Ada", last_name="Tidy")
    Membership.objects.create(user=admin, organisation=organisation, role=Role.ADMIN)
    now = timezone.now()
    long_ago = now - dt.timedelta(days=540)
    legacy = 0
    with time_machine.travel(long_ago, tick=True):
        for i in range(n):
            kwargs = {"action": actions.LOGIN, "actor": admin, "organisation": organisation, "request": request_from()}
            if i % 3 == 0:
                legacy_event(**kwargs)
                legacy += 1
            else:
                audit.record(**kwargs)
    Session.objects.bulk_create(
        Session(session_key=secrets.token_hex(16), session_data="", expire_date=now - dt.timedelta(hours=1))
        for _ in range(n)
    )
    for i in range(FILES):
        name = export_storage().save(f"bulk-exports/expired-{i}.zip", ContentFile(b"zip bytes"))
        BulkExport.objects.create(
            organisation=organisation, requested_by=admin, submitted_from=now.date(), submitted_to=now.date(),
            verify_url="http://127.0.0.1/exports/verify", status=ExportStatus.READY, total=1, done=1,
            file_name=name, file_size=9, created_at=now, updated_at=now, expires_at=now - dt.timedelta(hours=1),
        )  # fmt: skip
    run = housekeeping_start()
    assert run is not None
    return {"run": run.pk, "events": n, "legacy": legacy, "sessions": n, "files": FILES}


def report(run_id: int) -> dict[str, Any]:
    from django.contrib.sessions.models import Session
    from django_tasks_db.models import DBTaskResult

    from audit import actions, clearing
    from audit.models import AuditEvent, LegacyClearing
    from audit.verify import verify_chains
    from background.models import Chunk
    from exports.models import BulkExport
    from exports.storage import export_storage
    from housekeeping.models import HousekeepingRun

    run = HousekeepingRun.objects.get(pk=run_id)
    return {
        "status": run.status,
        "error": run.error,
        "sessions_removed": run.sessions_removed,
        "export_files_removed": run.export_files_removed,
        "client_events_cleared": run.client_events_cleared,
        "format_1_events_cleared": run.format_1_events_cleared,
        "client_events_left": run.client_events_left,
        "sessions_left": Session.objects.count(),
        "events_with_client_data": AuditEvent.objects.filter(
            clearing.HAS_CLIENT_DATA, occurred_at__lt=run.client_data_before
        ).count(),
        "legacy_records": LegacyClearing.objects.count(),
        "legacy_records_distinct": LegacyClearing.objects.values("event_id").distinct().count(),
        "file_expiry_events": AuditEvent.objects.filter(action=actions.EXPORT_FILE_EXPIRED).count(),
        "file_expiry_targets": AuditEvent.objects.filter(action=actions.EXPORT_FILE_EXPIRED)
        .values("target_id")
        .distinct()
        .count(),
        "summaries": sorted(
            AuditEvent.objects.filter(action__startswith="housekeeping_").values_list("action", flat=True)
        ),
        "files_named": BulkExport.objects.exclude(file_name="").count(),
        "stored": sorted(export_storage().listdir("bulk-exports")[1])
        if export_storage().exists("bulk-exports")
        else [],
        "chunks": list(
            Chunk.objects.filter(job__owner_id=run_id).order_by("index").values("payload", "claims", "worker")
        ),
        "task_results": list(
            DBTaskResult.objects.filter(task_path="background.tasks.run_chunk").values_list(
                "status", "exception_class_path"
            )
        ),
        "chain": verify_chains(save=False).message,
    }


if __name__ == "__main__":
    command, argument = sys.argv[1], int(sys.argv[2])
    print(json.dumps(setup(argument) if command == "setup" else report(argument), default=str))
