"""Export files that hold a disposed record are deleted for certain, not "quietly".

Disposal empties the rows' names (so nothing offers the file) and, in the same transaction, queues each name as a
`PendingFileDeletion`. Once it commits the files are deleted; a name leaves the queue only when its delete
succeeded, and what failed (an immutable file, one S3 error) is retried by the worker every few minutes and by
daily housekeeping. Housekeeping also sweeps the storage for export files that no row names at all (a worker
stopped between saving a zip and recording it, a delete lost before this queue existed): older than a day and
not part of a job still running, they go. The bucket's lifecycle rule (README) is the last backstop.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .models import BulkExport, ExportStatus, PendingFileDeletion, SubjectAccessRequest
from .storage import export_storage

logger = logging.getLogger(__name__)

RETRY_AFTER = dt.timedelta(minutes=5)
# A zip is saved a moment before the transaction that names it commits: files younger than this are left alone.
SWEEP_GRACE = dt.timedelta(days=1)
# Top folders of the export storage and the rows that name their files.
FOLDERS: dict[str, type[BulkExport] | type[SubjectAccessRequest]] = {
    "bulk-exports": BulkExport,
    "subject-access": SubjectAccessRequest,
}


def queue(names: Iterable[str]) -> int:
    """Queue files for deletion inside the caller's transaction; they are deleted once it commits."""
    wanted = sorted({name for name in names if name})
    now = timezone.now()
    for name in wanted:
        PendingFileDeletion.objects.get_or_create(file_name=name, defaults={"queued_at": now})
    if wanted:
        transaction.on_commit(partial(delete_now, wanted), robust=True)
    return len(wanted)


def delete_pending(names: Iterable[str] | None = None) -> tuple[int, int]:
    """Delete queued files (these, or all); each leaves the queue only once deleted. Returns (deleted, failed)."""
    rows = PendingFileDeletion.objects.order_by("queued_at", "pk")
    if names is not None:
        rows = rows.filter(file_name__in=list(names))
    deleted = failed = 0
    storage = export_storage()
    for pk, name in rows.values_list("pk", "file_name"):
        try:
            storage.delete(name)  # a file already gone is not an error, on disk or in a bucket
        except Exception:
            logger.warning("Could not delete a disposed record's export file; it will be tried again")
            PendingFileDeletion.objects.filter(pk=pk).update(attempts=F("attempts") + 1, last_failed_at=timezone.now())
            failed += 1
            continue
        PendingFileDeletion.objects.filter(pk=pk).delete()
        deleted += 1
    return deleted, failed


def delete_now(names: list[str]) -> None:
    """Right after the disposal commits; what fails goes to the worker."""
    _, failed = delete_pending(names)
    if failed:
        _retry_later()


def _retry_later() -> None:
    # A backend that cannot wait (the immediate one, in tests) leaves the retry to housekeeping.
    if retry_pending_deletions.get_backend().supports_defer:
        retry_pending_deletions.using(run_after=timezone.now() + RETRY_AFTER).enqueue()


@task()
def retry_pending_deletions() -> str:
    """Run by the worker: try again, and again in a few minutes while any is left (housekeeping also tries)."""
    deleted, failed = delete_pending()
    if failed:
        _retry_later()
    return f"{deleted} deleted, {failed} left"


def _files_under(prefix: str) -> Iterator[str]:
    storage = export_storage()
    try:
        folders, files = storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{prefix}/{name}"
    for folder in folders:
        yield from _files_under(f"{prefix}/{folder}")


def sweep_unnamed_files(now: dt.datetime) -> tuple[int, int]:
    """Delete export files no row names, older than SWEEP_GRACE, outside jobs still running. (deleted, failed)"""
    storage = export_storage()
    named = set(PendingFileDeletion.objects.values_list("file_name", flat=True))
    deleted = failed = 0
    for top, model in FOLDERS.items():
        named |= set(model.objects.exclude(file_name="").values_list("file_name", flat=True))
        busy = {
            str(pk)
            for pk in model.objects.filter(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]).values_list(
                "pk", flat=True
            )
        }
        for name in list(_files_under(top)):
            owner = name.split("/")[1] if name.count("/") >= 2 else ""
            if name in named or owner in busy:
                continue
            try:
                if storage.get_modified_time(name) > now - SWEEP_GRACE:
                    continue
                storage.delete(name)
            except Exception:
                logger.warning("Could not delete an export file no row names; housekeeping will try again")
                failed += 1
                continue
            deleted += 1
    return deleted, failed
