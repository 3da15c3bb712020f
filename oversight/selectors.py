"""Reads for the review queue and the dashboard, scoped by the user's organisation.

The dashboard's figures are aggregated by the database (a handful of GROUP BY queries), so the page costs
the same for ten decisions as for ten thousand.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Value
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone

from decisions.choices import ConsentStatus, DecisionStatus, Outcome, ReviewStatus
from decisions.guidance import NOT_SOUGHT_REASONS
from decisions.models import Decision, DecisionVersion
from decisions.permissions import Can, ensure

from .models import Notification, NotificationStatus, Review, ReviewOutcome

LONDON = zoneinfo.ZoneInfo("Europe/London")
DASHBOARD_MONTHS = 12
# Shorter names for the reasons consent was not sought, to fit a chart's axis and a table cell.
REASON_LABELS = {
    "delay": "Delay would put the child at risk",
    "parent_reaction": "Parent's actions or reactions would put the child at risk",
    "evidence_loss": "Evidence would be lost",
    "other": "Another reason",
}
# Upper bounds of the age bands for reviews waiting, in days.
AGE_BANDS: list[tuple[str, int | None]] = [
    ("Less than 1 day", 1),
    ("1 to 3 days", 3),
    ("3 to 7 days", 7),
    ("More than 7 days", None),
]


def review_queue(user: Any, *, team_only: bool = False) -> QuerySet[Decision]:
    """Submitted decisions of the supervisor's organisation waiting for review, oldest first.

    Their own decisions are left out, because nobody reviews their own.
    """
    membership = ensure(user, Can.REVIEW)
    qs = (
        Decision.objects.filter(
            organisation_id=membership.organisation_id,
            status=DecisionStatus.SUBMITTED,
            review_status=ReviewStatus.AWAITING,
        )
        .exclude(owner=user)
        .select_related("owner", "team", "current_version")
        .order_by("submitted_at", "pk")
    )
    if team_only:
        qs = qs.filter(team_id=membership.team_id) if membership.team_id else qs.none()
    return qs


@dataclass(frozen=True)
class ReviewWork:
    awaiting: int
    oldest_awaiting: dt.datetime | None
    returned: int


def review_work(user: Any) -> ReviewWork:
    """What a supervisor's home page counts: decisions waiting for them (their own left out, as in the queue),
    the oldest one's submission time, and decisions returned and not yet amended. One query."""
    membership = ensure(user, Can.REVIEW)
    waiting = Q(review_status=ReviewStatus.AWAITING) & ~Q(owner=user)
    counts = Decision.objects.filter(
        organisation_id=membership.organisation_id, status=DecisionStatus.SUBMITTED
    ).aggregate(
        awaiting=Count("pk", filter=waiting),
        oldest=Min("submitted_at", filter=waiting),
        returned=Count("pk", filter=Q(review_status=ReviewStatus.RETURNED)),
    )
    return ReviewWork(awaiting=counts["awaiting"], oldest_awaiting=counts["oldest"], returned=counts["returned"])


def reviews_of(decision: Decision) -> list[Review]:
    """The decision's reviews, oldest first, with who made them and of which version: one query."""
    return list(
        Review.objects.filter(decision=decision).select_related("reviewer", "version").order_by("created_at", "pk")
    )


def age_in_words(since: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if since is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - since).total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''}"
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return "Less than an hour"


@dataclass
class MonthRow:
    month: dt.date
    share_all: int = 0
    share_some: int = 0
    no_share: int = 0

    @property
    def total(self) -> int:
        return self.share_all + self.share_some + self.no_share


@dataclass
class Figures:
    since: dt.date
    months: list[MonthRow]
    total: int
    consent_sought: int
    sharing: int
    shared_without_consent: int
    without_consent_by_status: list[tuple[str, int]]
    not_sought_reasons: list[tuple[str, int]]
    awaiting: int
    oldest_awaiting: dt.datetime | None
    awaiting_by_age: list[tuple[str, int]]
    returned_now: int
    returned_in_period: int
    signed_off_in_period: int

    @staticmethod
    def percent(part: int, whole: int) -> str:
        return f"{round(100 * part / whole)}%" if whole else "–"

    @property
    def consent_sought_rate(self) -> str:
        return self.percent(self.consent_sought, self.total)

    @property
    def shared_without_consent_rate(self) -> str:
        return self.percent(self.shared_without_consent, self.sharing)

    def chart_data(self) -> dict[str, Any]:
        """The same figures as the tables, for the charts script."""
        return {
            "months": {
                "labels": [row.month.strftime("%b %Y") for row in self.months],
                "series": [
                    {"label": "Shared all", "data": [row.share_all for row in self.months]},
                    {"label": "Shared some", "data": [row.share_some for row in self.months]},
                    {"label": "Not shared", "data": [row.no_share for row in self.months]},
                ],
            },
            "reasons": {
                "labels": [label for label, _ in self.not_sought_reasons],
                "series": [{"label": "Decisions", "data": [n for _, n in self.not_sought_reasons]}],
            },
            "ages": {
                "labels": [label for label, _ in self.awaiting_by_age],
                "series": [{"label": "Reviews waiting", "data": [n for _, n in self.awaiting_by_age]}],
            },
        }


