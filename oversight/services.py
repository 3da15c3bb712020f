"""Every write of the review feature. Each is atomic and records its audit event in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import GuidanceEdition, Organisation, ReviewTiming
from audit import actions
from audit import services as audit
from decisions.choices import ReviewStatus
from decisions.models import Decision, DecisionVersion
from decisions.permissions import Can, ensure

from . import notifications, summary
from .models import Review, ReviewOutcome
from .permissions import may_review_in


class ReviewConflict(ValidationError):
    """The review cannot be made as asked: someone else reviewed it first, or a newer version exists."""


def _review(
    *,
    by: Any,
    decision: Decision,
    version: DecisionVersion,
    outcome: ReviewOutcome,
    comment: str,
    request: HttpRequest | None,
) -> tuple[Review, bool]:
    """The review, and whether it is new. Shared by approve and return, which differ only in outcome."""
    ensure(by, Can.REVIEW)
    # The row lock queues concurrent reviewers (and a double click) behind each other; the checks below
    # then see what the first one did.
    locked = Decision.objects.select_for_update().get(pk=decision.pk)
    if not may_review_in(by, locked) or version.decision_id != locked.pk:
        raise PermissionDenied
    comment = comment.strip()
    if outcome == ReviewOutcome.RETURN and not comment:
        raise ValidationError("Enter what the practitioner needs to change")
    existing = Review.objects.filter(version=version).first()
    if existing is not None:
        if existing.reviewer_id == by.pk and existing.outcome == outcome:
            # The same reviewer sending the same answer again (a double click or a replayed POST).
            return existing, False
        raise ReviewConflict(f"Version {version.number} of {locked.reference} has already been reviewed.")
    if locked.current_version_id != version.pk:
        raise ReviewConflict(f"{locked.reference} has a newer version. Review that version instead.")
    if locked.review_status != ReviewStatus.AWAITING:
        raise ReviewConflict(f"{locked.reference} is not waiting for a review.")
    now = timezone.now()
    review = Review(
        decision=locked,
        version=version,
        reviewer=by,
        outcome=outcome,
        comment=comment,
        created_at=now,
    )
    review.full_clean()
    review.save()
    locked.review_status = ReviewStatus.SIGNED_OFF if outcome == ReviewOutcome.APPROVE else ReviewStatus.RETURNED
    locked.updated_at = now
    locked.save(update_fields=["review_status", "updated_at"])
    summary.count_reviewed(decision=locked, review=review, previous_review_status=ReviewStatus.AWAITING)
    audit.record(
        action=actions.REVIEW_APPROVE if outcome == ReviewOutcome.APPROVE else actions.REVIEW_RETURN,
        actor=by,
        organisation=locked.organisation_id,
        target=locked,
        target_ref=locked.reference,
        # The comment is the record's content (it may name the child): it stays on the review, which disposal can
        # clear, and the log reads it from there.
        details={"version": version.number, "review": review.pk, "comment_given": bool(comment)},
        request=request,
    )
    return review, True


@transaction.atomic
def review_approve(
    *, by: Any, decision: Decision, version: DecisionVersion, comment: str = "", request: HttpRequest | None = None
) -> Review:
    """Sign off one version of a decision, with an optional comment."""
    review, _ = _review(
        by=by, decision=decision, version=version, outcome=ReviewOutcome.APPROVE, comment=comment, request=request
    )
    return review


@transaction.atomic
def review_return(
    *, by: Any, decision: Decision, version: DecisionVersion, comment: str, request: HttpRequest | None = None
) -> Review:
    """Send a decision back to its practitioner, saying what needs to change. They amend it, and the amended
    version comes back to the queue when they submit it."""
    review, created = _review(
        by=by, decision=decision, version=version, outcome=ReviewOutcome.RETURN, comment=comment, request=request
    )
    if created:
        notifications.notify_returned(review)
    return review


@transaction.atomic
def organisation_settings_update(
    *,
    by: Any,
    review_timing: str | None = None,
    retention_child_age_years: int | None = None,
    retention_no_birth_date_years: int | None = None,
    request: HttpRequest | None = None,
) -> Organisation:
    """Change the admin's organisation's settings: when it reviews decisions, and its retention schedule.
    A setting left as None stays as it is; saving the same values again records nothing."""
    membership = ensure(by, Can.MANAGE_ORGANISATION)
    if review_timing is not None and review_timing not in ReviewTiming.values:
        raise ValidationError("Select when decisions are reviewed")
    if retention_child_age_years is not None and not 18 <= retention_child_age_years <= 120:
        raise ValidationError("The age at which records are reviewed must be between 18 and 120")
    if retention_no_birth_date_years is not None and not 1 <= retention_no_birth_date_years <= 120:
        raise ValidationError("The years after the last activity must be between 1 and 120")
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    wanted = {
        "review_timing": review_timing,
        "retention_child_age_years": retention_child_age_years,
        "retention_no_birth_date_years": retention_no_birth_date_years,
    }
    changes = {
        name: {"from": getattr(organisation, name), "to": value}
        for name, value in wanted.items()
        if value is not None and getattr(organisation, name) != value
    }
    if not changes:
        return organisation
    for name, change in changes.items():
        setattr(organisation, name, change["to"])
    organisation.save(update_fields=list(changes))
    audit.record(
        action=actions.ORG_SETTINGS_CHANGE,
        actor=by,
        organisation=organisation,
        target=organisation,
        details=changes,
        request=request,
    )
    return organisation


@transaction.atomic
def organisation_edition_update(*, by: Any, guidance_edition: str, request: HttpRequest | None = None) -> Organisation:
    """Choose the edition of the advice that the admin's organisation's new decisions are made under. Decisions
    already started or submitted keep theirs. Saving the same edition again records nothing."""
    membership = ensure(by, Can.MANAGE_ORGANISATION)
    if guidance_edition not in GuidanceEdition.values:
        raise ValidationError("Select the edition of the advice for new decisions")
    organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
    before = organisation.guidance_edition
    if before == guidance_edition:
        return organisation
    organisation.guidance_edition = guidance_edition
    organisation.save(update_fields=["guidance_edition"])
    audit.record(
        action=actions.ORG_SETTINGS_CHANGE,
        actor=by,
        organisation=organisation,
        target=organisation,
        details={"guidance_edition": {"from": before, "to": guidance_edition}},
        request=request,
    )
    return organisation
