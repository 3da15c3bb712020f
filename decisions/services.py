"""Every write to decisions. Each is atomic and records its audit event in the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Organisation
from audit import actions
from audit import services as audit

from . import follow_ups, people, summary, wizard
from .choices import DecisionStatus, FollowUpKind, FollowUpOutcome, ReviewStatus
from .models import Decision, DecisionDraft, DecisionVersion, FollowUp, Person, ReferenceCounter
from .permissions import Can, can_amend, can_edit_draft, ensure
from .signals import decision_submitted


class RecordInvalid(ValidationError):
    """The whole record failed the submit-time checks; `problems` says where."""

    def __init__(self, problems: list[wizard.Problem]) -> None:
        super().__init__([p.message for p in problems])
        self.problems = problems


class PageInvalid(RecordInvalid):
    """A page's answer breaks a rule that spans pages (for example consent as the basis when it was refused)."""


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
    """A new decision with an empty draft, under the edition of the advice its organisation has chosen. The
    decision keeps that edition for ever: its draft, its versions and its amendments are all answered in it."""
    membership = ensure(by, Can.START_DECISION)
    # Read now, not from the membership loaded with the user: an admin may have just changed it.
    edition_code = Organisation.objects.values_list("guidance_edition", flat=True).get(pk=membership.organisation_id)
    now = timezone.now()
    decision = Decision.objects.create(
        organisation=membership.organisation,
        team=membership.team,
        owner=by,
        reference=_next_reference(membership.organisation),
        edition=edition_code,
        status=DecisionStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    draft = DecisionDraft.objects.create(
        decision=decision,
        created_by=by,
        created_at=now,
        updated_at=now,
        layout=wizard.current_layout(decision.edition),
    )
    audit_decision(actions.DECISION_CREATE, by=by, decision=decision, request=request, edition=decision.edition)
    return draft


def _locked_open_draft(by: Any, draft: DecisionDraft, *related: str) -> DecisionDraft:
    draft = DecisionDraft.objects.select_for_update(of=("self",)).select_related("decision", *related).get(pk=draft.pk)
    if not can_edit_draft(by, draft):
        raise PermissionDenied
    return draft


def _touch(draft: DecisionDraft, now: Any) -> None:
    case_reference = (draft.answers.get("request") or {}).get("case_reference", "")
    Decision.objects.filter(pk=draft.decision_id).update(updated_at=now, case_reference=str(case_reference)[:60])


@transaction.atomic
def draft_save_step(
    *,
    by: Any,
    draft: DecisionDraft,
    step_key: str,
    answers: dict[str, Any],
    request: HttpRequest | None = None,
) -> DecisionDraft:
    """Store one page's answers, once the rules that span pages and are judged on this page hold. Other pages'
    answers stay as they were, even on abandoned branches, so switching back restores them; only the
    applicable ones are submitted."""
    draft = _locked_open_draft(by, draft)
    flow = wizard.flow_of(draft)
    if flow.step(step_key) is None:
        raise ValidationError("Unknown question")
    problems = flow.page_problems(step_key, {**draft.answers, step_key: answers})
    if problems:
        raise PageInvalid(problems)
    if step_key == "people":
        people.check_entries(draft.decision.organisation_id, people.entries_of({step_key: answers}))
    now = timezone.now()
    changed = draft.answers.get(step_key) != answers or step_key in draft.unfinished
    draft.answers = {**draft.answers, step_key: answers}
    draft.unfinished = {k: v for k, v in draft.unfinished.items() if k != step_key}
    draft.last_step = step_key
    draft.updated_at = now
    draft.save(update_fields=["answers", "unfinished", "last_step", "updated_at"])
    _touch(draft, now)
    if step_key == "people" and draft.amends_version_id is None:
        # An amendment's people become the decision's when it is submitted; until then the version's stand.
        people.sync_links(draft.decision, draft.answers)
    audit_decision(
        actions.DECISION_STEP_SAVE, by=by, decision=draft.decision, request=request, step=step_key, changed=changed
    )
    return draft


@transaction.atomic
def draft_save_unfinished(
    *,
    by: Any,
    draft: DecisionDraft,
    step_key: str,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> DecisionDraft:
    """Keep a page exactly as typed, without checking it ("Save and come back later"). The page's last valid
    answer, if any, stays as it was; the page counts as unfinished until it is saved and continued."""
    draft = _locked_open_draft(by, draft)
    if wizard.flow_of(draft).step(step_key) is None:
        raise ValidationError("Unknown question")
    now = timezone.now()
    # A note carried over from an earlier layout of the record stays until the page is answered in full.
    previous = draft.unfinished.get(step_key) or {}
    data = {**{k: v for k, v in previous.items() if str(k).startswith("carried_")}, **data}
    changed = draft.unfinished.get(step_key) != data
    draft.unfinished = {**draft.unfinished, step_key: data}
    draft.last_step = step_key
    draft.updated_at = now
    draft.save(update_fields=["unfinished", "last_step", "updated_at"])
    _touch(draft, now)
    audit_decision(
        actions.DECISION_STEP_SAVE,
        by=by,
        decision=draft.decision,
        request=request,
        step=step_key,
        changed=changed,
        finished=False,
    )
    return draft


def _reshaped(draft: DecisionDraft, edition_code: str) -> tuple[dict[str, Any], dict[str, Any], int]:
    """A draft's answers moved into the current layout: what maps is kept, a page that no longer passes its
    checks becomes unfinished (shown as carried over, to be checked), the rest is left to answer."""
    answers, layout = wizard.reshape(edition_code, draft.layout, draft.answers)
    flow = wizard.flow_for(edition_code, layout)
    kept: dict[str, Any] = {}
    unfinished: dict[str, Any] = {}
    for key, value in answers.items():
        step = flow.step(key)
        if step is None:
            continue
        data = step.form_class.data_from_answers(value)
        form = step.form_class(data=data)
        if form.is_valid():
            kept[key] = form.to_answers()
        else:
            unfinished[key] = data
    return kept, unfinished, layout


@transaction.atomic
def draft_reshape(*, by: Any, draft: DecisionDraft, request: HttpRequest | None = None) -> DecisionDraft:
    """Move a draft started in an earlier layout of the questions (before they were reshaped) into the current
    one, so it is answered and submitted in the current layout. Audited; nothing else changes."""
    draft = _locked_open_draft(by, draft)
    edition_code = draft.decision.edition
    if draft.layout == wizard.current_layout(edition_code):
        return draft
    old_layout = draft.layout
    draft.answers, unfinished, draft.layout = _reshaped(draft, edition_code)
    draft.unfinished = {**unfinished, **{k: v for k, v in draft.unfinished.items() if k not in draft.answers}}
    draft.updated_at = timezone.now()
    draft.save(update_fields=["answers", "unfinished", "layout", "updated_at"])
    audit_decision(
        actions.DECISION_DRAFT_RESHAPE,
        by=by,
        decision=draft.decision,
        request=request,
        from_layout=old_layout,
        to_layout=draft.layout,
    )
    return draft


@transaction.atomic
def draft_discard(*, by: Any, draft: DecisionDraft, request: HttpRequest | None = None) -> DecisionDraft:
    """Throw away a draft, or cancel an amendment. Nothing is deleted: the draft is closed, a never-submitted
    decision's reference is marked discarded, and the audit trail records it. Submitted versions stay."""
    # Locking the draft is enough: submitting and amending lock it too.
    draft = _locked_open_draft(by, draft, "amends_version")
    decision = draft.decision
    now = timezone.now()
    draft.discarded_at = now
    draft.updated_at = now
    draft.save(update_fields=["discarded_at", "updated_at"])
    if draft.amends_version is not None:
        # An amendment's people never replaced the decision's links (that waits for submit): nothing to undo.
        Decision.objects.filter(pk=decision.pk).update(updated_at=now)
        audit_decision(
            actions.DECISION_AMEND_CANCEL,
            by=by,
            decision=decision,
            request=request,
            amends_version=draft.amends_version.number,
        )
    else:
        decision.status = DecisionStatus.DISCARDED
        decision.updated_at = now
        decision.save(update_fields=["status", "updated_at"])
        audit_decision(actions.DECISION_DRAFT_DISCARD, by=by, decision=decision, request=request)
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
    flow = wizard.flow_for(decision.edition, draft.layout)
    problems = flow.validate(draft.answers, draft.unfinished)
    if problems:
        raise RecordInvalid(problems)
    answers = flow.relevant_answers(draft.answers)
    previous = decision.current_version
    if draft.amends_version_id and previous is not None and previous.pk != draft.amends_version_id:
        raise ValidationError("This decision was amended elsewhere. Start the amendment again.")
    now = timezone.now()
    version = DecisionVersion(
        decision=decision,
        number=(previous.number + 1) if previous else 1,
        edition=decision.edition,
        layout=flow.layout,
        answers=answers,
        submitted_at=now,
        submitted_by=by,
        previous=previous,
        amendment_reason=draft.amendment_reason if previous else "",
        **flow.facts(answers),
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
    due = flow.follow_up(answers) if flow.follow_up else ""
    due_date = dt.date.fromisoformat(due) if due else None
    if due_date != decision.follow_up_due:
        decision.follow_up_due = due_date
        decision.follow_up_done_at = None
        decision.follow_up_done_by = None
    # Recipients entered as planned (the organisation reviews before sharing) are sent after sign-off. Once
    # recorded as sent, an amendment does not reopen it.
    planned_on = follow_ups.planned_share_on(answers)
    if planned_on != decision.share_planned_on and decision.share_sent_at is None:
        decision.share_planned_on = planned_on
    decision.save(
        update_fields=[
            "current_version", "status", "submitted_at", "updated_at", "outcome", "review_status",
            "follow_up_due", "follow_up_done_at", "follow_up_done_by", "share_planned_on",
        ]
    )  # fmt: skip
    people.sync_links(decision, answers)
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
    If one is already open, it is returned rather than a second made. A version answered in an earlier layout
    of the questions has its answers moved into the current layout, for the practitioner to check."""
    decision = Decision.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=decision.pk)
    if not can_amend(by, decision):
        raise PermissionDenied
    existing = DecisionDraft.objects.filter(decision=decision).open().first()
    if existing is not None:
        return existing
    now = timezone.now()
    current = decision.current_version
    assert current is not None  # a submitted decision always has one (database constraint)
    draft = DecisionDraft(
        decision=decision,
        created_by=by,
        answers=dict(current.answers),
        layout=current.layout,
        amends_version=current,
        amendment_reason=reason.strip(),
        created_at=now,
        updated_at=now,
    )
    details: dict[str, Any] = {"amends_version": current.number}
    if current.layout != wizard.current_layout(decision.edition):
        draft.answers, draft.unfinished, draft.layout = _reshaped(draft, decision.edition)
        details.update(from_layout=current.layout, to_layout=draft.layout)
    draft.save()
    audit_decision(actions.DECISION_AMEND_START, by=by, decision=decision, request=request, **details)
    return draft


def decision_viewed(
    *, by: Any, decision: Decision, version: int | None = None, request: HttpRequest | None = None
) -> None:
    with transaction.atomic():
        audit_decision(actions.DECISION_VIEW, by=by, decision=decision, request=request, version=version)


@transaction.atomic
def person_create(
    *,
    by: Any,
    full_name: str,
    date_of_birth: dt.date | None,
    birth_date_accuracy: str,
    request: HttpRequest | None = None,
) -> Person:
    """Someone new on the organisation's records. The audit event names the row, never the person."""
    membership = ensure(by, Can.START_DECISION)
    name = " ".join(full_name.split())
    person = Person(
        organisation=membership.organisation,
        full_name=name,
        search_name=people.normalise_name(name),
        date_of_birth=date_of_birth if birth_date_accuracy != "unknown" else None,
        birth_date_accuracy=birth_date_accuracy,
        created_at=timezone.now(),
        created_by=by,
    )
    person.full_clean()
    person.save()
    audit.record(
        action=actions.PERSON_CREATE,
        actor=by,
        organisation=membership.organisation_id,
        target=person,
        details={},
        request=request,
    )
    return person


@transaction.atomic
def follow_up_record(
    *, by: Any, decision: Decision, kind: FollowUpKind, data: dict[str, Any], request: HttpRequest | None = None
) -> FollowUp:
    """What was done after the decision (the family told, the information sent), or why it was not: a row of its
    own following the current version, which stays exactly as submitted (its hash and verification code too)."""
    decision = Decision.objects.select_for_update(of=("self",)).select_related("current_version").get(pk=decision.pk)
    if decision.owner_id != by.pk or not decision.is_submitted or decision.current_version is None:
        raise PermissionDenied
    if not follow_ups.is_open(decision, kind):
        raise ValidationError("This has been recorded already")
    if kind == FollowUpKind.SHARE_SENT and decision.review_status != ReviewStatus.SIGNED_OFF:
        raise ValidationError("Record that it was sent once the decision is signed off")
    now = timezone.now()
    done = data["outcome"] == FollowUpOutcome.DONE
    follow_up = FollowUp(
        organisation_id=decision.organisation_id,
        decision=decision,
        version=decision.current_version,
        kind=kind,
        outcome=data["outcome"],
        due_on=follow_ups.due_on(decision, kind),
        done_on=data.get("done_on") if done else None,
        done_by=data.get("done_by", "") if done else "",
        how=data.get("how", "") if done else "",
        what_said=data.get("what_said", "") if done else "",
        response=data.get("response", "") if done else "",
        reason="" if done else data.get("reason", ""),
        recorded_at=now,
        recorded_by=by,
    )
    follow_up.full_clean()
    follow_up.save()
    if kind == FollowUpKind.FAMILY_TOLD:
        decision.follow_up_done_at, decision.follow_up_done_by = now, by
        decision.save(update_fields=["follow_up_done_at", "follow_up_done_by"])
    else:
        decision.share_sent_at = now
        decision.save(update_fields=["share_sent_at"])
    # Facts only: what was said stays on the follow-up, which disposal can clear.
    audit_decision(
        actions.DECISION_FOLLOW_UP_RECORD,
        by=by,
        decision=decision,
        request=request,
        follow_up=follow_up.pk,
        kind=str(kind),
        outcome=follow_up.outcome,
        version=decision.current_version.number,
        content_hash=decision.current_version.content_hash,
    )
    return follow_up
