"""Reads for the review queue and the dashboard, scoped by the user's organisation.

The dashboard's figures come from running counts kept beside the records (decisions/summary.py), so the page
costs the same for ten thousand decisions as for a million.
"""

from __future__ import annotations

import datetime as dt
import textwrap
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum
from django.utils import timezone

from decisions import summary, wizard
from decisions.choices import ConsentStatus, DecisionStatus, Outcome, ReviewStatus
from decisions.guidance import EDITION_CHOICES
from decisions.models import Decision, DecisionCount
from decisions.permissions import Can, ensure

from .models import Notification, NotificationStatus, Review, ReviewOutcome

LONDON = zoneinfo.ZoneInfo("Europe/London")
DASHBOARD_MONTHS = 12


def not_sought_reasons(edition_code: str) -> list[tuple[str, str]]:
    """The reasons for not seeking consent an edition's current layout offers, in its own words: (code, label).
    Read from the page itself, so the dashboard cannot fall behind a reworded or added reason."""
    step = wizard.flow_for(edition_code).step("consent_not_sought")
    assert step is not None
    field = step.form_class.base_fields["reasons"]
    return [(str(code), str(label)) for code, label in getattr(field, "choices", [])]


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
        # The queue shows the version's number, not its answers (a few kilobytes of JSON per row to decode).
        .defer("current_version__answers")
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
    # Per edition shown, its title and each of its reasons (in its words) with the decisions giving it.
    not_sought_reasons_by_edition: list[tuple[str, list[tuple[str, int]]]]
    awaiting: int
    oldest_awaiting: dt.datetime | None
    awaiting_by_age: list[tuple[str, int]]
    returned_now: int
    returned_in_period: int
    signed_off_in_period: int
    # Decisions per recipient agency (a decision sharing with three agencies counts for each), most first.
    recipient_agencies: list[tuple[str, int]] = field(default_factory=list)

    @staticmethod
    def percent(part: int, whole: int) -> str:
        return f"{round(100 * part / whole)}%" if whole else "–"

    @property
    def not_sought_reasons(self) -> list[tuple[str, int]]:
        """Every edition's reasons in one list (for the chart): each named with its edition when there are two."""
        several = len(self.not_sought_reasons_by_edition) > 1
        return [
            (f"{title}: {label}" if several else label, n)
            for title, reasons in self.not_sought_reasons_by_edition
            for label, n in reasons
        ]

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
                # In each edition's words, which are long: wrapped (Chart.js draws a list as lines) so that the
                # axis does not cut them short.
                "labels": [textwrap.wrap(label, 45) for label, _ in self.not_sought_reasons],
                "series": [{"label": "Decisions", "data": [n for _, n in self.not_sought_reasons]}],
            },
            "ages": {
                "labels": [label for label, _ in self.awaiting_by_age],
                "series": [{"label": "Reviews waiting", "data": [n for _, n in self.awaiting_by_age]}],
            },
        }


RECIPIENT_AGENCIES_SHOWN = 20


