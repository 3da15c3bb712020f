"""Thin views: parse the request, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.middleware import pop_kept_answer

from . import display, selectors, services, wizard
from .forms import AmendForm, SubmitForm
from .guidance import CURRENT_EDITION, edition
from .permissions import Can, can_amend, ensure, has, membership_of


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request.user)
    context: dict[str, Any] = {"membership": membership, "can": {c.name: has(request.user, c) for c in Can}}
    if membership is not None and has(request.user, Can.START_DECISION):
        context["recent"] = list(selectors.decisions_for_user(request.user).order_by("-updated_at")[:5])
    return render(request, "home.html", context)


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def decision_list(request: HttpRequest) -> HttpResponse:
    if not (has(request.user, Can.VIEW_OWN_DECISIONS) or has(request.user, Can.VIEW_ORG_DECISIONS)):
        raise PermissionDenied
    qs = selectors.decisions_for_user(request.user).select_related("owner", "team").order_by("-updated_at", "-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "decisions/list.html",
        {"page": page, "own": has(request.user, Can.START_DECISION)},
    )


@require_http_methods(["GET", "POST"])
def decision_start(request: HttpRequest) -> HttpResponse:
    ensure(request.user, Can.START_DECISION)
    if request.method == "POST":
        draft = services.decision_start(by=request.user, request=request)
        first = wizard.steps_for(draft.decision.edition)[0]
        return redirect("decisions:step", reference=draft.decision.reference, step=first.key)
    return render(request, "decisions/start.html", {"edition": edition(CURRENT_EDITION)})


def _step_url(reference: str, key: str, back_to_check: bool) -> str:
    url = reverse("decisions:step", kwargs={"reference": reference, "step": key})
    return f"{url}?return=check" if back_to_check else url


@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    draft = selectors.get_open_draft_for_owner(request.user, reference)
    decision = draft.decision
    step_def = wizard.step_by_key(decision.edition, step)
    if step_def is None:
        raise Http404("No such question")
    answers = draft.answers
    back_to_check = request.GET.get("return") == "check"
    if not step_def.condition(answers):
        following = wizard.next_step(decision.edition, answers, step)
        if following is None:
            return redirect("decisions:check", reference=reference)
        return redirect(_step_url(reference, following.key, back_to_check))

    form_class = step_def.form_class
    kept = pop_kept_answer(request) if request.method == "GET" else None
    if request.method == "POST":
        form = form_class(data=request.POST)
        if form.is_valid():
            draft = services.draft_save_step(
                by=request.user, draft=draft, step_key=step, answers=form.to_answers(), request=request
            )
            if request.POST.get("later"):
                messages.success(request, f"Your answers for {reference} are saved. Continue any time from here.")
                return redirect("decisions:list")
            return redirect(_after_step(decision.edition, reference, draft.answers, step, back_to_check))
    elif kept is not None:
        # Typed before a session timeout: shown again, checked, and saved when the user continues.
        request.session.modified = True
        data = QueryDict(mutable=True)
        for key, values in kept.items():
            data.setlist(key, values)
        form = form_class(data=data)
        form.is_valid()
        messages.info(request, "You were signed out before this page was saved. Check your answers and continue.")
    else:
        form = form_class(initial=form_class.initial_from_answers(answers.get(step, {})))

    previous = wizard.previous_step(decision.edition, answers, step)
    if back_to_check:
        back_url = reverse("decisions:check", kwargs={"reference": reference})
    elif previous is not None:
        back_url = _step_url(reference, previous.key, False)
    else:
        back_url = reverse("decisions:list")
    number, total = wizard.step_position(decision.edition, answers, step)
    text = wizard.question(decision.edition, step)
    return render(
        request,
        "decisions/step.html",
        {
            "draft": draft,
            "decision": decision,
            "form": form,
            "question": text,
            "principle": edition(decision.edition).principle(text.rule),
            "step_number": number,
            "step_total": total,
            "back_url": back_url,
            "back_to_check": back_to_check,
        },
    )


def _after_step(edition_code: str, reference: str, answers: dict, step: str, back_to_check: bool) -> str:
    if back_to_check:
        # A changed answer can open a new branch; ask its questions before going back.
        missing = wizard.first_unanswered(edition_code, answers)
        if missing is not None:
            return _step_url(reference, missing.key, True)
        return reverse("decisions:check", kwargs={"reference": reference})
    following = wizard.next_step(edition_code, answers, step)
    if following is None:
        return reverse("decisions:check", kwargs={"reference": reference})
    return _step_url(reference, following.key, False)


@require_http_methods(["GET", "POST"])
def draft_check(request: HttpRequest, reference: str) -> HttpResponse:
    if request.method == "POST":
        submitted = selectors.latest_submitted_draft_for_owner(request.user, reference)
        if submitted is not None and not selectors.has_open_draft(request.user, reference):
            # A second click, or a replayed POST: the record already exists.
            messages.info(request, "This decision has already been submitted.")
            return redirect("decisions:detail", reference=reference)
    draft = selectors.get_open_draft_for_owner(request.user, reference)
    decision = draft.decision
    problems: list[wizard.Problem] = []
    form = SubmitForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.decision_submit(by=request.user, draft=draft, request=request)
        except services.RecordInvalid as exc:
            problems = exc.problems
        except ValidationError as exc:
            problems = [wizard.Problem("", m) for m in exc.messages]
        else:
            messages.success(request, f"Decision {decision.reference} submitted (version {version.number}).")
            return redirect("decisions:detail", reference=reference)
    return render(
        request,
        "decisions/check.html",
        {
            "draft": draft,
            "decision": decision,
            "sections": display.sections(decision.edition, draft.answers),
            "form": form,
            "problems": problems,
            "edition": edition(decision.edition),
            "step_total": len(wizard.visible_steps(decision.edition, draft.answers)) + 1,
        },
    )


@require_GET
def decision_detail(request: HttpRequest, reference: str) -> HttpResponse:
    decision = selectors.get_decision_for_user(request.user, reference)
    versions = selectors.versions_of(decision) if decision.is_submitted else []
    shown = versions[-1] if versions else None
    requested = request.GET.get("version")
    if requested is not None:
        if not requested.isdigit():
            raise Http404("No such version")
        shown = next((v for v in versions if v.number == int(requested)), None)
        if shown is None:
            raise Http404("No such version")
    open_draft = selectors.open_draft_of(decision) if decision.owner_id == request.user.pk else None
    history = []
    for older, newer in zip(versions, versions[1:], strict=False):
        history.append(
            {
                "version": newer,
                "previous": older,
                "changes": display.changes_between(decision.edition, older.answers, newer.answers),
            }
        )
    services.decision_viewed(
        by=request.user, decision=decision, version=shown.number if shown else None, request=request
    )
    return render(
        request,
        "decisions/detail.html",
        {
            "decision": decision,
            "shown": shown,
            "versions": versions,
            "is_current": shown is not None and shown.pk == decision.current_version_id,
            "sections": display.sections(decision.edition, shown.answers) if shown else [],
            "history": list(reversed(history)),
            "open_draft": open_draft,
            "can_amend": can_amend(request.user, decision) and open_draft is None,
            "edition": edition(decision.edition),
        },
    )


@require_http_methods(["GET", "POST"])
def decision_amend(request: HttpRequest, reference: str) -> HttpResponse:
    decision = selectors.get_decision_for_user(request.user, reference)
    if not can_amend(request.user, decision):
        raise PermissionDenied
    existing = selectors.open_draft_of(decision)
    if existing is not None:
        return redirect("decisions:check", reference=reference)
    form = AmendForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.decision_amend_start(
            by=request.user, decision=decision, reason=form.cleaned_data["reason"], request=request
        )
        messages.info(request, "Change the answers you need to, then submit the amended decision.")
        return redirect("decisions:check", reference=reference)
    return render(request, "decisions/amend.html", {"decision": decision, "form": form})


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/403.html", 403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/400.html", 400)
