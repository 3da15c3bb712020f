"""Every write to decisions. Each is atomic and records its audit event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit import actions
from audit import services as audit

from . import summary, wizard
from .choices import DecisionStatus, ReviewStatus
from .guidance import CURRENT_EDITION
from .models import Decision, DecisionDraft, DecisionVersion, ReferenceCounter
from .permissions import Can, can_amend, can_edit_draft, ensure
from .signals import decision_submitted


class RecordInvalid(ValidationError):
    """The whole record failed the submit-time checks; `problems` says where."""

    def __init__(self, problems: list[wizard.Problem]) -> None:
        super().__init__([p.message for p in problems])
        self.problems = problems


def _next_reference(organisation: Any) -> str:
    year = timezone.localdate().year
    counter, _ = ReferenceCounter.objects.get_or_create(organisation=organisation, year=year)
    counter = ReferenceCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{organisation.reference_prefix}-{year}-{counter.last_number:05d}"


def audit_decision(action: str, *, by: Any, decision: Decision, request: HttpRequest | None, **details: Any) -> None:
    """Record an event about one decision, filterable by its reference. Call inside the change's transaction."""
    audit.record(
        action=action,
        actor=by,
        organisation=decision.organisation_id,
        target=decision,
        target_ref=decision.reference,
        details=details,
        request=request,
    )


@transaction.atomic
def decision_start(*, by: Any, request: HttpRequest | None = None) -> DecisionDraft:
    """A new decision with an empty draft, under the current guidance edition."""
    membership = ensure(by, Can.START_DECISION)
    now = timezone.now()
    decision = Decision.objects.create(
        organisation=membership.organisation,
        team=membership.team,
        owner=by,
        reference=_next_reference(membership.organisation),
        edition=CURRENT_EDITION,
        status=DecisionStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    draft = DecisionDraft.objects.create(decision=decision, created_by=by, created_at=now, updated_at=now)
    audit_decision(actions.DECISION_CREATE, by=by, decision=decision, request=request, edition=decision.edition)
    return draft


@transaction.atomic
def draft_save_step(
    *,
    by: Any,
    draft: DecisionDraft,
    step_key: str,
    answers: dict[str, Any],
    request: HttpRequest | None = None,
) -> DecisionDraft:
    """Store one page's answers. Other pages' answers stay as they were, even on abandoned branches, so
    switching back restores them; only the applicable ones are submitted."""
    draft = DecisionDraft.objects.select_for_update(of=("self",)).select_related("decision").get(pk=draft.pk)
    if not can_edit_draft(by, draft):
        raise PermissionDenied
    if wizard.step_by_key(draft.decision.edition, step_key) is None:
        raise ValidationError("Unknown question")
    now = timezone.now()
    changed = draft.answers.get(step_key) != answers
    draft.answers = {**draft.answers, step_key: answers}
    draft.last_step = step_key
    draft.updated_at = now
    draft.save(update_fields=["answers", "last_step", "updated_at"])
    decision = draft.decision
    case_reference = (draft.answers.get("request") or {}).get("case_reference", "")
    Decision.objects.filter(pk=decision.pk).update(updated_at=now, case_reference=case_reference[:60])
    audit_decision(
        actions.DECISION_STEP_SAVE, by=by, decision=decision, request=request, step=step_key, changed=changed
    )
    return draft


@transaction.atomic
def decision_submit(*, by: Any, draft: DecisionDraft, request: HttpRequest | None = None) -> DecisionVersion:
    """Freeze a draft into an immutable version. Submitting an already submitted draft returns its version,
    so a double click or a replayed POST makes one record."""
    draft = (
        DecisionDraft.objects.select_for_update(of=("self",))
        .select_related("decision", "amends_version")
        .get(pk=draft.pk)
    )
    if draft.submitted_version_id is not None:
        return DecisionVersion.objects.get(pk=draft.submitted_version_id)
    if not can_edit_draft(by, draft):
        raise PermissionDenied
    decision = Decision.objects.select_for_update().get(pk=draft.decision_id)
    problems = wizard.validate_record(decision.edition, draft.answers)
    if problems:
        raise RecordInvalid(problems)
    answers = wizard.relevant_answers(decision.edition, draft.answers)
    previous = decision.current_version
    if draft.amends_version_id and previous is not None and previous.pk != draft.amends_version_id:
        raise ValidationError("This decision was amended elsewhere. Start the amendment again.")
    now = timezone.now()
    version = DecisionVersion(
        decision=decision,
        number=(previous.number + 1) if previous else 1,
        edition=decision.edition,
        answers=answers,
        submitted_at=now,
        submitted_by=by,
        previous=previous,
        amendment_reason=draft.amendment_reason if previous else "",
        **wizard.facts(answers),
    )
    version.content_hash = version.compute_content_hash()
    version.full_clean()
    version.save()
    draft.submitted_version = version
    draft.updated_at = now
    draft.save(update_fields=["submitted_version", "updated_at"])
    summary.count_submitted(
        decision=decision, version=version, previous=previous, previous_review_status=decision.review_status
    )
    decision.current_version = version
    decision.status = DecisionStatus.SUBMITTED
    decision.submitted_at = now
    decision.updated_at = now
    decision.outcome = version.outcome
    decision.review_status = ReviewStatus.AWAITING
    decision.save(update_fields=["current_version", "status", "submitted_at", "updated_at", "outcome", "review_status"])
    audit_decision(
        actions.DECISION_SUBMIT,
        by=by,
        decision=decision,
        request=request,
        version=version.number,
        content_hash=version.content_hash,
        outcome=version.outcome,
    )
    transaction.on_commit(lambda: decision_submitted.send(sender=DecisionVersion, version=version, by=by))
    return version


@transaction.atomic
def decision_amend_start(
    *, by: Any, decision: Decision, reason: str, request: HttpRequest | None = None
) -> DecisionDraft:
    """Open an amendment: a draft holding the current answers, which submits as the next version.
    If one is already open, it is returned rather than a second made."""
    decision = Decision.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=decision.pk)
    if not can_amend(by, decision):
        raise PermissionDenied
    existing = decision.drafts.filter(submitted_version__isnull=True).first()
    if existing is not None:
        return existing
    now = timezone.now()
    current = decision.current_version
    assert current is not None  # a submitted decision always has one (database constraint)
    draft = DecisionDraft.objects.create(
        decision=decision,
        created_by=by,
        answers=dict(current.answers),
        amends_version=current,
        amendment_reason=reason.strip(),
        created_at=now,
        updated_at=now,
    )
    audit_decision(
        actions.DECISION_AMEND_START, by=by, decision=decision, request=request, amends_version=current.number
    )
    return draft


def decision_viewed(
    *, by: Any, decision: Decision, version: int | None = None, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        audit_decision(actions.DECISION_VIEW, by=by, decision=decision, request=request, version=version)
