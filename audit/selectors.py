"""Reads of the audit log, scoped to the reader's organisation.

Pages are found by keyset (seek) pagination on the event id, newest first: "older than event N" is an index
range scan on (organisation, -id), so page 1,000 costs what page 1 does. OFFSET would read and discard
every earlier row.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Subquery

from decisions.models import Decision
from decisions.permissions import Can, ensure

from .models import AuditEvent, ChainCheck

LONDON = zoneinfo.ZoneInfo("Europe/London")
PAGE_SIZE = 50
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class AuditFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str = ""
    action: str = ""
    reference: str = ""
    outcome: str = ""
    edition: str = ""

    def as_details(self) -> dict[str, Any]:
        """The filters in use, for the audit event that records who read which part of the log: their names, and
        the values of those chosen from a fixed list. What was typed (a name, a date, a reference) may be a
        child's personal data, and the chain keeps its events for ever, beyond any record's disposal."""
        used = {k: v for k, v in asdict(self).items() if v}
        return {
            "filters": sorted(used),
            "filter_choices": {k: v for k, v in used.items() if k in CHOICE_FILTERS},
        }


# Filters whose values come from a fixed list (form ChoiceFields), so they hold nothing anyone typed.
CHOICE_FILTERS = frozenset({"action", "outcome", "edition"})


@dataclass
class AuditPage:
    events: list[AuditEvent]
    has_older: bool
    has_newer: bool

    @property
    def older_cursor(self) -> int | None:
        return self.events[-1].pk if self.has_older and self.events else None

    @property
    def newer_cursor(self) -> int | None:
        return self.events[0].pk if self.has_newer and self.events else None


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON)


def audit_events_for_user(user: Any, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The user's organisation's events matching the filters, in no particular order."""
    membership = ensure(user, Can.VIEW_AUDIT_LOG)
    org_id = membership.organisation_id
    qs = AuditEvent.objects.filter(organisation_id=org_id)
    if filters.date_from:
        qs = qs.filter(occurred_at__gte=_start_of(filters.date_from))
    if filters.date_to:
        # Up to the end of that day in London, whatever the offset from UTC on the day.
        qs = qs.filter(occurred_at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    if filters.actor:
        # A scalar subquery, not a join: PostgreSQL then looks the user up once and walks the
        # (organisation, actor, -id) index. With a join it walked every event of the organisation.
        user = get_user_model().objects.filter(username=filters.actor).values("pk")[:1]
        qs = qs.filter(actor_id=Subquery(user))
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.reference:
        qs = qs.filter(target_ref=filters.reference)
    if filters.outcome:
        # The decision's current outcome, looked up by reference: a subquery on the organisation's decisions,
        # so the events table needs no outcome column that would have to change when a decision is amended.
        references = Decision.objects.filter(organisation_id=org_id, outcome=filters.outcome).values("reference")
        qs = qs.filter(target_ref__in=references)
    if filters.edition:
        # The same for the edition of the advice a decision was made under (which never changes).
        references = Decision.objects.filter(organisation_id=org_id, edition=filters.edition).values("reference")
        qs = qs.filter(target_ref__in=references)
    return qs


def audit_events_page(
    user: Any,
    filters: AuditFilters,
    after_id: int | None = None,
    page_size: int = PAGE_SIZE,
    before_id: int | None = None,
) -> AuditPage:
    """One page of events, newest first: the newest ones, those older than `after_id`, or (going back
    towards the newest) those newer than `before_id`. One query whichever page it is."""
    # With the actor, whose name the log shows: a join, not a query per event.
    qs = audit_events_for_user(user, filters).select_related("actor")
    if before_id is not None:
        rows = list(qs.filter(id__gt=before_id).order_by("id")[: page_size + 1])
        has_newer = len(rows) > page_size
        return AuditPage(events=list(reversed(rows[:page_size])), has_older=True, has_newer=has_newer)
    if after_id is not None:
        qs = qs.filter(id__lt=after_id)
    rows = list(qs.order_by("-id")[: page_size + 1])
    return AuditPage(events=rows[:page_size], has_older=len(rows) > page_size, has_newer=after_id is not None)


def audit_events_for_export(user: Any, filters: AuditFilters, batch: int = EXPORT_BATCH) -> Iterator[AuditEvent]:
    """Every matching event, newest first, fetched in keyset batches so a large export never holds the whole
    log in memory nor keeps a cursor open between batches. The permission check runs now, not when the
    first row is read."""
    qs = audit_events_for_user(user, filters).order_by("-id")

    def batches() -> Iterator[AuditEvent]:
        after_id: int | None = None
        while True:
            page = qs.filter(id__lt=after_id) if after_id is not None else qs
            rows = list(page[:batch])
            yield from rows
            if len(rows) < batch:
                return
            after_id = rows[-1].pk

    return batches()


def latest_chain_check(user: Any) -> ChainCheck | None:
    """The last run of the chain check, for those who may read its status."""
    ensure(user, Can.VIEW_CHAIN_STATUS)
    return ChainCheck.objects.order_by("-checked_at", "-pk").first()
