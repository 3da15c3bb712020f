"""The dashboard's figures aggregated live from every decision, version and review (how the page worked before
it kept running counts): the reference the running counts are tested against."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, F, Min, Q, Value
from django.db.models.functions import Concat, TruncMonth
from django.utils import timezone

from decisions.choices import ConsentStatus, DecisionStatus, Outcome, ReviewStatus
from decisions.guidance import EDITION_CHOICES
from decisions.models import Decision, DecisionVersion
from decisions.summary import agency_key
from oversight.models import Review, ReviewOutcome
from oversight.selectors import (
    AGE_BANDS,
    DASHBOARD_MONTHS,
    LONDON,
    RECIPIENT_AGENCIES_SHOWN,
    Figures,
    MonthRow,
    _month_start,
    not_sought_reasons,
)


def live_figures(org_id: int, *, now: dt.datetime | None = None) -> Figures:
    """The organisation's decisions over the last twelve months (this one included), and its reviews now.

    A decision counts in the month it was first submitted, so amending it later does not move it; what
    it counts as (outcome, consent) is its current version.
    """
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
        f"reason_{edition}_{code}": Count(
            "pk", filter=not_sought & Q(decision__edition=edition) & Q(reasons_csv__contains=f",{code},")
        )
        for edition, _ in EDITION_CHOICES
        for code, _ in not_sought_reasons(edition)
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

    # Each agency a decision's current version shared with, once per decision.
    agencies: Counter[str] = Counter()
    for listed in first_versions.values_list(f"{current}recipient_agencies", flat=True):
        agencies.update({agency_key(a) for a in (listed or "").splitlines() if a.strip()})

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
        not_sought_reasons_by_edition=[
            (title, [(label, consent[f"reason_{edition}_{code}"]) for code, label in not_sought_reasons(edition)])
            for edition, title in EDITION_CHOICES
        ],
        recipient_agencies=sorted(agencies.items(), key=lambda item: (-item[1], item[0].casefold()))[
            :RECIPIENT_AGENCIES_SHOWN
        ],
        awaiting=reviews["awaiting"],
        oldest_awaiting=reviews["oldest"],
        awaiting_by_age=[(label, reviews[f"band_{i}"]) for i, (label, _) in enumerate(AGE_BANDS)],
        returned_now=reviews["returned_now"],
        returned_in_period=outcomes["returned"],
        signed_off_in_period=outcomes["signed_off"],
    )
