"""The dashboard's running counts (`DecisionCount`): what a decision counts as, and keeping the counts right.

`version_facts()` is the one place that says what a decision counts as. To add a dimension to the dashboard
(for example "decisions per recipient agency"): add an entry there (and the field it reads to `FACT_FIELDS`),
run `manage.py rebuild_dashboard` once so decisions made before it are counted, and read the new fact in
`oversight.selectors.dashboard_figures`. Nothing else changes: submit, amend and rebuild all go through it.

Counts change in the same transaction as the change they count (submit and amend here, reviews in
oversight/summary.py) through one upsert whose rows are in a fixed order, so two submits at once never
deadlock on them. A decision is counted in the UK month it was first submitted, by its current version;
amending moves its counts from the old version's facts to the new one's, in the same month.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth

from .choices import ConsentStatus, DecisionStatus, Outcome, ReviewStatus
from .models import Decision, DecisionCount, DecisionVersion

LONDON = ZoneInfo("Europe/London")

Fact = tuple[str, str]
# One count: (organisation id, team id or 0, edition, month, fact, value).
Key = tuple[int, int, str, dt.date, str, str]

OUTCOME = "outcome"
CONSENT = "consent"  # every decision, by consent status
SHARING_CONSENT = "sharing_consent"  # decisions to share, by consent status
NOT_SOUGHT_REASON = "not_sought_reason"  # one per reason given (a decision can give several)
REVIEW_STATUS = "review_status"  # where each decision's review stands now
REVIEW = "review"  # reviews made, by outcome, in the month they were made (oversight/summary.py)
RECIPIENT_AGENCY = "recipient_agency"  # one per agency a decision shared with (layout 3 on)

# The version fields `version_facts` reads: the rebuild loads only these.
FACT_FIELDS = ("outcome", "consent_status", "consent_not_sought_reasons", "recipient_agencies")


def version_facts(version: Any) -> list[Fact]:
    """What a decision counts as on the dashboard, from its current version's stored facts."""
    facts: list[Fact] = [(OUTCOME, version.outcome), (CONSENT, version.consent_status)]
    if version.outcome != Outcome.NO_SHARE:
        facts.append((SHARING_CONSENT, version.consent_status))
    if version.consent_status == ConsentStatus.NOT_SOUGHT:
        facts.extend((NOT_SOUGHT_REASON, code) for code in version.consent_not_sought_reasons.split(",") if code)
    # The agency as typed, spaces tidied and cut to the 60 characters a count's value holds (the version lists
    # each agency once, whatever its case: wizard.recipient_agencies).
    agencies = {agency_key(a): None for a in (version.recipient_agencies or "").splitlines() if a.strip()}
    facts.extend((RECIPIENT_AGENCY, key) for key in agencies)
    return facts


def agency_key(name: str) -> str:
    return " ".join(name.split())[:60]


def month_of(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LONDON).date().replace(day=1)


def _prefix(decision: Decision) -> tuple[int, int, str]:
    return decision.organisation_id, decision.team_id or 0, decision.edition


def count_submitted(
    *, decision: Decision, version: DecisionVersion, previous: DecisionVersion | None, previous_review_status: str
) -> None:
    """A version was submitted: the decision now counts as it says, and waits for review. Call in the submit's
    transaction."""
    deltas: Counter[Key] = Counter()
    org, team, edition = _prefix(decision)
    if previous is None:
        month = month_of(version.submitted_at)
    else:
        if previous.number == 1:
            first_submitted = previous.submitted_at
        else:
            first = DecisionVersion.objects.filter(decision=decision, number=1).values_list("submitted_at", flat=True)
            first_submitted = first.get()
        month = month_of(first_submitted)
        for fact, value in version_facts(previous):
            deltas[(org, team, edition, month, fact, value)] -= 1
        if previous_review_status:
            deltas[(org, team, edition, month, REVIEW_STATUS, previous_review_status)] -= 1
    for fact, value in version_facts(version):
        deltas[(org, team, edition, month, fact, value)] += 1
    deltas[(org, team, edition, month, REVIEW_STATUS, ReviewStatus.AWAITING)] += 1
    apply(deltas)


