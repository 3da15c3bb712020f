"""Every write of the export feature, each with its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Team
from audit import actions
from audit import services as audit
from background import runner as jobs_runner
from decisions.models import DecisionVersion, Person
from decisions.permissions import Can, ensure, membership_of
from decisions.services import audit_decision

from .models import BulkExport, ExportStatus, SubjectAccessRequest
from .selectors import decisions_for_export, decisions_for_subject_access
from .verification import Verdict

EMPTY_SELECTION = "There are no submitted decisions that match. Change the dates, team or outcome and try again."


class EmptySelection(ValidationError):
    """Nothing matches the chosen filters: say so rather than build an empty zip."""


@transaction.atomic
def pdf_exported(*, by: Any, version: DecisionVersion, request: HttpRequest | None = None) -> None:
    """One audit-record PDF was generated for `by`. Called after rendering, before the PDF is sent."""
    ensure(by, Can.EXPORT_PDF)
    audit_decision(
        actions.PDF_EXPORT,
        by=by,
        decision=version.decision,
        request=request,
        version=version.number,
        content_hash=version.content_hash,
    )


@transaction.atomic
def verification_recorded(*, by: Any, verdict: Verdict, method: str, request: HttpRequest | None = None) -> None:
    """Someone checked a code or an uploaded PDF: anyone may (the PDF sends its reader to the page). Recorded
    whatever the result, with the code they gave, in the chain of the organisation that issued the record.

    Only a member of that organisation is named, with their address as for any event; someone signed out or from
    another organisation is recorded as such and nothing more, so the trail holds no one's personal data."""
    membership = membership_of(by) if getattr(by, "is_authenticated", False) else None
    details: dict[str, Any] = {"method": method, "result": verdict.result.value, "code": verdict.code}
    decision = verdict.version.decision if verdict.version is not None else None
    own = membership is not None and (decision is None or membership.organisation_id == decision.organisation_id)
    if not own:
        if membership is not None:
            details["checked_by"] = "another_organisation"
        else:
            details["checked_by"] = (
                "signed_in_without_organisation" if getattr(by, "is_authenticated", False) else "signed_out"
            )
    actor, where = (by, request) if own else (None, None)
    with transaction.atomic():
        if decision is not None:
            assert verdict.version is not None
            audit_decision(
                actions.VERIFY_CODE,
                by=actor,
                decision=decision,
                request=where,
                version=verdict.version.number,
                **details,
            )
        else:
            audit.record(
                action=actions.VERIFY_CODE,
                actor=actor,
                organisation=membership.organisation_id if membership is not None else None,
                details=details,
                request=where,
            )


def _enqueue(export_id: int) -> None:
    from .tasks import build_bulk_export

    result = build_bulk_export.enqueue(export_id)
    # The immediate backend has already run the job (and bumped updated_at); only the id is recorded here.
    BulkExport.objects.filter(pk=export_id).update(task_id=str(result.id)[:64])


@transaction.atomic
def bulk_export_start(
    *,
    by: Any,
    submitted_from: dt.date,
    submitted_to: dt.date,
    team: Team | None,
    outcome: str,
    verify_url: str,
    request: HttpRequest | None = None,
) -> BulkExport:
    """Queue a zip of the matching decisions' PDFs. The job starts once this transaction commits."""
    membership = ensure(by, Can.BULK_EXPORT)
    if team is not None and team.organisation_id != membership.organisation_id:
        raise PermissionDenied
    if submitted_from > submitted_to:
        raise ValidationError("The start date must be the same as or before the end date")
    total = decisions_for_export(
        by,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        team_id=team.pk if team else None,
        outcome=outcome,
    ).count()
    if total == 0:
        raise EmptySelection(EMPTY_SELECTION)
    now = timezone.now()
    export = BulkExport(
        organisation_id=membership.organisation_id,
        requested_by=by,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        team=team,
        outcome=outcome,
        verify_url=verify_url,
        total=total,
        created_at=now,
        updated_at=now,
    )
    export.full_clean()
    export.save()
    audit.record(
        action=actions.BULK_EXPORT_START,
        actor=by,
        organisation=membership.organisation_id,
        target=export,
        details=_filters(export) | {"decisions": total},
        request=request,
    )
    # robust: if queueing fails the export stays queued, is shown as stopped after a while, and can be retried.
    transaction.on_commit(partial(_enqueue, export.pk), robust=True)
    return export


