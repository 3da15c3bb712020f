"""Every write of retention: legal holds, and disposal proposed by one admin and approved by another.

Each is atomic and records its audit event in the same transaction. Events name the record by reference and
give ids, hashes and counts, never the reasons typed (they may name people) or any of the record's content,
so the trail still verifies, and says nothing personal, after the record is gone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Membership
from audit import actions
from audit import services as audit
from audit.models import AuditEvent
from decisions.choices import DecisionStatus
from decisions.models import Decision, DecisionDraft, DecisionVersion, FollowUp
from decisions.permissions import Can, ensure
from exports import deletion
from exports.models import BulkExport, SubjectAccessRequest
from oversight.models import Review, ReviewOutcome

from . import schedule
from .db import disposal_path
from .models import DisposalProposal, LegalHold, ProposalStatus, RetentionSchedule, Tombstone

REASON_MAX = 2000
# What a disposed version's answers become, and the text left where the database requires some.
DISPOSED_ANSWERS = {"disposed": True}
REMOVED = "Removed on disposal"


class DisposalRefused(ValidationError):
    """The disposal (or hold) cannot be done as asked; the message says why, in plain English."""


def _reason(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(f"Enter {what}")
    if len(value) > REASON_MAX:
        raise ValidationError(f"{what[0].upper()}{what[1:]} must be {REASON_MAX:,} characters or fewer")
    return value


def _locked_decision(by: Any, decision: Decision) -> Decision:
    membership = ensure(by, Can.MANAGE_RETENTION)
    locked = Decision.objects.select_for_update().filter(pk=decision.pk).first()
    if locked is None or locked.organisation_id != membership.organisation_id:
        raise PermissionDenied
    return locked


def _event(action: str, *, by: Any, organisation_id: int, request: HttpRequest | None, **kwargs: Any) -> None:
    audit.record(action=action, actor=by, organisation=organisation_id, request=request, **kwargs)


@transaction.atomic
def hold_place(
    *, by: Any, reason: str, decision: Decision | None = None, request: HttpRequest | None = None
) -> LegalHold:
    """A legal hold on one record, or (no decision) on every record of the admin's organisation."""
    membership = ensure(by, Can.MANAGE_RETENTION)
    reason = _reason(reason, "why the record must be kept")
    active = LegalHold.objects.select_for_update().filter(organisation_id=membership.organisation_id, lifted_at=None)
    if decision is not None:
        decision = _locked_decision(by, decision)
        if decision.status != DecisionStatus.SUBMITTED:
            raise DisposalRefused(f"{decision.reference} has been disposed of and cannot be held")
        if active.filter(decision=decision).exists():
            raise DisposalRefused(f"{decision.reference} is already on legal hold")
    elif active.filter(decision__isnull=True).exists():
        raise DisposalRefused("Your organisation's records are already on legal hold")
    hold = LegalHold.objects.create(
        organisation_id=membership.organisation_id,
        decision=decision,
        reason=reason,
        placed_by=by,
        placed_at=timezone.now(),
    )
    _event(
        actions.LEGAL_HOLD_PLACE,
        by=by,
        organisation_id=membership.organisation_id,
        request=request,
        target=decision if decision is not None else hold,
        target_ref=decision.reference if decision is not None else "",
        details={"hold": hold.pk, "scope": "record" if decision is not None else "organisation"},
    )
    return hold


@transaction.atomic
def hold_lift(*, by: Any, hold: LegalHold, reason: str, request: HttpRequest | None = None) -> LegalHold:
    membership = ensure(by, Can.MANAGE_RETENTION)
    reason = _reason(reason, "why the hold can be lifted")
    hold = LegalHold.objects.select_for_update(of=("self",)).select_related("decision").get(pk=hold.pk)
    if hold.organisation_id != membership.organisation_id:
        raise PermissionDenied
    if not hold.is_active:
        raise DisposalRefused("This hold has already been lifted")
    hold.lifted_by, hold.lifted_at, hold.lift_reason = by, timezone.now(), reason
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    _event(
        actions.LEGAL_HOLD_LIFT,
        by=by,
        organisation_id=membership.organisation_id,
        request=request,
        target=hold.decision if hold.decision is not None else hold,
        target_ref=hold.decision.reference if hold.decision is not None else "",
        details={"hold": hold.pk, "scope": "record" if hold.decision is not None else "organisation"},
    )
    return hold


def _ensure_not_held(decision: Decision) -> None:
    holds = LegalHold.objects.filter(organisation_id=decision.organisation_id, lifted_at=None)
    if holds.filter(decision=decision).exists():
        raise DisposalRefused(f"{decision.reference} is on legal hold. Lift the hold before disposing of it")
    if holds.filter(decision__isnull=True).exists():
        raise DisposalRefused(
            "Your organisation's records are on legal hold. Nothing can be disposed of until it is lifted"
        )