def _month_start(today: dt.date, months_back: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def dashboard_figures(user: Any, *, now: dt.datetime | None = None) -> Figures:
    """The organisation's decisions over the last twelve months (this one included), and its reviews now.

    A decision counts in the month it was first submitted, so amending it later does not move it; what
    it counts as (outcome, consent) is its current version.
    """
    membership = ensure(user, Can.VIEW_DASHBOARD)
    org_id = membership.organisation_id
    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    first_month = _month_start(today, DASHBOARD_MONTHS - 1)
    since = dt.datetime.combine(first_month, dt.time.min, tzinfo=LONDON)

    first_versions = DecisionVersion.objects.filter(
        number=1,
        submitted_at__gte=since,
        decision__organisation_id=org_id,
        decision__status=DecisionStatus.SUBMITTED,
    )
    counted = (
        first_versions.annotate(month=TruncMonth("submitted_at", tzinfo=LONDON))
        .values("month")
        .annotate(
            share_all=Count("pk", filter=Q(decision__outcome=Outcome.SHARE_ALL)),
            share_some=Count("pk", filter=Q(decision__outcome=Outcome.SHARE_SOME)),
            no_share=Count("pk", filter=Q(decision__outcome=Outcome.NO_SHARE)),
        )
        .order_by("month")
    )
    per_month: dict[dt.date, dict[str, Any]] = {row["month"].astimezone(LONDON).date(): dict(row) for row in counted}
    months = []
    for start in (_month_start(today, back) for back in range(DASHBOARD_MONTHS - 1, -1, -1)):
        row: dict[str, Any] = per_month.get(start, {})
        months.append(MonthRow(start, row.get("share_all", 0), row.get("share_some", 0), row.get("no_share", 0)))

    current = "decision__current_version__"
    sharing = Q(decision__outcome__in=[Outcome.SHARE_ALL, Outcome.SHARE_SOME])
    without_consent = sharing & ~Q(**{f"{current}consent_status": ConsentStatus.GIVEN})
    not_sought = Q(**{f"{current}consent_status": ConsentStatus.NOT_SOUGHT})
    # Reasons are stored comma-separated; wrapping them in commas makes each match exact.
    reason_counts = {
        f"reason_{code}": Count("pk", filter=not_sought & Q(reasons_csv__contains=f",{code},"))
        for code, _ in NOT_SOUGHT_REASONS
    }
    status_counts = {
        f"status_{status.value}": Count("pk", filter=sharing & Q(**{f"{current}consent_status": status.value}))
        for status in ConsentStatus
        if status != ConsentStatus.GIVEN
    }
    consent = first_versions.annotate(
        reasons_csv=Concat(Value(","), F(f"{current}consent_not_sought_reasons"), Value(","))
    ).aggregate(
        total=Count("pk"),
        consent_sought=Count("pk", filter=~not_sought),
        sharing=Count("pk", filter=sharing),
        shared_without_consent=Count("pk", filter=without_consent),
        **status_counts,
        **reason_counts,
    )

    bands: dict[str, Any] = {}
    lower = None
    for index, (_label, upper_days) in enumerate(AGE_BANDS):
        condition = Q(review_status=ReviewStatus.AWAITING)
        if lower is not None:
            condition &= Q(submitted_at__lte=now - dt.timedelta(days=lower))
        if upper_days is not None:
            condition &= Q(submitted_at__gt=now - dt.timedelta(days=upper_days))
        bands[f"band_{index}"] = Count("pk", filter=condition)
        lower = upper_days
    reviews = Decision.objects.filter(organisation_id=org_id, status=DecisionStatus.SUBMITTED).aggregate(
        awaiting=Count("pk", filter=Q(review_status=ReviewStatus.AWAITING)),
        oldest=Min("submitted_at", filter=Q(review_status=ReviewStatus.AWAITING)),
        returned_now=Count("pk", filter=Q(review_status=ReviewStatus.RETURNED)),
        **bands,
    )
    outcomes = Review.objects.filter(decision__organisation_id=org_id, created_at__gte=since).aggregate(
        returned=Count("pk", filter=Q(outcome=ReviewOutcome.RETURN)),
        signed_off=Count("pk", filter=Q(outcome=ReviewOutcome.APPROVE)),
    )

    return Figures(
        since=first_month,
        months=months,
        total=consent["total"],
        consent_sought=consent["consent_sought"],
        sharing=consent["sharing"],
        shared_without_consent=consent["shared_without_consent"],
        without_consent_by_status=[
            (status.label, consent[f"status_{status.value}"])
            for status in ConsentStatus
            if status != ConsentStatus.GIVEN
        ],
        not_sought_reasons=[
            (REASON_LABELS.get(code, label), consent[f"reason_{code}"]) for code, label in NOT_SOUGHT_REASONS
        ],
        awaiting=reviews["awaiting"],
        oldest_awaiting=reviews["oldest"],
        awaiting_by_age=[(label, reviews[f"band_{i}"]) for i, (label, _) in enumerate(AGE_BANDS)],
        returned_now=reviews["returned_now"],
        returned_in_period=outcomes["returned"],
        signed_off_in_period=outcomes["signed_off"],
    )


# An email still waiting this long after it was queued means the background worker is not running.
WORKER_SILENT_AFTER = dt.timedelta(minutes=15)


def emails_not_sent(admin: Any, limit: int = 50) -> list[Notification]:
    """The admin's organisation's emails that failed, are being retried after a failure, or have waited too
    long for the worker; newest first."""
    membership = ensure(admin, Can.MANAGE_ORGANISATION)
    waiting = Q(status=NotificationStatus.QUEUED)
    return list(
        Notification.objects.filter(organisation_id=membership.organisation_id)
        .filter(
            Q(status=NotificationStatus.FAILED)
            | (waiting & ~Q(problem=""))
            | (waiting & Q(created_at__lt=timezone.now() - WORKER_SILENT_AFTER))
        )
        .order_by("-created_at", "-pk")[:limit]
    )