def apply(deltas: Counter[Key]) -> None:
    """Add the deltas to the counts: one INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite), in key order."""
    rows = sorted((key, n) for key, n in deltas.items() if n)
    if not rows:
        return
    table = connection.ops.quote_name(DecisionCount._meta.db_table)
    key_columns = "organisation_id, team_key, edition, month, fact, value"
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for (org, team, edition, month, fact, value), n in rows:
        params += [org, team, edition, month, fact, value, n]
    sql = (
        f"INSERT INTO {table} ({key_columns}, count) VALUES {values} "  # noqa: S608  # nosec B608 - model names
        f"ON CONFLICT (organisation_id, month, fact, value, team_key, edition) "
        f"DO UPDATE SET count = {table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def decision_counts(organisation_id: int | None = None) -> Iterator[tuple[Key, int]]:
    """The counts every submitted decision contributes, computed from the decisions themselves (for the rebuild).

    `version_facts` reads only FACT_FIELDS, so the database groups decisions by those (and by organisation,
    team, edition, first month and review status) and each group is asked once: seconds at a million.
    """
    current = "decision__current_version__"
    rows = DecisionVersion.objects.filter(number=1, decision__status=DecisionStatus.SUBMITTED)
    if organisation_id is not None:
        rows = rows.filter(decision__organisation_id=organisation_id)
    fields = [f"{current}{name}" for name in FACT_FIELDS]
    groups = (
        rows.annotate(first_month=TruncMonth("submitted_at", tzinfo=LONDON))
        .values_list(
            "first_month",
            "decision__organisation_id",
            "decision__team_id",
            "decision__edition",
            "decision__review_status",
            *fields,
        )  # fmt: skip
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals: Counter[Key] = Counter()
    for first_month, org, team, edition, review_status, *facts_and_n in groups.iterator(chunk_size=5000):
        *facts, n = facts_and_n
        month = first_month.astimezone(LONDON).date() if isinstance(first_month, dt.datetime) else first_month
        version = SimpleNamespace(**dict(zip(FACT_FIELDS, facts, strict=True)))
        for fact, value in version_facts(version):
            totals[(org, team or 0, edition, month, fact, value)] += n
        if review_status:
            totals[(org, team or 0, edition, month, REVIEW_STATUS, review_status)] += n
    yield from totals.items()


def replace_all(counts: Iterable[tuple[Key, int]], organisation_id: int | None = None) -> int:
    """Swap the stored counts (of one organisation, or all) for `counts`. Call in a transaction that has locked
    the table (see lock_counts)."""
    existing = DecisionCount.objects.all()
    if organisation_id is not None:
        existing = existing.filter(organisation_id=organisation_id)
    existing.delete()
    objects = [
        DecisionCount(organisation_id=org, team_key=team, edition=edition, month=month, fact=fact, value=value, count=n)
        for (org, team, edition, month, fact, value), n in counts
        if n
    ]
    DecisionCount.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def lock_counts() -> None:
    """Hold off submits, amendments and reviews (they wait, they do not fail) while the counts are rebuilt.

    On PostgreSQL a table lock that conflicts with their upserts; SQLite's IMMEDIATE transactions already hold
    the database's one write lock.
    """
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(DecisionCount._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")


def stored_counts(organisation_id: int) -> dict[tuple[dt.date, str, str], int]:
    """The organisation's stored counts by month, fact and value, over teams and editions (zeros left out)."""
    totals: Counter[tuple[dt.date, str, str]] = Counter()
    for month, fact, value, n in DecisionCount.objects.filter(organisation_id=organisation_id).values_list(
        "month", "fact", "value", "count"
    ):
        totals[(month, fact, value)] += n
    return {key: n for key, n in totals.items() if n}