@transaction.atomic
def bulk_export_retry(*, by: Any, export: BulkExport, request: HttpRequest | None = None) -> BulkExport:
    """Start a failed or stopped export again, from the beginning, with the selection counted afresh."""
    ensure(by, Can.BULK_EXPORT)
    export = BulkExport.objects.select_for_update().get(pk=export.pk)
    if export.requested_by_id != by.pk:
        raise PermissionDenied
    if not export.can_retry:
        raise ValidationError("This export is not stopped, so it cannot be started again")
    total = decisions_for_export(
        by,
        submitted_from=export.submitted_from,
        submitted_to=export.submitted_to,
        team_id=export.team_id,
        outcome=export.outcome,
    ).count()
    if total == 0:
        raise EmptySelection(EMPTY_SELECTION)
    # The stopped attempt's workers give way at their next renewal; its pieces go once this commits.
    from .tasks import KIND, attempt_files_delete

    for job in jobs_runner.cancel(kind=KIND, owner_id=export.pk):
        transaction.on_commit(partial(attempt_files_delete, export.pk, job.attempt))
    export.status = ExportStatus.QUEUED
    export.total = total
    export.done = 0
    export.error_message = ""
    export.updated_at = timezone.now()
    export.started_at = None
    export.finished_at = None
    export.save(update_fields=["status", "total", "done", "error_message", "updated_at", "started_at", "finished_at"])
    audit.record(
        action=actions.BULK_EXPORT_START,
        actor=by,
        organisation=export.organisation_id,
        target=export,
        details=_filters(export) | {"decisions": total, "retry": True, "attempt": export.attempts + 1},
        request=request,
    )
    # robust: if queueing fails the export stays queued, is shown as stopped after a while, and can be retried.
    transaction.on_commit(partial(_enqueue, export.pk), robust=True)
    return export


@transaction.atomic
def bulk_export_downloaded(*, by: Any, export: BulkExport, request: HttpRequest | None = None) -> None:
    ensure(by, Can.BULK_EXPORT)
    audit.record(
        action=actions.BULK_EXPORT_DOWNLOAD,
        actor=by,
        organisation=export.organisation_id,
        target=export,
        details={"decisions": export.total, "file_sha256": export.file_sha256, "file_size": export.file_size},
        request=request,
    )


def _filters(export: BulkExport) -> dict[str, Any]:
    return {
        "submitted_from": export.submitted_from.isoformat(),
        "submitted_to": export.submitted_to.isoformat(),
        "team": export.team.name if export.team else "",
        "outcome": export.outcome,
    }


# Subject access requests ----------------------------------------------------------------------------------

NOTHING_ABOUT_PERSON = "There are no submitted decisions about this person, so there is nothing to put in a bundle."


def _enqueue_subject_access(request_id: int) -> None:
    from .subject_access import build_subject_access_bundle

    result = build_subject_access_bundle.enqueue(request_id)
    SubjectAccessRequest.objects.filter(pk=request_id).update(task_id=str(result.id)[:64])


