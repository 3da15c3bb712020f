"""Reviews in the dashboard's running counts, and rebuilding all the counts from the records.

The counts themselves, and what a decision counts as, are in decisions/summary.py; this adds what reviews
change: where the decision's review stands (awaiting, signed off, returned) and the review made, counted in
the month it was made.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Count
from django.db.models.functions import TruncMonth

from decisions import summary
from decisions.choices import DecisionStatus
from decisions.models import Decision, DecisionCount

from .models import Review


def count_reviewed(*, decision: Decision, review: Review, previous_review_status: str) -> None:
    """A review was made: the decision moves from awaiting to its new review status, and the review is counted
    in its month. Call in the review's transaction, after `decision.review_status` is set."""
    first = decision.versions.filter(number=1).values_list("submitted_at", flat=True).get()
    org, team, edition = decision.organisation_id, decision.team_id or 0, decision.edition
    month = summary.month_of(first)
    deltas: Counter[summary.Key] = Counter()
    deltas[(org, team, edition, month, summary.REVIEW_STATUS, previous_review_status)] -= 1
    deltas[(org, team, edition, month, summary.REVIEW_STATUS, decision.review_status)] += 1
    deltas[(org, team, edition, summary.month_of(review.created_at), summary.REVIEW, review.outcome)] += 1
    summary.apply(deltas)


def review_counts(organisation_id: int | None = None) -> Iterator[tuple[summary.Key, int]]:
    """Reviews made, by organisation, team, edition, month and outcome, counted by the database."""
    reviews = Review.objects.all()
    if organisation_id is not None:
        reviews = reviews.filter(decision__organisation_id=organisation_id)
    grouped = (
        reviews.annotate(month=TruncMonth("created_at", tzinfo=summary.LONDON))
        .values("decision__organisation_id", "decision__team_id", "decision__edition", "month", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        month = row["month"]
        month = month.astimezone(summary.LONDON).date() if isinstance(month, dt.datetime) else month
        key = (
            row["decision__organisation_id"],
            row["decision__team_id"] or 0,
            row["decision__edition"],
            month,
            summary.REVIEW,
            row["outcome"],
        )
        yield key, row["n"]


@transaction.atomic
def rebuild(organisation_id: int | None = None) -> int:
    """Recompute every count (of one organisation, or all) from decisions, versions and reviews. Returns the
    number of rows stored. Submits and reviews made meanwhile wait for it, then count on top."""
    summary.lock_counts()
    counts: Counter[summary.Key] = Counter()
    for key, n in summary.decision_counts(organisation_id):
        counts[key] += n
    for key, n in review_counts(organisation_id):
        counts[key] += n
    return summary.replace_all(counts.items(), organisation_id)


def count_after_migrate(*, using: str, plan: Any = None, verbosity: int = 1, **kwargs: Any) -> None:
    """Decisions without dashboard counts (a database upgraded from 0.1.0) are counted once the schema is whole
    (oversight/migrations/0004 says why not in the migration). Only after a `migrate` that applied something (flush
    sends this signal too, with no plan) and left nothing unapplied, so that today's models match the tables."""
    if not plan:
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    if DecisionCount.objects.using(using).exists():
        return
    if not Decision.objects.using(using).filter(status=DecisionStatus.SUBMITTED).exists():
        return
    with transaction.atomic(using=using):
        rows = rebuild()
    if verbosity:
        print(f"Dashboard counts made for the decisions already recorded: {rows} rows.")
