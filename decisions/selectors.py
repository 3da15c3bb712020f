"""Every read of decisions goes through here, scoped by the user's organisation and role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accounts.models import Team

from .choices import DecisionStatus, ReviewStatus
from .models import Decision, DecisionDraft, DecisionVersion, FollowUp, Person
from .people import normalise_name
from .permissions import Can, has, membership_of


def decisions_for_user(user: Any) -> QuerySet[Decision]:
    """The decisions this user may see: their own (practitioners) or their organisation's."""
    membership = membership_of(user)
    if membership is None:
        return Decision.objects.none()
    qs = Decision.objects.filter(organisation_id=membership.organisation_id)
    if has(user, Can.VIEW_ORG_DECISIONS):
        # Drafts, and drafts thrown away, are the practitioner's own.
        return qs.filter(status=DecisionStatus.SUBMITTED)
    if has(user, Can.VIEW_OWN_DECISIONS):
        # A disposed record is gone for everyone: only its tombstone remains (retention app, admins only).
        return qs.filter(owner=user).exclude(status=DecisionStatus.DISPOSED)
    return Decision.objects.none()


def get_decision_for_user(user: Any, reference: str) -> Decision:
    """One decision, or 404 whether it is missing or belongs to someone the user may not see."""
    decision = (
        decisions_for_user(user)
        .select_related(
            "organisation", "team", "owner", "current_version", "current_version__submitted_by", "follow_up_done_by"
        )
        .filter(reference=reference)
        .first()
    )
    if decision is None:
        raise Http404("No decision found")
    return decision


def get_open_draft_for_owner(user: Any, reference: str) -> DecisionDraft:
    """The open draft of the user's own decision, or 404."""
    membership = membership_of(user)
    if membership is None or not has(user, Can.START_DECISION):
        raise Http404("No draft found")
    # Only the decision comes with it: the step and check pages use nothing else, and each related row costs
    # the ORM more to put together than the query costs the database (an amendment's version loads when asked).
    draft = (
        DecisionDraft.objects.open()
        .select_related("decision")
        .filter(
            decision__reference=reference,
            decision__organisation_id=membership.organisation_id,
            decision__owner=user,
        )
        .first()
    )
    if draft is None:
        raise Http404("No draft found")
    return draft


def open_draft_of(decision: Decision) -> DecisionDraft | None:
    return DecisionDraft.objects.open().select_related("amends_version").filter(decision=decision).first()


def versions_of(decision: Decision) -> list[DecisionVersion]:
    return list(decision.versions.select_related("submitted_by").order_by("number"))


def version_of(decision: Decision, number: int) -> DecisionVersion:
    version = decision.versions.select_related("submitted_by").filter(number=number).first()
    if version is None:
        raise Http404("No such version")
    return version


def latest_submitted_draft_for_owner(user: Any, reference: str) -> DecisionDraft | None:
    membership = membership_of(user)
    if membership is None:
        return None
    return (
        DecisionDraft.objects.filter(
            decision__reference=reference,
            decision__organisation_id=membership.organisation_id,
            decision__owner=user,
            submitted_version__isnull=False,
        )
        .order_by("-pk")
        .first()
    )


def has_open_draft(user: Any, reference: str) -> bool:
    membership = membership_of(user)
    if membership is None:
        return False
    return (
        DecisionDraft.objects.open()
        .filter(
            decision__reference=reference,
            decision__organisation_id=membership.organisation_id,
            decision__owner=user,
        )
        .exists()
    )


# The decision list's views of one kind of decision, by the `show` query parameter (home page links use them).
LIST_FILTERS: dict[str, tuple[str, Q]] = {
    "drafts": ("Drafts", Q(status=DecisionStatus.DRAFT)),
    "returned": ("Returned", Q(status=DecisionStatus.SUBMITTED, review_status=ReviewStatus.RETURNED)),
    "awaiting": ("Awaiting review", Q(status=DecisionStatus.SUBMITTED, review_status=ReviewStatus.AWAITING)),
    "signed_off": ("Signed off", Q(status=DecisionStatus.SUBMITTED, review_status=ReviewStatus.SIGNED_OFF)),
}


def filter_decisions(qs: QuerySet[Decision], show: str) -> QuerySet[Decision]:
    """`qs` narrowed to one kind of decision; an unknown `show` leaves it as it is."""
    entry = LIST_FILTERS.get(show)
    return qs.filter(entry[1]) if entry else qs


@dataclass(frozen=True)
class OwnWork:
    drafts: int
    returned: int
    awaiting: int
    total: int


