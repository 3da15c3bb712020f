"""Reads for exports and verification, scoped by the user's organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Team
from decisions.models import Decision, Person
from decisions.permissions import Can, has, membership_of
from decisions.selectors import decisions_about_person, decisions_for_user

from .models import STALLED_AFTER, BulkExport, ExportStatus, SubjectAccessRequest

LONDON = ZoneInfo("Europe/London")


def decisions_for_export(
    user: Any,
    *,
    submitted_from: dt.date,
    submitted_to: dt.date,
    team_id: int | None = None,
    outcome: str = "",
) -> QuerySet[Decision]:
    """Submitted decisions the user may see whose current version was submitted between the two UK dates."""
    start = dt.datetime.combine(submitted_from, dt.time.min, tzinfo=LONDON)
    end = dt.datetime.combine(submitted_to + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
    qs = decisions_for_user(user).filter(
        status="submitted", current_version__isnull=False, submitted_at__gte=start, submitted_at__lt=end
    )
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs.order_by("submitted_at", "pk")


def teams_for_user(user: Any) -> QuerySet[Team]:
    membership = membership_of(user)
    if membership is None:
        return Team.objects.none()
    return Team.objects.filter(organisation_id=membership.organisation_id).order_by("name")


def exports_for_user(user: Any) -> QuerySet[BulkExport]:
    """An admin's own exports: each PDF in them says who generated it, so only that admin downloads it."""
    membership = membership_of(user)
    if membership is None or not has(user, Can.BULK_EXPORT):
        return BulkExport.objects.none()
    return BulkExport.objects.filter(organisation_id=membership.organisation_id, requested_by=user).select_related(
        "team"
    )


def get_export_for_user(user: Any, pk: int) -> BulkExport:
    export = exports_for_user(user).filter(pk=pk).first()
    if export is None:
        raise Http404("No export found")
    return export


def export_counts(user: Any) -> dict[str, int]:
    """An admin's own exports still running (queued or in progress, not stalled) and ready to download: one
    query, for their home page."""
    now = timezone.now()
    running = Q(status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], updated_at__gte=now - STALLED_AFTER)
    ready = Q(status=ExportStatus.READY) & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))
    return exports_for_user(user).aggregate(in_progress=Count("pk", filter=running), ready=Count("pk", filter=ready))


# Subject access requests ----------------------------------------------------------------------------------


def decisions_for_subject_access(user: Any, person: Person) -> QuerySet[Decision]:
    """Every submitted decision about `person` that the user may see, oldest first."""
    if not has(user, Can.SUBJECT_ACCESS):
        return Decision.objects.none()
    return (
        decisions_about_person(user, person)
        .filter(status="submitted", current_version__isnull=False)
        .order_by("submitted_at", "pk")
    )


def subject_access_for_user(user: Any) -> QuerySet[SubjectAccessRequest]:
    """The user's own subject access requests: each bundle's PDFs say who generated them, so only they download it."""
    membership = membership_of(user)
    if membership is None or not has(user, Can.SUBJECT_ACCESS):
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.filter(organisation_id=membership.organisation_id, requested_by=user)


def get_subject_access_for_user(user: Any, pk: int) -> SubjectAccessRequest:
    found = subject_access_for_user(user).select_related("person").filter(pk=pk).first()
    if found is None:
        raise Http404("No subject access request found")
    return found


def people_with_decision_counts(user: Any, people: list[Person]) -> list[tuple[Person, int]]:
    """Each person found, with how many submitted decisions about them the user may see: one query."""
    if not people:
        return []
    counts = dict(
        decisions_for_user(user)
        .filter(status="submitted", people_links__person__in=people)
        .values_list("people_links__person")
        .annotate(n=Count("pk", distinct=True))
        .values_list("people_links__person", "n")
    )
    return [(person, counts.get(person.pk, 0)) for person in people]
