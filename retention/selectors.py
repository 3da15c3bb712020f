"""Reads for retention, scoped to the admin's organisation. Another organisation's record is a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from decisions.choices import DecisionStatus
from decisions.models import Decision
from decisions.permissions import Can, ensure

from . import schedule
from .models import DisposalProposal, LegalHold, ProposalStatus, RetentionSchedule, Tombstone


def active_organisation_hold(organisation_id: int) -> LegalHold | None:
    return (
        LegalHold.objects.select_related("placed_by")
        .filter(organisation_id=organisation_id, decision__isnull=True, lifted_at__isnull=True)
        .first()
    )


def due_for_review(user: Any, today: dt.date | None = None) -> QuerySet[Decision]:
    """Submitted records of the admin's organisation whose retention review date has come, oldest activity
    first, each marked with whether it is on hold and whether a disposal is waiting for a second admin."""
    membership = ensure(user, Can.MANAGE_RETENTION)
    organisation = membership.organisation
    today = today or timezone.localdate()
    return (
        Decision.objects.filter(organisation_id=organisation.pk, status=DecisionStatus.SUBMITTED)
        .filter(schedule.due_condition(organisation, today, prefix="retention__"))
        .select_related("retention")
        .annotate(
            on_hold=Exists(LegalHold.objects.filter(decision=OuterRef("pk"), lifted_at__isnull=True)),
            proposed=Exists(DisposalProposal.objects.filter(decision=OuterRef("pk"), status=ProposalStatus.PROPOSED)),
        )
        .only("reference", "outcome", "edition", "submitted_at", "organisation_id", "retention")
        .order_by("retention__last_activity_on", "pk")
    )


def due_count(user: Any) -> int:
    return due_for_review(user).count()


def review_date_of(decision: Decision, organisation: Any) -> dt.date:
    """From the stored facts loaded with the list (no queries)."""
    facts: RetentionSchedule = decision.retention  # type: ignore[attr-defined]
    return schedule.review_date_from(
        born_on=facts.youngest_child_born_on,
        last_activity=facts.last_activity_on,
        child_age_years=organisation.retention_child_age_years,
        no_birth_date_years=organisation.retention_no_birth_date_years,
    )


def get_record_for_retention(user: Any, reference: str) -> Decision:
    """A submitted or disposed record of the admin's organisation, or 404."""
    membership = ensure(user, Can.MANAGE_RETENTION)
    decision = (
        Decision.objects.select_related("organisation", "current_version")
        .filter(
            organisation_id=membership.organisation_id,
            reference=reference,
            status__in=[DecisionStatus.SUBMITTED, DecisionStatus.DISPOSED],
        )
        .first()
    )
    if decision is None:
        raise Http404("No record found")
    return decision


@dataclass(frozen=True)
class RecordState:
    review_date: dt.date | None
    is_due: bool
    hold: LegalHold | None
    organisation_hold: LegalHold | None
    proposal: DisposalProposal | None
    tombstone: Tombstone | None
    past_holds: list[LegalHold]


def record_state(decision: Decision, today: dt.date | None = None) -> RecordState:
    today = today or timezone.localdate()
    tombstone = Tombstone.objects.select_related("proposed_by", "approved_by").filter(decision=decision).first()
    review_date = None if tombstone else schedule.retention_review_date(decision)
    holds = list(LegalHold.objects.select_related("placed_by", "lifted_by").filter(decision=decision))
    return RecordState(
        review_date=review_date,
        is_due=review_date is not None and review_date <= today,
        hold=next((h for h in holds if h.is_active), None),
        organisation_hold=active_organisation_hold(decision.organisation_id),
        proposal=DisposalProposal.objects.select_related("proposed_by")
        .filter(decision=decision, status=ProposalStatus.PROPOSED)
        .first(),
        tombstone=tombstone,
        past_holds=[h for h in holds if not h.is_active],
    )


def tombstones_for_user(user: Any) -> QuerySet[Tombstone]:
    membership = ensure(user, Can.MANAGE_RETENTION)
    return Tombstone.objects.filter(organisation_id=membership.organisation_id).select_related(
        "proposed_by", "approved_by"
    )


def proposals_waiting(user: Any) -> QuerySet[DisposalProposal]:
    membership = ensure(user, Can.MANAGE_RETENTION)
    return DisposalProposal.objects.filter(
        organisation_id=membership.organisation_id, status=ProposalStatus.PROPOSED
    ).select_related("decision", "proposed_by")


def organisation_holds(user: Any) -> list[LegalHold]:
    membership = ensure(user, Can.MANAGE_RETENTION)
    return list(
        LegalHold.objects.filter(organisation_id=membership.organisation_id, decision__isnull=True).select_related(
            "placed_by", "lifted_by"
        )[:50]
    )
