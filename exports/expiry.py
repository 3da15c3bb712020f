"""Files in the "exports" storage that may be downloaded for a while and are then deleted: bulk export zips, and
any other kind (subject access bundles) that registers here.

A kind is a model with `organisation` (FK), `file_name` (its file in the export storage, emptied when deleted)
and `expires_at`. Its rows stay as the record of what was made; only the file goes, audited in the
organisation's chain the same way the start and the download are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction

from audit import actions
from audit import services as audit

from .storage import export_storage


@dataclass(frozen=True)
class ExpiringFiles:
    model: type[models.Model]
    action: str  # the audit action recorded when one of its files is deleted


_KINDS: list[ExpiringFiles] = []


def register(model: type[models.Model], *, action: str = actions.EXPORT_FILE_EXPIRED) -> None:
    """Have housekeeping delete this model's files once `expires_at` passes (call from AppConfig.ready)."""
    if not any(kind.model is model for kind in _KINDS):
        _KINDS.append(ExpiringFiles(model, action))


def kinds() -> list[ExpiringFiles]:
    return list(_KINDS)


def _expired(kind: ExpiringFiles, now: dt.datetime) -> models.QuerySet[models.Model]:
    return kind.model._default_manager.filter(expires_at__lte=now).exclude(file_name="")


def expired_count(now: dt.datetime) -> int:
    return sum(_expired(kind, now).count() for kind in _KINDS)


def expire_one(kind: ExpiringFiles, pk: int, file_name: str, counted: Callable[[], None] | None = None) -> bool:
    """Delete one expired file, then empty its name and audit it in one transaction. Deleting first means a worker
    stopped in between leaves the name, and the next run deletes (nothing) and records it: once either way. A
    storage error propagates, so the name is never emptied while the file may still be there."""
    export_storage().delete(file_name)  # a missing file is not an error, on disk or in a bucket
    with transaction.atomic():
        row = kind.model._default_manager.select_for_update().filter(pk=pk, file_name=file_name).first()
        if row is None:
            return False  # another run got there first
        kind.model._default_manager.filter(pk=pk).update(file_name="")
        audit.record(
            action=kind.action,
            organisation=row.organisation_id,  # type: ignore[attr-defined]
            target=row,
            details={"expired_at": row.expires_at.isoformat()},  # type: ignore[attr-defined]
        )
        if counted is not None:
            counted()  # in the same transaction, so a count is never lost nor made twice
    return True


def expire_batch(now: dt.datetime, limit: int, counted: Callable[[], None] | None = None) -> int:
    """Delete up to `limit` expired files (of every kind). Returns how many."""
    done = 0
    for kind in _KINDS:
        for pk, file_name in _expired(kind, now).order_by("pk").values_list("pk", "file_name")[: limit - done]:
            done += expire_one(kind, pk, file_name, counted)
        if done >= limit:
            break
    return done
