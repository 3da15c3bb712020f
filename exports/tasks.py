"""The bulk-export job, run by the database task workers (`manage.py db_worker`, as many as you like).

`build_bulk_export` fixes what the export contains and splits it into chunks of EXPORT_CHUNK_SIZE decisions,
each a task that any worker takes (background/runner.py: leases, retry when a worker dies, one result per chunk).
A chunk renders its PDFs one at a time into a zip of its own in the export storage; the worker that completes
the last chunk joins the pieces into one zip with the index, stores it, and then, in one transaction, marks
the export ready and records one PDF export per decision. Only that finished zip is ever offered for
download: a job that fails (a full disk, storage that cannot be written, a fault) says so on the export with
a plain message and Retry, and its pieces are deleted.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from audit import actions
from audit import services as audit
from background import runner
from background.models import Chunk, Job
from decisions import pdf, signing
from decisions.choices import DecisionStatus, Outcome
from decisions.guidance import edition
from decisions.models import Decision, DecisionVersion
from decisions.people import entries_of
from decisions.permissions import Can, has

from . import expiry
from .models import DOWNLOAD_FOR, BulkExport, ExportStatus
from .selectors import decisions_for_export
from .services import EMPTY_SELECTION
from .storage import delete_folder, delete_quietly, export_storage

logger = logging.getLogger(__name__)

KIND = "exports.tasks.bulk_export"
FAILED = (
    "The export stopped because of a problem on our side. Try again. If it fails again, contact the "
    "service's support team and give them the export number, {pk}."
)
STORAGE_FAILED = (
    "The export could not be saved: the export storage is full, or cannot be written to or read from. Nothing "
    "from this attempt was kept. Try again later. If it fails again, contact the service's support team and give "
    "them the export number, {pk}."
)
NO_LONGER_ALLOWED = "The export was not made because the person who asked for it is no longer an admin."
DISPOSED_DURING = (
    "The export was not made because a record in it was disposed of while it was being made. Start it again to "
    "make it without that record."
)
# The edition came last (issue 13), so programs that read the earlier columns by position still work.
INDEX_HEADER = [
    "Reference",
    "Version",
    "Outcome",
    "Team",
    "Submitted at (UK time)",
    "Verification code",
    "File",
    "Edition of the advice",
    "People",
    "Identities protected",
    "Recipient agencies",
]


class ExportStopped(runner.JobStopped):
    """The job cannot go on, for a reason the user is told (the message)."""


Superseded = runner.Superseded


@dataclass(frozen=True)
class IndexRow:
    decision_id: int
    reference: str
    version: int
    content_hash: str
    outcome: str
    team: str
    submitted_at: str
    filename: str
    # Chunks finished before the column existed have no edition; the export then leaves the cell empty.
    edition: str = ""
    # Layout 3 on; older records have none listed (their subject and recipient are free text in the PDF).
    people: int = 0
    protected: int = 0
    agencies: str = ""


def _spreadsheet_safe(value: str) -> str:
    """A cell starting with = + - @ would be a formula in a spreadsheet: make it text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _index_csv(rows: list[IndexRow]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(INDEX_HEADER)
    for row in rows:
        writer.writerow(
            [
                row.reference,
                row.version,
                row.outcome,
                _spreadsheet_safe(row.team),
                row.submitted_at,
                pdf.group_code(row.content_hash),
                row.filename,
                row.edition,
                row.people,
                row.protected,
                _spreadsheet_safe(row.agencies),
            ]
        )
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _attempt_folder(export_id: int, attempt: int) -> str:
    return f"bulk-exports/{export_id}/attempt-{attempt}"


def attempt_files_delete(export_id: int, attempt: int) -> None:
    """Delete what an attempt left in the export storage (its chunks' pieces)."""
    delete_folder(_attempt_folder(export_id, attempt))


def _save(name: str, content: IO[bytes]) -> str:
    content.seek(0)
    return export_storage().save(name, File(content, name=name.rsplit("/", 1)[-1]))


# Planning -------------------------------------------------------------------------------------------------


def _claim(export_id: int) -> tuple[int, list[int]] | None:
    """Mark a queued export running, fix what it will contain and plan its chunks. None if it is not queued."""
    with transaction.atomic():
        export = BulkExport.objects.select_for_update().select_related("requested_by").filter(pk=export_id).first()
        if export is None or export.status != ExportStatus.QUEUED:
            return None
        version_ids = [
            v
            for v in decisions_for_export(
                export.requested_by,
                submitted_from=export.submitted_from,
                submitted_to=export.submitted_to,
                team_id=export.team_id,
                outcome=export.outcome,
            ).values_list("current_version_id", flat=True)
            if v is not None
        ]
        now = timezone.now()
        export.status = ExportStatus.RUNNING
        export.attempts += 1
        export.total = len(version_ids)
        export.done = 0
        export.started_at = now
        export.updated_at = now
        export.save(update_fields=["status", "attempts", "total", "done", "started_at", "updated_at"])
        if version_ids and has(export.requested_by, Can.BULK_EXPORT):
            size = max(1, int(getattr(settings, "EXPORT_CHUNK_SIZE", 25)))
            batches = [version_ids[i : i + size] for i in range(0, len(version_ids), size)]
            runner.start(
                kind=KIND,
                owner_id=export.pk,
                attempt=export.attempts,
                chunks=[({"versions": batch}, len(batch)) for batch in batches],
            )
        return export.attempts, version_ids


def run_export(export_id: int) -> str:
    """Plan the export's chunks (the workers then run them). With the immediate backend, the whole export."""
    claimed = _claim(export_id)
    if claimed is None:
        return "skipped"
    attempt, version_ids = claimed
    export = BulkExport.objects.select_related("requested_by").get(pk=export_id)
    if not has(export.requested_by, Can.BULK_EXPORT):
        _fail(export.pk, attempt, NO_LONGER_ALLOWED)
        return "stopped"
    if not version_ids:
        _fail(export.pk, attempt, EMPTY_SELECTION)
        return "stopped"
    export.refresh_from_db(fields=["status"])
    return export.status


def _fail(export_id: int, attempt: int, message: str) -> None:
    BulkExport.objects.filter(pk=export_id, attempts=attempt).exclude(status=ExportStatus.READY).update(
        status=ExportStatus.FAILED, error_message=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


def _progress(export_id: int, attempt: int, done: int) -> None:
    updated = BulkExport.objects.filter(pk=export_id, attempts=attempt, status=ExportStatus.RUNNING).update(
        done=done, updated_at=timezone.now()
    )
    if not updated:
        raise Superseded


# The chunks and the finished zip --------------------------------------------------------------------------


def refuse_disposed(decision_ids: list[int], stop: runner.JobStopped) -> None:
    """Inside the transaction that publishes a zip: lock its records and refuse if one was disposed of while the
    zip was made. Disposal locks the same row first, so one waits for the other: either the zip is refused here,
    or disposal finds the zip (by the audit events published with it) and deletes its file."""
    statuses = set(
        Decision.objects.select_for_update().filter(pk__in=decision_ids).order_by("pk").values_list("status", flat=True)
    )
    if DecisionStatus.DISPOSED in statuses:
        raise stop


class ZipFileJob(runner.JobKind):
    """What a bulk export and a subject access bundle share: a zip file per attempt for one row of `model`, its
    parts discarded and its files deleted when the attempt fails, progress on the row, and the words for faults."""

    model: Any
    failed_text: str
    storage_failed_text: str

    def fail_attempt(self, owner_id: int, attempt: int, message: str) -> None:
        raise NotImplementedError

    def delete_attempt(self, owner_id: int, attempt: int) -> None:
        raise NotImplementedError

    def failed(self, job: Job, message: str) -> None:
        self.fail_attempt(job.owner_id, job.attempt, message)
        self.delete_attempt(job.owner_id, job.attempt)

    def discard(self, job: Job, chunk: Chunk, result: dict[str, Any]) -> None:
        delete_quietly(result.get("part", ""))

    def progressed(self, job: Job, items_done: int) -> None:
        self.model.objects.filter(pk=job.owner_id, attempts=job.attempt, status=ExportStatus.RUNNING).update(
            done=items_done, updated_at=timezone.now()
        )

    def fault_message(self, job: Job) -> str:
        return self.failed_text.format(pk=job.owner_id)

    def message_for(self, job: Job, exc: BaseException) -> str | None:
        if isinstance(exc, runner.JobStopped):
            return str(exc)
        if _is_storage_fault(exc):
            return self.storage_failed_text.format(pk=job.owner_id)
        return None


class BulkExportJob(ZipFileJob):
    """One chunk: its decisions' PDFs in a zip of their own. Finishing: one zip of them all, with the index."""

    model = BulkExport

    def run_chunk(self, job: Job, chunk: Chunk, progress: runner.Progress) -> dict[str, Any]:
        export = BulkExport.objects.select_related("requested_by").get(pk=job.owner_id)
        if not has(export.requested_by, Can.BULK_EXPORT):
            raise ExportStopped(NO_LONGER_ALLOWED)
        rows: list[IndexRow] = []
        with tempfile.TemporaryFile() as part:
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
                for done, version_id in enumerate(chunk.payload["versions"], start=1):
                    version = DecisionVersion.objects.select_related(
                        "decision", "decision__organisation", "decision__team", "decision__owner", "submitted_by"
                    ).get(pk=version_id)
                    decision = version.decision
                    filename = pdf.filename_for(version)
                    data = pdf.render_pdf(version, generated_by=export.requested_by, verify_url=export.verify_url)
                    assert data is not None  # bytes when no target is given
                    # Signing needs the whole document (its hash covers every byte): one PDF at a time in memory.
                    # PDFs are compressed inside already; deflating them again would save about 4 %.
                    archive.writestr(filename, signing.sign_pdf(data))
                    submitted = timezone.localtime(version.submitted_at, pdf.LONDON)
                    people_of = entries_of(version.answers)
                    rows.append(
                        IndexRow(
                            decision_id=decision.pk,
                            reference=decision.reference,
                            version=version.number,
                            content_hash=version.content_hash,
                            outcome=Outcome(version.outcome).label,
                            team=decision.team.name if decision.team else "",
                            submitted_at=f"{submitted:%-d %B %Y, %H:%M}",
                            filename=filename,
                            edition=edition(version.edition).short_title,
                            people=len(people_of),
                            protected=sum(1 for p in people_of if p.get("protect_identity")),
                            agencies="; ".join(version.recipient_agencies.splitlines()),
                        )
                    )
                    progress(done)
            name = f"{_attempt_folder(export.pk, job.attempt)}/chunk-{chunk.index:05d}-{chunk.token}.zip"
            stored = _save(name, part)
        return {"part": stored, "rows": [asdict(row) for row in rows]}

    def finish(self, job: Job, chunks: list[Chunk], finishing: runner.Finishing) -> None:
        export = BulkExport.objects.select_related("requested_by").get(pk=job.owner_id)
        if not has(export.requested_by, Can.BULK_EXPORT):
            raise ExportStopped(NO_LONGER_ALLOWED)
        rows = [IndexRow(**row) for chunk in chunks for row in (chunk.result or {})["rows"]]
        storage = export_storage()
        names: set[str] = set()
        with tempfile.TemporaryFile() as joined:
            with zipfile.ZipFile(joined, "w", compression=zipfile.ZIP_STORED) as archive:
                for chunk in chunks:
                    with storage.open((chunk.result or {})["part"], "rb") as f, zipfile.ZipFile(f) as part:
                        for info in part.infolist():
                            if info.filename in names:
                                raise RuntimeError(f"{info.filename} came from two chunks")  # never publish that
                            names.add(info.filename)
                            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                            archive.writestr(entry, part.read(info))
                            finishing.renew()
                archive.writestr("index.csv", _index_csv(rows), compress_type=zipfile.ZIP_DEFLATED)
            if len(names) != export.total:
                raise RuntimeError(f"{len(names)} PDFs for {export.total} decisions")
            size = joined.tell()
            joined.seek(0)
            digest = hashlib.file_digest(joined, "sha256").hexdigest()
            stored = _save(f"bulk-exports/{export.pk}/export-{job.attempt}-{finishing.token}.zip", joined)
        try:
            with transaction.atomic():
                finishing.complete()
                refuse_disposed([row.decision_id for row in rows], ExportStopped(DISPOSED_DURING))
                self._publish(export, job, rows, stored, size, digest)
        except BaseException:
            delete_quietly(stored)
            raise
        attempt_files_delete(export.pk, job.attempt)

    def _publish(self, export: BulkExport, job: Job, rows: list[IndexRow], name: str, size: int, digest: str) -> None:
        """Mark the export ready and record one PDF export per decision, together: neither exists without the other."""
        current = BulkExport.objects.select_for_update().get(pk=export.pk)
        if current.status != ExportStatus.RUNNING or current.attempts != job.attempt:
            raise Superseded
        now = timezone.now()
        current.status = ExportStatus.READY
        current.done = len(rows)
        current.finished_at = now
        current.updated_at = now
        current.expires_at = now + DOWNLOAD_FOR
        current.file_name = name
        current.file_size = size
        current.file_sha256 = digest
        current.save(
            update_fields=[
                "status", "done", "finished_at", "updated_at", "expires_at", "file_name", "file_size", "file_sha256",
            ]
        )  # fmt: skip
        for row in rows:
            audit.record(
                action=actions.PDF_EXPORT,
                actor=export.requested_by,
                organisation=export.organisation_id,
                target_type="decisions.decision",
                target_id=row.decision_id,
                target_ref=row.reference,
                details={"version": row.version, "content_hash": row.content_hash, "bulk_export": export.pk},
            )

    failed_text = FAILED
    storage_failed_text = STORAGE_FAILED

    def fail_attempt(self, owner_id: int, attempt: int, message: str) -> None:
        _fail(owner_id, attempt, message)

    def delete_attempt(self, owner_id: int, attempt: int) -> None:
        attempt_files_delete(owner_id, attempt)


def _is_storage_fault(exc: BaseException) -> bool:
    """A full disk, a folder or bucket that cannot be written, a bucket that cannot be reached."""
    if isinstance(exc, OSError):
        return True
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return False
    return isinstance(exc, BotoCoreError | ClientError)


bulk_export = BulkExportJob()


def prune_expired_files() -> int:
    """Delete every expired export file now (housekeeping does this on its schedule). Returns how many."""
    return expiry.expire_batch(timezone.now(), limit=10**9)


@task()
def build_bulk_export(export_id: int) -> str:
    return run_export(export_id)