def own_work(user: Any) -> OwnWork:
    """A practitioner's decisions counted by state, for their home page: one query."""
    counts = decisions_for_user(user).aggregate(
        total=Count("pk"),
        **{key: Count("pk", filter=condition) for key, (_, condition) in LIST_FILTERS.items() if key != "signed_off"},
    )
    return OwnWork(
        drafts=counts["drafts"], returned=counts["returned"], awaiting=counts["awaiting"], total=counts["total"]
    )


def teams_for_user(user: Any) -> QuerySet[Team]:
    """The teams of the user's organisation, for the list's team filter."""
    membership = membership_of(user)
    if membership is None:
        return Team.objects.none()
    return Team.objects.filter(organisation_id=membership.organisation_id).order_by("name")


def people_for_user(user: Any) -> QuerySet[Person]:
    """The people of the user's organisation; none for anyone without one."""
    membership = membership_of(user)
    if membership is None or not (has(user, Can.VIEW_OWN_DECISIONS) or has(user, Can.VIEW_ORG_DECISIONS)):
        return Person.objects.none()
    return Person.objects.filter(organisation_id=membership.organisation_id)


def get_person_for_user(user: Any, pk: Any) -> Person:
    """One person of the user's organisation, or 404 whether missing or another organisation's."""
    try:
        key = int(pk)
    except (TypeError, ValueError):
        raise Http404("No person found") from None
    person = people_for_user(user).filter(pk=key).first()
    if person is None:
        raise Http404("No person found")
    return person


def search_people(user: Any, *, name: str = "", date_of_birth: Any = None, limit: int = 20) -> list[Person]:
    """People of the user's organisation whose name contains `name` (case and accents ignored) and, if given,
    born on `date_of_birth`. Nothing is matched without a search term."""
    needle = normalise_name(name)
    if not needle and date_of_birth is None:
        return []
    qs = people_for_user(user)
    if needle:
        qs = qs.filter(search_name__contains=needle)
    if date_of_birth is not None:
        qs = qs.filter(date_of_birth=date_of_birth)
    return list(qs.order_by("search_name", "pk")[:limit])


def decisions_about_person(user: Any, person: Person) -> QuerySet[Decision]:
    """The decisions about `person` that this user may see (a practitioner: their own)."""
    return (
        decisions_for_user(user).filter(people_links__person=person).exclude(status=DecisionStatus.DISCARDED).distinct()
    )


def follow_ups_due(user: Any, limit: int = 20) -> list[Decision]:
    """The user's own decisions whose family is still to be told, soonest first (one query)."""
    membership = membership_of(user)
    if membership is None or not has(user, Can.START_DECISION):
        return []
    return list(
        Decision.objects.filter(
            organisation_id=membership.organisation_id,
            owner=user,
            status=DecisionStatus.SUBMITTED,
            follow_up_due__isnull=False,
            follow_up_done_at__isnull=True,
        )
        .only("reference", "follow_up_due")
        .order_by("follow_up_due", "pk")[:limit]
    )


def follow_up_records(decision: Decision) -> list[FollowUp]:
    """What was recorded after the decision (the family told, the information sent), oldest first."""
    return list(decision.follow_ups.select_related("recorded_by", "version").order_by("recorded_at", "pk"))


def shares_to_send(user: Any, limit: int = 20) -> list[Decision]:
    """The user's own decisions signed off but not yet recorded as sent (the organisation reviews before sharing),
    soonest planned first."""
    membership = membership_of(user)
    if membership is None or not has(user, Can.START_DECISION):
        return []
    return list(
        Decision.objects.filter(
            organisation_id=membership.organisation_id,
            owner=user,
            status=DecisionStatus.SUBMITTED,
            review_status=ReviewStatus.SIGNED_OFF,
            share_planned_on__isnull=False,
            share_sent_at__isnull=True,
        )
        .only("reference", "share_planned_on")
        .order_by("share_planned_on", "pk")[:limit]
    )


def overdue_follow_ups(user: Any, today: dt.date, limit: int = 20) -> list[Decision]:
    """Decisions the user may see whose family was not told, or whose information was not sent, by the date it
    said: for the supervisor's home page."""
    overdue_told = Q(follow_up_due__lt=today, follow_up_done_at__isnull=True)
    overdue_sent = Q(review_status=ReviewStatus.SIGNED_OFF, share_planned_on__lt=today, share_sent_at__isnull=True)
    return list(
        decisions_for_user(user)
        .filter(overdue_told | overdue_sent, status=DecisionStatus.SUBMITTED)
        .select_related("owner")
        .only(
            "reference", "follow_up_due", "follow_up_done_at", "share_planned_on", "share_sent_at", "review_status",
            "owner__first_name", "owner__last_name", "owner__username",
        )
        .order_by("follow_up_due", "share_planned_on", "pk")[:limit]
    )  # fmt: skip