@transaction.atomic
def subject_access_start(
    *, by: Any, person: Person, verify_url: str, request: HttpRequest | None = None
) -> SubjectAccessRequest:
    """Queue a bundle of every record about `person` the user may see. The job starts once this commits."""
    membership = ensure(by, Can.SUBJECT_ACCESS)
    if person.organisation_id != membership.organisation_id:
        raise PermissionDenied
    total = decisions_for_subject_access(by, person).count()
    if total == 0:
        raise EmptySelection(NOTHING_ABOUT_PERSON)
    now = timezone.now()
    subject_access = SubjectAccessRequest(
        organisation_id=membership.organisation_id,
        requested_by=by,
        person=person,
        verify_url=verify_url,
        total=total,
        created_at=now,
        updated_at=now,
    )
    subject_access.full_clean()
    subject_access.save()
    # The person by id only: their name and date of birth never go into the trail.
    audit.record(
        action=actions.SUBJECT_ACCESS_START,
        actor=by,
        organisation=membership.organisation_id,
        target=subject_access,
        details={"person": person.pk, "decisions": total},
        request=request,
    )
    transaction.on_commit(partial(_enqueue_subject_access, subject_access.pk), robust=True)
    return subject_access


@transaction.atomic
def subject_access_retry(
    *, by: Any, subject_access: SubjectAccessRequest, request: HttpRequest | None = None
) -> SubjectAccessRequest:
    """Build a failed or stopped bundle again, from the beginning, with the records found afresh."""
    ensure(by, Can.SUBJECT_ACCESS)
    current = (
        SubjectAccessRequest.objects.select_for_update(of=("self",)).select_related("person").get(pk=subject_access.pk)
    )
    if current.requested_by_id != by.pk:
        raise PermissionDenied
    if not current.can_retry:
        raise ValidationError("This bundle is not stopped, so it cannot be started again")
    if current.person is None:
        raise EmptySelection(NOTHING_ABOUT_PERSON)
    total = decisions_for_subject_access(by, current.person).count()
    if total == 0:
        raise EmptySelection(NOTHING_ABOUT_PERSON)
    from .subject_access import KIND, attempt_files_delete

    for job in jobs_runner.cancel(kind=KIND, owner_id=current.pk):
        transaction.on_commit(partial(attempt_files_delete, current.pk, job.attempt))
    current.status = ExportStatus.QUEUED
    current.total = total
    current.done = 0
    current.error_message = ""
    current.updated_at = timezone.now()
    current.started_at = None
    current.finished_at = None
    current.save(update_fields=["status", "total", "done", "error_message", "updated_at", "started_at", "finished_at"])
    audit.record(
        action=actions.SUBJECT_ACCESS_START,
        actor=by,
        organisation=current.organisation_id,
        target=current,
        details={"person": current.person_id, "decisions": total, "retry": True, "attempt": current.attempts + 1},
        request=request,
    )
    transaction.on_commit(partial(_enqueue_subject_access, current.pk), robust=True)
    return current


@transaction.atomic
def subject_access_downloaded(
    *, by: Any, subject_access: SubjectAccessRequest, request: HttpRequest | None = None
) -> None:
    ensure(by, Can.SUBJECT_ACCESS)
    audit.record(
        action=actions.SUBJECT_ACCESS_DOWNLOAD,
        actor=by,
        organisation=subject_access.organisation_id,
        target=subject_access,
        details={
            "decisions": subject_access.total,
            "naming_others": subject_access.naming_others,
            "for_review": subject_access.for_review,
            "file_sha256": subject_access.file_sha256,
            "file_size": subject_access.file_size,
        },
        request=request,
    )


@transaction.atomic
def subject_access_expired(*, subject_access: SubjectAccessRequest) -> None:
    """The bundle's download time is over: its file goes, and the trail says so (the worker does this)."""
    from .storage import delete_quietly

    current = SubjectAccessRequest.objects.select_for_update().get(pk=subject_access.pk)
    if not current.file_name:
        return
    delete_quietly(current.file_name)
    SubjectAccessRequest.objects.filter(pk=current.pk).update(file_name="")
    audit.record(
        action=actions.SUBJECT_ACCESS_EXPIRE,
        actor=None,
        actor_label="background worker",
        organisation=current.organisation_id,
        target=current,
        details={
            "file_sha256": current.file_sha256,
            "expired_at": current.expires_at.isoformat() if current.expires_at else "",
        },
    )
