"""A throw-away world for tests that run real worker processes: `python -m tests.worker_world setup N` makes an
organisation with N submitted decisions and queues a bulk export of them; `report EXPORT_ID` prints what came
of it. Run with DATABASE_URL naming a database that `manage.py migrate` has prepared. Each prints one JSON line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import zipfile
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sharing_app.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

VERIFY_URL = "http://127.0.0.1/exports/verify"


def setup(decisions: int) -> dict[str, Any]:
    from accounts.models import Membership, Organisation, Role, Team, User
    from exports import services
    from tests.factories import make_submitted_decision

    organisation = Organisation.objects.create(
        name="Workers Partnership", slug="workers", reference_prefix="WK", guidance_edition="2018"
    )
    team = Team.objects.create(organisation=organisation, name="Front door")
    practitioner = User.objects.create(username="worker_practitioner", first_name="Pat", last_name="Worker")
    admin = User.objects.create(username="worker_admin", first_name="Ada", last_name="Worker")
    Membership.objects.create(user=practitioner, organisation=organisation, team=team, role=Role.PRACTITIONER)
    Membership.objects.create(user=admin, organisation=organisation, team=team, role=Role.ADMIN)
    for _ in range(decisions):
        make_submitted_decision(practitioner)
    today = timezone.localdate()
    with transaction.atomic():
        export = services.bulk_export_start(
            by=admin, submitted_from=today, submitted_to=today, team=None, outcome="", verify_url=VERIFY_URL
        )
    return {"export": export.pk}


def setup_subject_access(decisions: int) -> dict[str, Any]:
    """N submitted decisions about one child (every other one also naming her mother), and a bundle queued."""
    from accounts.models import Membership, Organisation, Role, Team, User
    from exports import services
    from tests.factories import make_submitted_decision
    from tests.people_helpers import make_person, people_answer

    organisation = Organisation.objects.create(
        name="Workers Partnership", slug="workers", reference_prefix="WK", guidance_edition="2018"
    )
    team = Team.objects.create(organisation=organisation, name="Front door")
    practitioner = User.objects.create(username="worker_practitioner", first_name="Pat", last_name="Worker")
    admin = User.objects.create(username="worker_admin", first_name="Ada", last_name="Worker")
    Membership.objects.create(user=practitioner, organisation=organisation, team=team, role=Role.PRACTITIONER)
    Membership.objects.create(user=admin, organisation=organisation, team=team, role=Role.ADMIN)
    child = make_person(organisation, "Zoë Worker", None, by=practitioner)
    mother = make_person(organisation, "Mary Worker", None, by=practitioner)
    for n in range(decisions):
        people = people_answer((child, "child"), *([(mother, "parent_carer")] if n % 2 else []))
        make_submitted_decision(practitioner, overrides={"people": people})
    with transaction.atomic():
        found = services.subject_access_start(by=admin, person=child, verify_url=VERIFY_URL)
    return {"request": found.pk}


def report_subject_access(request_id: int) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from audit import actions
    from audit.models import AuditEvent
    from audit.verify import verify_chains
    from background.models import Chunk, Job
    from exports.models import SubjectAccessRequest
    from exports.storage import export_storage

    found = SubjectAccessRequest.objects.get(pk=request_id)
    jobs = Job.objects.filter(kind="exports.subject_access.bundle", owner_id=request_id)
    out: dict[str, Any] = {
        "status": found.status,
        "attempts": found.attempts,
        "done": found.done,
        "total": found.total,
        "naming_others": found.naming_others,
        "for_review": found.for_review,
        "error": found.error_message,
        "chunks": list(
            Chunk.objects.filter(job__in=jobs).order_by("index").values("index", "status", "claims", "worker")
        ),
        "pdf_export_events": AuditEvent.objects.filter(
            action=actions.PDF_EXPORT, details__subject_access=request_id
        ).count(),
        "task_results": list(
            DBTaskResult.objects.filter(task_path="background.tasks.run_chunk").values_list(
                "status", "exception_class_path"
            )
        ),
        "chain": verify_chains(save=False).ok,
        "references": sorted(found.organisation.decisions.values_list("reference", flat=True)),
    }
    if found.file_name:
        with export_storage().open(found.file_name, "rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
            out["entries"] = archive.namelist()
            out["zip_ok"] = archive.testzip() is None
            # Each folder (releasable, review-before-release) has its own records.json and records.csv.
            names = archive.namelist()
            out["json_references"] = [
                r["reference"]
                for name in names
                if name.endswith("/records.json")
                for r in json.loads(archive.read(name))
            ]
            out["csv_references"] = [
                row[0]
                for name in names
                if name.endswith("/records.csv")
                for row in list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))[1:]
            ]
    out["stored"] = sorted(_all_files(export_storage(), "subject-access"))
    return out


def report(export_id: int) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from audit import actions
    from audit.models import AuditEvent
    from audit.verify import verify_chains
    from background.models import Chunk
    from exports.models import BulkExport
    from exports.storage import export_storage

    export = BulkExport.objects.get(pk=export_id)
    out: dict[str, Any] = {
        "status": export.status,
        "attempts": export.attempts,
        "done": export.done,
        "total": export.total,
        "error": export.error_message,
        "chunks": list(
            Chunk.objects.filter(job__owner_id=export_id)
            .order_by("index")
            .values("index", "status", "claims", "worker")
        ),
        "pdf_export_events": AuditEvent.objects.filter(
            action=actions.PDF_EXPORT, details__bulk_export=export_id
        ).count(),
        "task_results": list(
            DBTaskResult.objects.filter(task_path="background.tasks.run_chunk").values_list(
                "status", "exception_class_path"
            )
        ),
        "chain": verify_chains(save=False).ok,
        "versions": sorted(export.organisation.decisions.values_list("current_version__content_hash", flat=True)),
    }
    if export.file_name:
        with export_storage().open(export.file_name, "rb") as f, zipfile.ZipFile(io.BytesIO(f.read())) as archive:
            out["entries"] = archive.namelist()
            out["zip_ok"] = archive.testzip() is None
            rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))[1:]
            out["index_codes"] = [row[5] for row in rows]
    out["stored"] = sorted(_all_files(export_storage(), "bulk-exports"))
    return out


def _all_files(storage: Any, prefix: str) -> list[str]:
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return []
    found = [f"{prefix}/{name}" for name in files]
    for folder in folders:
        found += _all_files(storage, f"{prefix}/{folder}")
    return found


if __name__ == "__main__":
    command, argument = sys.argv[1], int(sys.argv[2])
    commands = {
        "setup": setup,
        "report": report,
        "setup-subject-access": setup_subject_access,
        "report-subject-access": report_subject_access,
    }
    print(json.dumps(commands[command](argument), default=str))
