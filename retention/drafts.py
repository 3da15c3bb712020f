"""Drafts that never became records, and people no record names: their retention (issue 25 item 7).

A discarded draft (or cancelled amendment) keeps what was typed into it: the requester's name, the case
reference, the purpose. Housekeeping purges it `DISCARDED_DRAFT_KEEP_DAYS` after it was discarded. An open draft
nobody has saved for `ABANDONED_DRAFT_DAYS` is listed on the retention page for an admin to dispose of. Purging
deletes the draft row; for a decision that was never submitted it also clears the decision's case reference and
its links to people (the reference stays taken, and its trail stays). People that no record or draft names are
then removed by housekeeping too. Submitted versions hold their own copy of each person, so no evidence changes.

Audit events give counts and references only, never what the drafts held.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from audit import actions
from audit import services as audit
from decisions.choices import DecisionStatus
from decisions.models import Decision, DecisionDraft, DecisionPerson, Person
from decisions.people import entries_of
from decisions.permissions import Can, ensure

from .models import LegalHold

# A person row younger than this is left alone: it may be on its way onto a draft in another transaction.
PERSON_GRACE = dt.timedelta(days=1)


def discarded_keep_days() -> int:
    return max(0, int(getattr(settings, "DISCARDED_DRAFT_KEEP_DAYS", 30)))


def abandoned_days() -> int:
    return max(1, int(getattr(settings, "ABANDONED_DRAFT_DAYS", 90)))


def discarded_due(now: dt.datetime) -> QuerySet[DecisionDraft]:
    before = now - dt.timedelta(days=discarded_keep_days())
    return DecisionDraft.objects.filter(
        submitted_version__isnull=True, discarded_at__isnull=False, discarded_at__lt=before
    ).order_by("pk")


def _named_by_open_amendments() -> set[int]:
    """People an open amendment names: its links wait for submit, so only its answers say so."""
    named: set[int] = set()
    for answers in DecisionDraft.objects.open().filter(amends_version__isnull=False).values_list("answers", flat=True):
        named |= {int(str(e["person_id"])) for e in entries_of(answers or {}) if str(e.get("person_id")).isdigit()}
    return named


def unnamed_people(now: dt.datetime) -> QuerySet[Person]:
    return (
        Person.objects.filter(created_at__lt=now - PERSON_GRACE, decision_links__isnull=True)
        .exclude(pk__in=_named_by_open_amendments())
        .order_by("pk")
    )


def _purge(drafts: list[DecisionDraft]) -> int:
    """Delete closed drafts. A never-submitted decision also loses its case reference and its people links."""
    never_submitted = [d.decision_id for d in drafts if d.amends_version_id is None]
    discarded = Decision.objects.filter(pk__in=never_submitted, status=DecisionStatus.DISCARDED)
    DecisionPerson.objects.filter(decision__in=discarded).delete()
    discarded.update(case_reference="")
    removed, _ = DecisionDraft.objects.filter(
        pk__in=[d.pk for d in drafts], submitted_version__isnull=True, discarded_at__isnull=False
    ).delete()
    return removed


def purge_discarded_batch(now: dt.datetime, limit: int) -> int:
    """Purge up to `limit` drafts discarded before the keeping period, in one transaction. 0 when none is left."""
    with transaction.atomic():
        drafts = list(discarded_due(now).select_for_update()[:limit])
        return _purge(drafts) if drafts else 0


def purge_unnamed_people_batch(now: dt.datetime, limit: int) -> int:
    with transaction.atomic():
        ids = list(unnamed_people(now).values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        # Named since it was read: it stays.
        removed, _ = Person.objects.filter(pk__in=ids, decision_links__isnull=True).delete()
        return removed


# Abandoned drafts, for an admin ------------------------------------------------------------------------------


def abandoned_for_user(user: Any, now: dt.datetime | None = None) -> QuerySet[DecisionDraft]:
    """Open drafts of the admin's organisation nobody has saved for `ABANDONED_DRAFT_DAYS`, oldest first."""
    membership = ensure(user, Can.MANAGE_RETENTION)
    before = (now or timezone.now()) - dt.timedelta(days=abandoned_days())
    return (
        DecisionDraft.objects.open()
        .filter(decision__organisation_id=membership.organisation_id, updated_at__lt=before)
        .select_related("decision", "created_by", "amends_version")
        .order_by("updated_at", "pk")
    )


def get_open_draft_for_retention(user: Any, reference: str) -> DecisionDraft:
    """The open draft of a decision of the admin's organisation, or 404."""
    membership = ensure(user, Can.MANAGE_RETENTION)
    draft = (
        DecisionDraft.objects.open()
        .filter(decision__organisation_id=membership.organisation_id, decision__reference=reference)
        .first()
    )
    if draft is None:
        raise Http404("No draft found")
    return draft


@transaction.atomic
def abandoned_draft_dispose(*, by: Any, draft: DecisionDraft, request: HttpRequest | None = None) -> None:
    """Close and purge a draft nobody has saved for `ABANDONED_DRAFT_DAYS`, audited without its content."""
    membership = ensure(by, Can.MANAGE_RETENTION)
    locked = (
        DecisionDraft.objects.select_for_update(of=("self",))
        .select_related("decision")
        .filter(pk=draft.pk, decision__organisation_id=membership.organisation_id)
        .first()
    )
    if locked is None:
        raise Http404("No draft found")
    decision = locked.decision
    now = timezone.now()
    if not locked.is_open:
        raise ValidationError(f"The draft of {decision.reference} has already been closed")
    if locked.updated_at >= now - dt.timedelta(days=abandoned_days()):
        raise ValidationError(
            f"The draft of {decision.reference} was saved in the last {abandoned_days()} days: it is not abandoned"
        )
    holds = LegalHold.objects.filter(organisation_id=membership.organisation_id, lifted_at__isnull=True)
    if holds.filter(decision__isnull=True).exists() or holds.filter(decision=decision).exists():
        raise ValidationError(f"{decision.reference} is on legal hold: its draft cannot be disposed of")
    untouched = (now - locked.updated_at).days
    amendment = locked.amends_version_id is not None
    locked.discarded_at = now
    locked.save(update_fields=["discarded_at"])
    if not amendment:
        Decision.objects.filter(pk=decision.pk).update(status=DecisionStatus.DISCARDED, updated_at=now)
    _purge([locked])
    audit.record(
        action=actions.DRAFT_DISPOSE,
        actor=by,
        organisation=membership.organisation_id,
        target=decision,
        target_ref=decision.reference,
        details={"amendment": amendment, "untouched_days": untouched},
        request=request,
    )
