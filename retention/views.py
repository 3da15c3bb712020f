"""Thin views for retention review, legal holds and two-admin disposal. Admins only; another organisation's
record is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from decisions.permissions import Can, ensure

from . import drafts, selectors, services
from .forms import ApproveForm, HoldForm, LiftForm, OrganisationHoldForm, ProposeForm

PAGE_SIZE = 50
ACTIONS = ("hold", "lift", "propose", "approve", "cancel")


@require_GET
def due_list(request: HttpRequest) -> HttpResponse:
    membership = ensure(request.user, Can.MANAGE_RETENTION)
    organisation = membership.organisation
    page = Paginator(selectors.due_for_review(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"decision": d, "review_date": selectors.review_date_of(d, organisation)} for d in page.object_list]
    return render(
        request,
        "retention/due.html",
        {
            "organisation": organisation,
            "page": page,
            "rows": rows,
            "proposals": list(selectors.proposals_waiting(request.user)[:20]),
            "organisation_hold": selectors.active_organisation_hold(organisation.pk),
            "abandoned": list(drafts.abandoned_for_user(request.user)[:PAGE_SIZE]),
            "abandoned_days": drafts.abandoned_days(),
        },
    )


@require_POST
def draft_dispose(request: HttpRequest, reference: str) -> HttpResponse:
    ensure(request.user, Can.MANAGE_RETENTION)
    draft = drafts.get_open_draft_for_retention(request.user, reference)
    try:
        drafts.abandoned_draft_dispose(by=request.user, draft=draft, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The draft of {reference} has been disposed of. What it held is gone.")
    return redirect("retention:due")


def _record_forms(data: Any = None, action: str = "") -> dict[str, Any]:
    forms = {"hold": HoldForm, "lift": LiftForm, "propose": ProposeForm, "approve": ApproveForm}
    return {f"{key}_form": cls(data=data if key == action else None) for key, cls in forms.items()}


@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, reference: str) -> HttpResponse:
    ensure(request.user, Can.MANAGE_RETENTION)
    decision = selectors.get_record_for_retention(request.user, reference)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _record_forms(request.POST if request.method == "POST" else None, action)
    problem = ""
    if request.method == "POST":
        state = selectors.record_state(decision)
        form = forms.get(f"{action}_form")
        if action not in ACTIONS:
            problem = "Choose what to do with this record"
        elif form is None or form.is_valid():
            reason = form.cleaned_data.get("reason", "") if form is not None else ""
            try:
                done = _act(request, action, decision, state, reason)
            except ValidationError as exc:
                problem = " ".join(exc.messages)
            else:
                messages.success(request, done)
                return redirect("retention:record", reference=reference)
    state = selectors.record_state(decision)
    return render(
        request,
        "retention/record.html",
        {"decision": decision, "state": state, "problem": problem, "posted": forms.get(f"{action}_form"), **forms},
        status=400 if problem and action not in ACTIONS else 200,
    )


def _act(request: HttpRequest, action: str, decision: Any, state: selectors.RecordState, reason: str) -> str:
    """Run the service for one action; returns what to tell the admin."""
    by, ref = request.user, decision.reference
    if action == "hold":
        services.hold_place(by=by, decision=decision, reason=reason, request=request)
        return f"{ref} is on legal hold. It cannot be disposed of until the hold is lifted."
    if action == "lift":
        if state.hold is None:
            raise ValidationError(f"{ref} is not on legal hold")
        services.hold_lift(by=by, hold=state.hold, reason=reason, request=request)
        return f"The legal hold on {ref} is lifted."
    if action == "propose":
        services.disposal_propose(by=by, decision=decision, reason=reason, request=request)
        return f"Disposing of {ref} is proposed. A different admin must approve it."
    if state.proposal is None:
        raise ValidationError(f"Disposing of {ref} is not waiting for approval")
    if action == "approve":
        services.disposal_approve(by=by, proposal=state.proposal, request=request)
        return f"{ref} has been disposed of. Its tombstone is below."
    services.disposal_cancel(by=by, proposal=state.proposal, request=request)
    return f"The proposal to dispose of {ref} is cancelled. The record is kept."


@require_http_methods(["GET", "POST"])
def organisation_hold(request: HttpRequest) -> HttpResponse:
    membership = ensure(request.user, Can.MANAGE_RETENTION)
    active = selectors.active_organisation_hold(membership.organisation_id)
    form_class = LiftForm if active is not None else OrganisationHoldForm
    form = form_class(data=request.POST if request.method == "POST" else None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            if active is not None:
                services.hold_lift(by=request.user, hold=active, reason=form.cleaned_data["reason"], request=request)
                messages.success(request, "The legal hold on every record is lifted.")
            else:
                services.hold_place(by=request.user, reason=form.cleaned_data["reason"], request=request)
                messages.success(
                    request, "Every record is on legal hold. Nothing can be disposed of until it is lifted."
                )
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        else:
            return redirect("retention:organisation_hold")
    return render(
        request,
        "retention/organisation_hold.html",
        {
            "organisation": membership.organisation,
            "active": active,
            "form": form,
            "problem": problem,
            "holds": selectors.organisation_holds(request.user),
        },
    )


@require_GET
def disposed_list(request: HttpRequest) -> HttpResponse:
    membership = ensure(request.user, Can.MANAGE_RETENTION)
    page = Paginator(selectors.tombstones_for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "retention/disposed.html", {"organisation": membership.organisation, "page": page})