def _month_start(today: dt.date, months_back: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def dashboard_figures(user: Any, *, now: dt.datetime | None = None, edition: str = "") -> Figures:
    """The organisation's decisions over the last twelve months (this one included), and its reviews now.

    A decision counts in the month it was first submitted, so amending it later does not move it; what
    it counts as (outcome, consent) is its current version. The figures come from the running counts
    (decisions/summary.py), a few hundred rows whatever the number of decisions; only how long reviews have
    waited is read from the decisions, as an index range over the last week's waiting ones.
    """
    membership = ensure(user, Can.VIEW_DASHBOARD)
    org_id = membership.organisation_id
    now = now or timezone.now()
    today = now.astimezone(LONDON).date()
    first_month = _month_start(today, DASHBOARD_MONTHS - 1)

    in_period: Counter[tuple[str, str]] = Counter()
    # Reasons are counted per edition: a code (e.g. "delay") can mean something different in each.
    reasons_in_period: Counter[tuple[str, str]] = Counter()
    per_month: dict[dt.date, Counter[str]] = {}
    review_status: Counter[str] = Counter()
    scope = DecisionCount.objects.filter(organisation_id=org_id)
    if edition:
        scope = scope.filter(edition=edition)
    counts = (
        scope.filter(Q(month__gte=first_month) | Q(fact=summary.REVIEW_STATUS))
        .values_list("edition", "month", "fact", "value")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for edition_code, month, fact, value, n in counts:
        if fact == summary.REVIEW_STATUS:
            review_status[value] += n
            continue
        in_period[(fact, value)] += n
        if fact == summary.NOT_SOUGHT_REASON:
            reasons_in_period[(edition_code, value)] += n
        if fact == summary.OUTCOME:
            per_month.setdefault(month, Counter())[value] += n
    months = []
    for start in (_month_start(today, back) for back in range(DASHBOARD_MONTHS - 1, -1, -1)):
        row = per_month.get(start, Counter())
        months.append(MonthRow(start, row[Outcome.SHARE_ALL], row[Outcome.SHARE_SOME], row[Outcome.NO_SHARE]))

    total = sum(n for (fact, _), n in in_period.items() if fact == summary.OUTCOME)
    sharing = in_period[(summary.OUTCOME, Outcome.SHARE_ALL)] + in_period[(summary.OUTCOME, Outcome.SHARE_SOME)]
    without_consent = [status for status in ConsentStatus if status != ConsentStatus.GIVEN]
    awaiting = review_status[ReviewStatus.AWAITING]

    # How long reviews have waited: the bands up to a week from an index range, the rest by difference.
    waiting = Decision.objects.filter(organisation_id=org_id, review_status=ReviewStatus.AWAITING)
    if edition:
        waiting = waiting.filter(edition=edition)
    bands: dict[str, Any] = {}
    lower = None
    for index, (_label, upper_days) in enumerate(AGE_BANDS[:-1]):
        assert upper_days is not None
        condition = Q(submitted_at__gt=now - dt.timedelta(days=upper_days))
        if lower is not None:
            condition &= Q(submitted_at__lte=now - dt.timedelta(days=lower))
        # Counting submitted_at (never empty when awaiting), not the id: every column the query reads is then in the
        # review-queue index, and PostgreSQL answers from the index alone, without visiting the table's rows.
        bands[f"band_{index}"] = Count("submitted_at", filter=condition)
        lower = upper_days
    recent = waiting.filter(submitted_at__gt=now - dt.timedelta(days=lower or 0)).aggregate(**bands)
    by_age = [recent[f"band_{i}"] for i in range(len(AGE_BANDS) - 1)]
    by_age.append(awaiting - sum(by_age))
    oldest = waiting.order_by("submitted_at").values_list("submitted_at", flat=True).first() if awaiting else None

    return Figures(
        since=first_month,
        months=months,
        total=total,
        consent_sought=total - in_period[(summary.CONSENT, ConsentStatus.NOT_SOUGHT)],
        sharing=sharing,
        shared_without_consent=sum(in_period[(summary.SHARING_CONSENT, status)] for status in without_consent),
        without_consent_by_status=[
            (status.label, in_period[(summary.SHARING_CONSENT, status)]) for status in without_consent
        ],
        not_sought_reasons_by_edition=[
            (title, [(label, reasons_in_period[(code, reason)]) for reason, label in not_sought_reasons(code)])
            for code, title in EDITION_CHOICES
            if not edition or code == edition
        ],
        recipient_agencies=sorted(
            ((value, n) for (fact, value), n in in_period.items() if fact == summary.RECIPIENT_AGENCY and n > 0),
            key=lambda item: (-item[1], item[0].casefold()),
        )[:RECIPIENT_AGENCIES_SHOWN],
        awaiting=awaiting,
        oldest_awaiting=oldest,
        awaiting_by_age=[(label, n) for (label, _), n in zip(AGE_BANDS, by_age, strict=True)],
        returned_now=review_status[ReviewStatus.RETURNED],
        returned_in_period=in_period[(summary.REVIEW, ReviewOutcome.RETURN)],
        signed_off_in_period=in_period[(summary.REVIEW, ReviewOutcome.APPROVE)],
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
