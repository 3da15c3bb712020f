"""Reads for exports and verification, scoped by the user's organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import Team
from decisions.models import Decision
from decisions.permissions import Can, has, membership_of
from decisions.selectors import decisions_for_user

from .models import STALLED_AFTER, BulkExport, ExportStatus

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
