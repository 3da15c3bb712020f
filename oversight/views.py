"""Thin views for reviews, the dashboard and organisation settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import ReviewTiming
from decisions import selectors as decision_selectors
from decisions.choices import Outcome
from decisions.guidance import EDITION_CHOICES
from decisions.guidance import edition as guidance_edition
from decisions.permissions import Can, ensure

from . import selectors, services
from .forms import (
    ApproveForm,
    DashboardFilterForm,
    OrganisationEditionForm,
    OrganisationSettingsForm,
    RetentionSettingsForm,
    ReturnForm,
)
from .models import ReviewOutcome
from .permissions import can_review_now, may_review_in

QUEUE_PAGE_SIZE = 50


@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    membership = ensure(request.user, Can.REVIEW)
    team_only = request.GET.get("team") == "mine" and membership.team_id is not None
    page = Paginator(selectors.review_queue(request.user, team_only=team_only), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [{"decision": d, "age": selectors.age_in_words(d.submitted_at, now)} for d in page.object_list]
    return render(
        request,
        "oversight/queue.html",
        {
            "page": page,
            "rows": rows,
            "team_only": team_only,
            "review_before_sharing": membership.organisation.review_timing == ReviewTiming.BEFORE_SHARING,
            "share_outcomes": [Outcome.SHARE_ALL, Outcome.SHARE_SOME],
        },
    )


def _review(request: HttpRequest, reference: str, number: int, outcome: ReviewOutcome) -> HttpResponse:
    ensure(request.user, Can.REVIEW)
    decision = decision_selectors.get_decision_for_user(request.user, reference)
    version = decision_selectors.version_of(decision, number)
    if not may_review_in(request.user, decision):
        raise PermissionDenied
    form_class = ApproveForm if outcome == ReviewOutcome.APPROVE else ReturnForm
    form = form_class(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        service = services.review_approve if outcome == ReviewOutcome.APPROVE else services.review_return
        try:
            service(
                by=request.user,
                decision=decision,
                version=version,
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except services.ReviewConflict as exc:
            messages.info(request, " ".join(exc.messages))
            return redirect("decisions:detail", reference=reference)
        except ValidationError as exc:
            form.add_error("comment", exc)
        else:
            if outcome == ReviewOutcome.APPROVE:
                messages.success(request, f"Signed off decision {reference}, version {number}.")
            else:
                messages.success(request, f"Returned decision {reference}, version {number}, to the practitioner.")
            return redirect("oversight:queue")
    elif request.method == "GET" and not (
        can_review_now(request.user, decision) and decision.current_version == version
    ):
        messages.info(request, f"Version {number} of {reference} is not waiting for a review.")
        return redirect("decisions:detail", reference=reference)
    return render(
        request,
        "oversight/review.html",
        {
            "decision": decision,
            "version": version,
            "form": form,
            "approve": outcome == ReviewOutcome.APPROVE,
        },
    )


@require_http_methods(["GET", "POST"])
def review_approve(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    return _review(request, reference, number, ReviewOutcome.APPROVE)


@require_http_methods(["GET", "POST"])
def review_return(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    return _review(request, reference, number, ReviewOutcome.RETURN)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    ensure(request.user, Can.VIEW_DASHBOARD)
    form = DashboardFilterForm(data=request.GET)
    # An edition that is not in the list is shown as an error, with every edition's figures.
    chosen = form.cleaned_data["edition"] if form.is_valid() else ""
    figures = selectors.dashboard_figures(request.user, edition=chosen)
    return render(
        request,
        "oversight/dashboard.html",
        {
            "form": form,
            "edition_label": dict(EDITION_CHOICES).get(chosen, ""),
            "figures": figures,
            "oldest_age": selectors.age_in_words(figures.oldest_awaiting),
            "chart_data": figures.chart_data(),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    """Two forms on one page, each saved by its own button: when reviews happen, and the retention schedule."""
    membership = ensure(request.user, Can.MANAGE_ORGANISATION)
    organisation = membership.organisation
    posted = request.POST.get("form", "review") if request.method == "POST" else ""
    form = OrganisationSettingsForm(
        data=request.POST if posted == "review" else None, initial={"review_timing": organisation.review_timing}
    )
    retention_form = RetentionSettingsForm(
        data=request.POST if posted == "retention" else None,
        initial={
            "retention_child_age_years": organisation.retention_child_age_years,
            "retention_no_birth_date_years": organisation.retention_no_birth_date_years,
        },
    )
    if posted == "review" and form.is_valid():
        services.organisation_settings_update(
            by=request.user, review_timing=form.cleaned_data["review_timing"], request=request
        )
        messages.success(request, "Your organisation's settings are saved.")
        return redirect("oversight:organisation")
    if posted == "retention" and retention_form.is_valid():
        services.organisation_settings_update(by=request.user, request=request, **retention_form.cleaned_data)
        messages.success(request, "Your organisation's retention schedule is saved.")
        return redirect("oversight:organisation")
    return render(
        request,
        "oversight/organisation.html",
        {
            "organisation": organisation,
            "form": form,
            "retention_form": retention_form,
            "emails_not_sent": selectors.emails_not_sent(request.user),
            "edition": guidance_edition(organisation.guidance_edition),
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_edition(request: HttpRequest) -> HttpResponse:
    """The edition of the advice new decisions are made under: its own page, because it changes the questions
    every practitioner in the organisation is asked."""
    membership = ensure(request.user, Can.MANAGE_ORGANISATION)
    organisation = membership.organisation
    form = OrganisationEditionForm(
        data=request.POST if request.method == "POST" else None,
        initial={"guidance_edition": organisation.guidance_edition},
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_edition_update(
            by=request.user, guidance_edition=form.cleaned_data["guidance_edition"], request=request
        )
        chosen = guidance_edition(form.cleaned_data["guidance_edition"])
        messages.success(request, f"New decisions will be made under the {chosen.short_title} advice.")
        return redirect("oversight:organisation")
    return render(request, "oversight/edition.html", {"organisation": organisation, "form": form})