@transaction.atomic
def disposal_propose(
    *, by: Any, decision: Decision, reason: str, request: HttpRequest | None = None
) -> DisposalProposal:
    """The first admin's half: a record due for review, not on hold, proposed for disposal with a reason."""
    decision = _locked_decision(by, decision)
    reason = _reason(reason, "why the record can be disposed of")
    if decision.status != DecisionStatus.SUBMITTED:
        raise DisposalRefused(f"{decision.reference} has already been disposed of")
    review_date = schedule.retention_review_date(decision)
    if review_date > timezone.localdate():
        raise DisposalRefused(f"{decision.reference} is not due for retention review until {review_date:%-d %B %Y}")
    _ensure_not_held(decision)
    if DisposalProposal.objects.filter(decision=decision, status=ProposalStatus.PROPOSED).exists():
        raise DisposalRefused(f"Disposing of {decision.reference} has already been proposed")
    proposal = DisposalProposal.objects.create(
        organisation_id=decision.organisation_id,
        decision=decision,
        reason=reason,
        proposed_by=by,
        proposed_at=timezone.now(),
    )
    _event(
        actions.DISPOSAL_PROPOSE,
        by=by,
        organisation_id=decision.organisation_id,
        request=request,
        target=decision,
        target_ref=decision.reference,
        details={"proposal": proposal.pk},
    )
    return proposal


def _locked_open_proposal(by: Any, proposal: DisposalProposal) -> DisposalProposal:
    membership = ensure(by, Can.MANAGE_RETENTION)
    proposal = DisposalProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.organisation_id != membership.organisation_id:
        raise PermissionDenied
    if proposal.status != ProposalStatus.PROPOSED:
        raise DisposalRefused("This disposal is no longer waiting for approval")
    return proposal


@transaction.atomic
def disposal_cancel(*, by: Any, proposal: DisposalProposal, request: HttpRequest | None = None) -> DisposalProposal:
    """Either admin (or any other admin of the organisation) withdraws a proposal; the record stays."""
    decision = _locked_decision(by, proposal.decision)
    proposal = _locked_open_proposal(by, proposal)
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.CANCELLED, by, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    _event(
        actions.DISPOSAL_CANCEL,
        by=by,
        organisation_id=decision.organisation_id,
        request=request,
        target=decision,
        target_ref=decision.reference,
        details={"proposal": proposal.pk},
    )
    return proposal


@transaction.atomic
def disposal_approve(*, by: Any, proposal: DisposalProposal, request: HttpRequest | None = None) -> Tombstone:
    """The second admin's half: remove the record's personal content and leave a tombstone.

    Versions and reviews are rewritten through the one disposal path (retention/db.py), keeping their hashes,
    numbers and dates; drafts, the people only this record names, its schedule facts and the export files
    holding it go. The decision row stays, marked disposed, so every reference to it (the audit trail's
    included) still resolves."""
    decision = _locked_decision(by, proposal.decision)
    proposal = _locked_open_proposal(by, proposal)
    if proposal.proposed_by_id == by.pk:
        raise DisposalRefused("A different admin must approve this disposal. You proposed it")
    _ensure_admin_long_enough(by)
    if decision.status != DecisionStatus.SUBMITTED:
        raise DisposalRefused(f"{decision.reference} has already been disposed of")
    _ensure_not_held(decision)
    now = timezone.now()
    versions = list(DecisionVersion.objects.filter(decision=decision).order_by("number"))
    proposal.status, proposal.decided_by, proposal.decided_at = ProposalStatus.DISPOSED, by, now
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    tombstone = Tombstone.objects.create(
        decision=decision,
        organisation_id=decision.organisation_id,
        proposal=proposal,
        reference=decision.reference,
        edition=decision.edition,
        outcome=decision.outcome,
        created_at=decision.created_at,
        first_submitted_at=versions[0].submitted_at,
        last_submitted_at=versions[-1].submitted_at,
        last_activity_on=schedule.last_activity_on(decision),
        versions=[
            {"number": v.number, "content_hash": v.content_hash, "submitted_at": v.submitted_at.isoformat()}
            for v in versions
        ],
        reason=proposal.reason,
        proposed_by_id=proposal.proposed_by_id,
        proposed_at=proposal.proposed_at,
        approved_by=by,
        disposed_at=now,
    )
    removed = _remove_personal_content(decision)
    Decision.objects.filter(pk=decision.pk).update(status=DecisionStatus.DISPOSED, case_reference="", updated_at=now)
    _event(
        actions.DISPOSAL_APPROVE,
        by=by,
        organisation_id=decision.organisation_id,
        request=request,
        target=decision,
        target_ref=decision.reference,
        details={
            "proposal": proposal.pk,
            "proposed_by": proposal.proposed_by_id,
            "tombstone": tombstone.pk,
            "content_hashes": tombstone.content_hashes,
            **removed,
        },
    )
    return tombstone


