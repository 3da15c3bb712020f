"""The bulk-export job, run by the database task worker (`manage.py db_worker`).

It writes the zip to var/exports/ one PDF at a time, straight into the zip entry, so no more than one
document is in memory at once; the index is written last. Progress is saved after every PDF, which also
shows the job is alive: one that has made no progress for a while is treated as stopped (see
BulkExport.is_stalled) and can be retried. A retry is a new attempt; an older attempt that wakes up finds
it has been superseded and stops.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from audit import actions
from audit import services as audit
from decisions import pdf, signing
from decisions.choices import Outcome
from decisions.models import DecisionVersion
from decisions.permissions import Can, has

from .models import DOWNLOAD_FOR, BulkExport, ExportStatus, exports_dir
from .selectors import decisions_for_export
from .services import EMPTY_SELECTION

logger = logging.getLogger(__name__)

FAILED = (
    "The export stopped because of a problem on our side. Try again. If it fails again, contact the "
    "service's support team and give them the export number, {pk}."
)
NO_LONGER_ALLOWED = "The export was not made because the person who asked for it is no longer an admin."
INDEX_HEADER = ["Reference", "Version", "Outcome", "Team", "Submitted at (UK time)", "Verification code", "File"]


class ExportStopped(Exception):
    """The job cannot go on, for a reason the user is told (the message)."""


class Superseded(Exception):
    """A retry started a newer attempt of the same export; this one gives way."""


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


def _spreadsheet_safe(value: str) -> str:
    """A cell starting with = + - @ would be a formula in a spreadsheet: make it text."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _claim(export_id: int) -> tuple[int, list[int]] | None:
    """Mark a queued export running and fix what it will contain. None if it is not queued."""
    with transaction.atomic():
        export = BulkExport.objects.select_for_update().select_related("requested_by").filter(pk=export_id).first()
        if export is None or export.status != ExportStatus.QUEUED:
            return None
        version_ids = list(
            decisions_for_export(
                export.requested_by,
                submitted_from=export.submitted_from,
                submitted_to=export.submitted_to,
                team_id=export.team_id,
                outcome=export.outcome,
            ).values_list("current_version_id", flat=True)
        )
        now = timezone.now()
        export.status = ExportStatus.RUNNING
        export.attempts += 1
        export.total = len(version_ids)
        export.done = 0
        export.started_at = now
        export.updated_at = now
        export.save(update_fields=["status", "attempts", "total", "done", "started_at", "updated_at"])
        return export.attempts, [v for v in version_ids if v is not None]


def _progress(export_id: int, attempt: int, done: int) -> None:
    updated = BulkExport.objects.filter(pk=export_id, attempts=attempt, status=ExportStatus.RUNNING).update(
        done=done, updated_at=timezone.now()
    )
    if not updated:
        raise Superseded


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
            ]
        )
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sha256_of(path: Any) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _finish(export: BulkExport, attempt: int, rows: list[IndexRow], part: Any) -> None:
    """Publish the zip and record one PDF export per decision, together: neither exists without the other."""
    with transaction.atomic():
        current = BulkExport.objects.select_for_update().get(pk=export.pk)
        if current.status != ExportStatus.RUNNING or current.attempts != attempt:
            raise Superseded
        now = timezone.now()
        current.status = ExportStatus.READY
        current.done = len(rows)
        current.finished_at = now
        current.updated_at = now
        current.expires_at = now + DOWNLOAD_FOR
        current.file_size = part.stat().st_size
        current.file_sha256 = _sha256_of(part)
        current.save(
            update_fields=["status", "done", "finished_at", "updated_at", "expires_at", "file_size", "file_sha256"]
        )
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
        part.replace(current.path)


def _fail(export_id: int, attempt: int, message: str) -> None:
    BulkExport.objects.filter(pk=export_id, attempts=attempt).exclude(status=ExportStatus.READY).update(
        status=ExportStatus.FAILED, error_message=message, finished_at=timezone.now(), updated_at=timezone.now()
    )


def prune_expired_files() -> int:
    """Delete the zips whose download time has passed. Their rows stay, as the record of the export."""
    removed = 0
    for export in BulkExport.objects.filter(status=ExportStatus.READY, expires_at__lte=timezone.now()):
        if export.path.exists():
            export.path.unlink()
            removed += 1
    return removed


def run_export(export_id: int) -> str:
    prune_expired_files()
    claimed = _claim(export_id)
    if claimed is None:
        return "skipped"
    attempt, version_ids = claimed
    export = BulkExport.objects.select_related("requested_by", "organisation").get(pk=export_id)
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{export.pk}.{attempt}.zip.part"
    try:
        if not has(export.requested_by, Can.BULK_EXPORT):
            raise ExportStopped(NO_LONGER_ALLOWED)
        if not version_ids:
            raise ExportStopped(EMPTY_SELECTION)
        rows: list[IndexRow] = []
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for done, version_id in enumerate(version_ids, start=1):
                version = DecisionVersion.objects.select_related(
                    "decision", "decision__organisation", "decision__team", "decision__owner", "submitted_by"
                ).get(pk=version_id)
                decision = version.decision
                filename = pdf.filename_for(version)
                rendered = pdf.render_pdf(version, generated_by=export.requested_by, verify_url=export.verify_url)
                assert rendered is not None
                # Signing needs the whole document (its hash covers every byte); one PDF at a time in memory.
                archive.writestr(filename, signing.sign_pdf(rendered))
                submitted = timezone.localtime(version.submitted_at, pdf.LONDON)
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
                    )
                )
                _progress(export.pk, attempt, done)
            archive.writestr("index.csv", _index_csv(rows))
        _finish(export, attempt, rows, part)
    except Superseded:
        part.unlink(missing_ok=True)
        return "superseded"
    except ExportStopped as exc:
        part.unlink(missing_ok=True)
        _fail(export.pk, attempt, str(exc))
        return "stopped"
    except Exception:
        logger.exception("Bulk export %s failed", export.pk)
        part.unlink(missing_ok=True)
        _fail(export.pk, attempt, FAILED.format(pk=export.pk))
        raise
    return "ready"


@task()
def build_bulk_export(export_id: int) -> str:
    return run_export(export_id)
