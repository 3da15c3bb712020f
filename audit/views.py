"""The audit log (supervisors and auditors), its CSV export, and the chain status page (admins)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_http_methods

from decisions.permissions import Can, ensure, has

from . import actions, readable, selectors
from . import services as audit
from .forms import AuditLogFilterForm
from .models import AuditEvent, ChainCheck, ChainCheckRun, chain_key_for

CURSOR_PARAMS = ("after", "before")
CSV_COLUMNS = [
    "Event",
    "Time (UK)",
    "Username",
    "Action",
    "Action name",
    "Record type",
    "Record",
    "Decision reference",
    "Details",
    "IP address",
    "Chain",
    "Sequence",
    "Hash",
    "Previous hash",
]


def _cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit():
        raise Http404("No such page")
    return int(value)


def _filter_query(request: HttpRequest) -> str:
    """The query string without the page cursor, for the next and previous links and the export."""
    query = request.GET.copy()
    for name in CURSOR_PARAMS:
        query.pop(name, None)
    return query.urlencode()


def _record_read(action: str, request: HttpRequest, details: dict[str, Any]) -> None:
    membership = ensure(request.user, Can.VIEW_AUDIT_LOG)
    with transaction.atomic():
        audit.record(
            action=action,
            actor=request.user,
            organisation=membership.organisation_id,
            details=details,
            request=request,
        )


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    membership = ensure(request.user, Can.VIEW_AUDIT_LOG)
    after_id, before_id = _cursor(request, "after"), _cursor(request, "before")
    form = AuditLogFilterForm(data=request.GET)
    page = None
    rows: list[readable.Row] = []
    if form.is_valid():
        filters = form.filters()
        page = selectors.audit_events_page(request.user, filters, after_id=after_id, before_id=before_id)
        rows = readable.rows(request.user, membership.organisation_id, page.events)
        # Every page read is recorded, not only the first: which events someone saw is the point of an access
        # record, and the filters and the cursor say exactly that. It costs one small insert per page, and
        # paging is rare next to the writes the log records.
        _record_read(
            actions.AUDIT_LOG_VIEW,
            request,
            {**filters.as_details(), "after": after_id, "before": before_id, "shown": len(page.events)},
        )
    return render(
        request,
        "audit/log.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _filter_query(request),
            "organisation": membership.organisation,
        },
    )


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def _safe(value: Any) -> str:
    """Spreadsheet programs run cells that start with = + - @ as formulas; a leading ' stops that."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_row(event: AuditEvent) -> list[str]:
    return [
        _safe(v)
        for v in (
            event.pk,
            timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
            event.actor_label,
            event.action,
            actions.LABELS.get(event.action, event.action),
            event.target_type,
            event.target_id,
            event.target_ref,
            json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else "",
            event.ip_address or "",
            event.chain_key,
            event.seq,
            event.hash,
            event.prev_hash,
        )
    ]


@require_GET
def audit_log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    membership = ensure(request.user, Can.VIEW_AUDIT_LOG)
    form = AuditLogFilterForm(data=request.GET)
    if not form.is_valid():
        # The log page shows the same filters with their errors.
        return redirect(f"{reverse('audit:log')}?{_filter_query(request)}")
    filters = form.filters()
    events = selectors.audit_events_for_export(request.user, filters)
    # Recorded, and committed, before the first row leaves: an export that fails half way is still on record.
    _record_read(actions.AUDIT_LOG_EXPORT, request, filters.as_details())

    def rows() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
        yield writer.writerow(CSV_COLUMNS)
        for event in events:
            yield writer.writerow(_csv_row(event))

    filename = f"audit-log-{membership.organisation.slug}-{timezone.localtime():%Y-%m-%d-%H%M}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def chain_status(request: HttpRequest) -> HttpResponse:
    """The latest chain check; POST asks the background worker for a new one (a check of millions of events
    takes minutes, so it never runs inside the request) and the page shows its progress."""
    membership = ensure(request.user, Can.VIEW_CHAIN_STATUS)
    if request.method == "POST":
        ensure(request.user, Can.RUN_CHAIN_CHECK)
        _, started = audit.chain_check_start(by=request.user, organisation_id=membership.organisation_id)
        if started:
            messages.success(request, "The audit trail check has started. This page shows how far it has got.")
        return redirect("audit:chain")
    run = ChainCheckRun.objects.filter(organisation_id=membership.organisation_id).order_by("-pk").first()
    active = run if run is not None and run.is_active else None
    stalled = active is not None and timezone.now() - active.updated_at > audit.CHAIN_CHECK_STALLED_AFTER
    latest = ChainCheck.objects.order_by("-checked_at", "-pk").first()
    # "0 minutes ago" reads oddly straight after a check; the time alone says enough then.
    checked_ago = ""
    if latest is not None and timezone.now() - latest.checked_at >= dt.timedelta(minutes=1):
        checked_ago = timesince(latest.checked_at)
    # The check covers every chain; another organisation's failure is reported without its details.
    message = ""
    if latest is not None:
        own_key = chain_key_for(membership.organisation_id)
        own = latest.ok or latest.chain_key == own_key or latest.message.startswith(f"Chain {own_key}:")
        message = (
            latest.message
            if own
            else "A problem was found in another organisation's part of the audit trail. "
            "The service team has the details."
        )
    return render(
        request,
        "audit/chain.html",
        {
            "latest": latest,
            "checked_ago": checked_ago,
            "message": message,
            "run": active,
            "stalled": stalled,
            "can_run": has(request.user, Can.RUN_CHAIN_CHECK),
        },
    )