def _ensure_admin_long_enough(by: Any) -> None:
    """A second admin made today could be the proposer's own second account: approval waits until the role is
    DISPOSAL_APPROVER_MIN_DAYS old (every role change is in the audit trail meanwhile)."""
    days = int(getattr(settings, "DISPOSAL_APPROVER_MIN_DAYS", 7))
    membership = Membership.objects.filter(user=by).first()
    if days <= 0 or membership is None:
        return
    since = membership.role_since or membership.created_at
    if since > timezone.now() - dt.timedelta(days=days):
        raise DisposalRefused(
            f"You can approve a disposal once you have been an admin for {days} days. "
            "Ask an admin who has held the role longer to approve it"
        )


def _remove_personal_content(decision: Decision) -> dict[str, int]:
    """Everything personal this record holds, gone; returns counts for the audit event."""
    with disposal_path(decision.pk):
        versions = DecisionVersion.objects.filter(decision=decision).update(
            answers=DISPOSED_ANSWERS,
            amendment_reason=Case(When(number=1, then=Value("")), default=Value(REMOVED)),
            # Typed in by the practitioner, so it may name people (a GP, a neighbour's family).
            recipient_agencies="",
        )
        reviews = Review.objects.filter(decision=decision).update(
            comment=Case(When(outcome=ReviewOutcome.RETURN, then=Value(REMOVED)), default=Value(""))
        )
        # Follow-ups keep what happened and when; who did it, how, what was said and why go.
        follow_ups = FollowUp.objects.filter(decision=decision).update(
            done_by="", how="", what_said="", response="", reason=""
        )
    drafts = DecisionDraft.objects.filter(decision=decision).update(
        answers={},
        unfinished={},
        amendment_reason=Case(When(amends_version__isnull=True, then=Value("")), default=Value(REMOVED)),
    )
    RetentionSchedule.objects.filter(decision=decision).delete()
    return {
        "versions": versions,
        "reviews": reviews,
        "follow_ups": follow_ups,
        "drafts": drafts,
        "people": _remove_people(decision),
        "export_files": _remove_export_files(decision),
    }


def _remove_people(decision: Decision) -> int:
    """The links from this record to people, and the people no other record names."""
    try:
        decision_person = apps.get_model("decisions", "DecisionPerson")
        person = apps.get_model("decisions", "Person")
    except LookupError:  # before people were rows, the record's answers held them (removed above)
        return 0
    person_ids = list(decision_person.objects.filter(decision=decision).values_list("person_id", flat=True))
    _remove_subject_access_files(person_ids)
    decision_person.objects.filter(decision=decision).delete()
    removed, _ = person.objects.filter(pk__in=person_ids, decision_links__isnull=True).delete()
    return int(removed)


def _remove_subject_access_files(person_ids: list[int]) -> int:
    """Subject access bundles about anyone on the record may hold it: nothing offers their files from now on, and
    the files are queued for deletion (exports/deletion.py: deleted once this commits, retried until they are);
    the rows stay as the record of the request, with no file to download."""
    bundles = list(
        SubjectAccessRequest.objects.select_for_update().filter(person_id__in=person_ids).exclude(file_name="")
    )
    deletion.queue(bundle.file_name for bundle in bundles)
    SubjectAccessRequest.objects.filter(pk__in=[b.pk for b in bundles]).update(file_name="")
    return len(bundles)


def _remove_export_files(decision: Decision) -> int:
    """Bulk export zips that hold the record (the export audits each record it put in) are queued for deletion
    as above; their rows stay, with no file to download."""
    export_ids = {
        details.get("bulk_export")
        for details in AuditEvent.objects.filter(
            organisation_id=decision.organisation_id, target_ref=decision.reference, action=actions.PDF_EXPORT
        ).values_list("details", flat=True)
    } - {None}
    exports = list(BulkExport.objects.select_for_update().filter(pk__in=export_ids).exclude(file_name=""))
    deletion.queue(export.file_name for export in exports)
    BulkExport.objects.filter(pk__in=[e.pk for e in exports]).update(file_name="", updated_at=timezone.now())
    return len(exports)
