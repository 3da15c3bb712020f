"""When a record is due for retention review.

The organisation chooses two numbers (accounts.Organisation): the age the youngest child on the record must
reach (25 by default: the IRMS toolkit's "date of birth of the child plus 25 years, then review" for child
protection files), and the years after the record's last activity when no child's date of birth is known
(6 by default: the usual "last action plus 6 years" for closed case files, the Limitation Act's period for
most claims). It is a date for review, not for deletion: nothing is removed until two admins agree, so an
early date costs an admin a look, while a late one quietly keeps personal data longer than it is needed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Max, Q
from django.utils import timezone

from decisions.models import Decision

CHILD_PARTS = ("child", "other_child")


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def youngest_child_born_on(decision: Decision) -> dt.date | None:
    """The latest date of birth of a child on the record, where one is known.

    Dates of birth come from the people on the record (decisions.DecisionPerson, "people as rows"); until that
    model exists, the record stores none in a form to rely on, so the last-activity rule applies."""
    try:
        decision_person = apps.get_model("decisions", "DecisionPerson")
    except LookupError:
        return None
    born: dt.date | None = decision_person.objects.filter(
        decision=decision, part__in=CHILD_PARTS, person__date_of_birth__isnull=False
    ).aggregate(youngest=Max("person__date_of_birth"))["youngest"]
    return born


def last_activity_on(decision: Decision) -> dt.date:
    """The UK date of the latest thing done to the record: a submission, an amendment or a review."""
    review_model = apps.get_model("oversight", "Review")
    reviewed = review_model.objects.filter(decision=decision).aggregate(at=Max("created_at"))["at"]
    submitted = decision.versions.aggregate(at=Max("submitted_at"))["at"]
    return timezone.localdate(max(filter(None, [decision.updated_at, reviewed, submitted])))


def review_date_from(
    *, born_on: dt.date | None, last_activity: dt.date, child_age_years: int, no_birth_date_years: int
) -> dt.date:
    if born_on is not None:
        return _add_years(born_on, child_age_years)
    return _add_years(last_activity, no_birth_date_years)


def retention_review_date(decision: Decision) -> dt.date:
    """The one place the schedule is worked out, for one record, from what it stores now."""
    organisation = decision.organisation
    return review_date_from(
        born_on=youngest_child_born_on(decision),
        last_activity=last_activity_on(decision),
        child_age_years=organisation.retention_child_age_years,
        no_birth_date_years=organisation.retention_no_birth_date_years,
    )


def due_condition(organisation: Any, today: dt.date, prefix: str = "") -> Q:
    """Filter on RetentionSchedule rows (through `prefix` from another model): the same rule as
    `review_date_from`, as a query on two indexed columns."""
    born_before = _add_years(today, -organisation.retention_child_age_years)
    active_before = _add_years(today, -organisation.retention_no_birth_date_years)
    born, active = f"{prefix}youngest_child_born_on", f"{prefix}last_activity_on"
    return Q(**{f"{born}__isnull": False, f"{born}__lte": born_before}) | Q(
        **{f"{born}__isnull": True, f"{active}__lte": active_before}
    )


def refresh(decision: Decision) -> None:
    """Store the schedule's facts for a submitted decision (called in the transaction that changed it)."""
    from .models import RetentionSchedule

    RetentionSchedule.objects.update_or_create(
        decision=decision,
        defaults={
            "organisation_id": decision.organisation_id,
            "youngest_child_born_on": youngest_child_born_on(decision),
            "last_activity_on": last_activity_on(decision),
        },
    )
