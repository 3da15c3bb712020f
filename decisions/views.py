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
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.middleware import pop_kept_answer

from . import display, follow_ups, list_steps, search, selectors, services, wizard
from .choices import FollowUpKind, ReviewStatus
from .filter_html import filter_form_html
from .flow import TaskState, TaskStatus
from .forms import AmendForm, DiscardForm, StepForm, SubmitForm, people_in
from .guidance import edition
from .models import DecisionDraft
from .people import entries_of
from .permissions import Can, can_amend, ensure, has


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
    own = has(request.user, Can.START_DECISION)
    show = request.GET.get("show", "")
    show = show if show in selectors.LIST_FILTERS else ""
    filtering = any(key == name or key.startswith(f"{name}_") for key in request.GET for name in search.FILTER_FIELDS)
    form = search.DecisionFilterForm(
        data=request.GET if filtering else None, teams=list(selectors.teams_for_user(request.user))
    )
    page = None
    if not filtering or form.is_valid():
        filters = search.Filters.from_form(form.cleaned_data) if filtering else search.Filters()
        qs = search.search(
            request.user, selectors.filter_decisions(selectors.decisions_for_user(request.user), show), filters
        )
        # Only what the table shows (and the practitioner's name only to those who see others' decisions):
        # building fifty whole rows, each with its owner and team, cost more than the query.
        shown = ("reference", "case_reference", "outcome", "status", "review_status", "updated_at")
        follow_up = ("follow_up_due", "follow_up_done_at")
        qs = qs.only(*shown, *follow_up, "owner_id")
        if not own:
            qs = qs.select_related("owner").only(
                *shown, *follow_up, "owner__first_name", "owner__last_name", "owner__username"
            )
        page = search.page_of(qs, after=request.GET.get("after"), before=request.GET.get("before"))
        page.selected = search.selected_filters(form, request.GET) if filtering else []
    keep = request.GET.copy()
    for key in ("after", "before"):
        keep.pop(key, None)
    return render(
        request,
        "decisions/list.html",
        {
            "page": page,
            "form": form,
            "filter_html": filter_form_html(form),
            "filtering": filtering,
            "query": keep.urlencode(),
            "own": own,
            "show": show,
            "show_label": selectors.LIST_FILTERS[show][0] if show else "",
            "filters": selectors.LIST_FILTERS,
        },
    )


@require_http_methods(["GET", "POST"])
def decision_start(request: HttpRequest) -> HttpResponse:
    membership = ensure(request.user, Can.START_DECISION)
    if request.method == "POST":
        draft = services.decision_start(by=request.user, request=request)
        # The decision's own page is its task list: the whole record, and where to begin.
        return redirect("decisions:detail", reference=draft.decision.reference)
    return render(request, "decisions/start.html", {"edition": edition(membership.organisation.guidance_edition)})


def _step_url(reference: str, key: str, back_to_check: bool) -> str:
    url = reverse("decisions:step", kwargs={"reference": reference, "step": key})
    return f"{url}?return=check" if back_to_check else url


def _open_draft(request: HttpRequest, reference: str) -> DecisionDraft:
    """The user's open draft of this decision, in the current layout of the questions (a draft started before
    the questions were reshaped is moved into them first, and that is audited)."""
    draft = selectors.get_open_draft_for_owner(request.user, reference)
    if draft.layout != wizard.current_layout(draft.decision.edition):
        draft = services.draft_reshape(by=request.user, draft=draft, request=request)
    return draft


def _task_caption(flow: wizard.Flow, answers: dict, step: str) -> str:
    found = flow.task_number(step)
    if found is None:
        return ""
    number, task = found
    return f"Task {number} of {flow.task_total}: {flow.task_title(task, answers)}"


@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, reference: str, step: str) -> HttpResponse:
    draft = _open_draft(request, reference)
    decision = draft.decision
    flow = wizard.flow_of(draft)
    step_def = flow.step(step)
    if step_def is None:
        raise Http404("No such question")
    answers = draft.answers
    back_to_check = request.GET.get("return") == "check"
    if not step_def.condition(answers):
        following = flow.next_step(answers, step)
        if following is None:
            return redirect("decisions:check", reference=reference)
        return redirect(_step_url(reference, following.key, back_to_check))

    form_class = step_def.form_class
    if getattr(form_class, "list_page", False):
        previous = flow.previous_step(answers, step)
        if back_to_check:
            list_back = reverse("decisions:check", kwargs={"reference": reference})
        elif previous is not None:
            list_back = _step_url(reference, previous.key, False)
        else:
            list_back = reverse("decisions:detail", kwargs={"reference": reference})
        return list_steps.list_step(request, draft, flow, step_def, list_back, back_to_check)
    kept = pop_kept_answer(request) if request.method == "GET" else None
    unfinished = step in draft.unfinished
    if request.method == "POST" and request.POST.get("later"):
        # Keep what is on the page as typed, checked or not; errors wait for "Save and continue".
        form = _page_form(form_class, answers, data=request.POST)
        saved = False
        if form.is_valid():
            try:
                services.draft_save_step(
                    by=request.user, draft=draft, step_key=step, answers=form.to_answers(), request=request
                )
                saved = True
            except services.PageInvalid:
                pass
        if not saved:
            services.draft_save_unfinished(
                by=request.user, draft=draft, step_key=step, data=form_class.raw_data(request.POST), request=request
            )
        messages.success(request, f"Your answers for {reference} are saved. Continue any time from here.")
        return redirect("decisions:detail", reference=reference)
    if request.method == "POST":
        form = _page_form(form_class, answers, data=request.POST)
        if form.is_valid():
            try:
                draft = services.draft_save_step(
                    by=request.user, draft=draft, step_key=step, answers=form.to_answers(), request=request
                )
            except services.PageInvalid as exc:
                for problem in exc.problems:
                    form.add_error(problem.field or None, problem.message)
            else:
                return redirect(_after_step(flow, reference, draft, step, back_to_check))
        unfinished = False
    elif kept is not None:
        # Typed before a session timeout: shown again, checked, and saved when the user continues.
        request.session.modified = True
        data = QueryDict(mutable=True)
        for key, values in kept.items():
            data.setlist(key, values)
        form = _page_form(form_class, answers, data=data)
        form.is_valid()
        messages.info(request, "You were signed out before this page was saved. Check your answers and continue.")
    elif unfinished:
        form = _page_form(form_class, answers, data=draft.unfinished[step])
        form.show_without_errors()
    else:
        form = _page_form(form_class, answers, initial=form_class.initial_from_answers(answers.get(step, {})))
    previous = flow.previous_step(answers, step)
    if back_to_check:
        back_url = reverse("decisions:check", kwargs={"reference": reference})
    elif previous is not None:
        back_url = _step_url(reference, previous.key, False)
    else:
        back_url = reverse("decisions:detail", kwargs={"reference": reference})
    text = flow.question(step)
    carried = str(getattr(form, "carried_note", ""))
    return render(
        request,
        "decisions/step.html",
        {
            "draft": draft,
            "decision": decision,
            "form": form,
            "question": text,
            "principle": edition(decision.edition).principle(text.rule),
            "task_caption": _task_caption(flow, answers, step),
            "back_url": back_url,
            "back_to_check": back_to_check,
            "unfinished": unfinished,
            # What an earlier answer means here, and what an older layout of the record said on this page.
            "notes": [*flow.notes_for(step, answers), *([carried] if carried else [])],
        },
    )


def _page_form(form_class: type[StepForm], answers: dict, **kwargs: Any) -> StepForm:
    """A question page's form. A page that asks about the record's people is given them before it is checked,
    as its questions (and so its checks) can depend on them."""
    form = form_class(**kwargs)
    if getattr(form, "uses_people", False):
        form.set_people(people_in(answers))  # type: ignore[attr-defined]
    return form


def _after_step(flow: wizard.Flow, reference: str, draft: DecisionDraft, step: str, back_to_check: bool) -> str:
    if back_to_check:
        # A changed answer can open a new branch; ask its questions before going back.
        missing = flow.first_unanswered(draft.answers, draft.unfinished)
        if missing is not None:
            return _step_url(reference, missing.key, True)
        return reverse("decisions:check", kwargs={"reference": reference})
    following = flow.next_step(draft.answers, step)
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
    draft = _open_draft(request, reference)
    decision = draft.decision
    flow = wizard.flow_of(draft)
    # The same rules as at submit, so an answer a later change made wrong is marked before Submit is pressed.
    problems = flow.validate(draft.answers, draft.unfinished)
    submit_failed = False
    form = SubmitForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.decision_submit(by=request.user, draft=draft, request=request)
        except services.RecordInvalid as exc:
            problems, submit_failed = exc.problems, True
        except ValidationError as exc:
            problems, submit_failed = [wizard.Problem("", m) for m in exc.messages], True
        else:
            messages.success(request, f"Decision {decision.reference} submitted (version {version.number}).")
            return redirect("decisions:detail", reference=reference)
    return render(
        request,
        "decisions/check.html",
        {
            "draft": draft,
            "decision": decision,
            "sections": display.sections(flow, draft.answers, draft.unfinished, problems),
            "form": form,
            "problems": problems,
            "submit_failed": submit_failed or (request.method == "POST" and bool(form.errors)),
            "edition": edition(decision.edition),
            "task_caption": f"Task {flow.task_total} of {flow.task_total}: Check your answers and submit",
            "reshaped": draft.amends_version is not None and draft.amends_version.layout != draft.layout,
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
    if open_draft is not None and open_draft.layout != wizard.current_layout(decision.edition):
        open_draft = services.draft_reshape(by=request.user, draft=open_draft, request=request)
    tasks = None
    if open_draft is not None and open_draft.amends_version_id is None:
        flow = wizard.flow_for(decision.edition, open_draft.layout)
        states = flow.task_states(open_draft.answers, open_draft.unfinished)
        tasks = {
            "states": states,
            "groups": _grouped(states),
            "completed": sum(1 for t in states if t.status == TaskStatus.COMPLETED),
            "total": flow.task_total,
            "ready": all(t.status == TaskStatus.COMPLETED for t in states),
        }
    history = [
        {"version": newer, "previous": older, "changes": display.changes_between(older, newer)}
        for older, newer in zip(versions, versions[1:], strict=False)
    ]
    services.decision_viewed(
        by=request.user, decision=decision, version=shown.number if shown else None, request=request
    )
    records = selectors.follow_up_records(decision) if decision.is_submitted else []
    return render(
        request,
        "decisions/detail.html",
        {
            "decision": decision,
            "shown": shown,
            "versions": versions,
            "is_current": shown is not None and shown.pk == decision.current_version_id,
            "sections": display.sections_of(shown) if shown else [],
            "history": list(reversed(history)),
            "open_draft": open_draft,
            "tasks": tasks,
            "can_amend": can_amend(request.user, decision) and open_draft is None,
            "edition": edition(decision.edition),
            "people_entries": entries_of(shown.answers) if shown else [],
            "follow_up_records": records,
            "open_follow_ups": follow_ups.open_follow_ups(decision, timezone.localdate()),
            "one_click_told": follow_ups.one_click_record(decision, records),
        },
    )


def _grouped(states: list[TaskState]) -> list[tuple[str, list[TaskState]]]:
    groups: list[tuple[str, list[TaskState]]] = []
    for state in states:
        if not groups or groups[-1][0] != state.group:
            groups.append((state.group, []))
        groups[-1][1].append(state)
    return groups


@require_http_methods(["GET", "POST"])
def decision_amend(request: HttpRequest, reference: str) -> HttpResponse:
    decision = selectors.get_decision_for_user(request.user, reference)
    if not can_amend(request.user, decision):
        raise PermissionDenied
    # An amendment already open is continued (on POST the service finds it, so it is not looked up twice).
    if request.method == "GET" and selectors.open_draft_of(decision) is not None:
        return redirect("decisions:check", reference=reference)
    form = AmendForm(data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        draft = services.decision_amend_start(
            by=request.user, decision=decision, reason=form.cleaned_data["reason"], request=request
        )
        if decision.current_version is not None and decision.current_version.layout != draft.layout:
            messages.info(
                request,
                "This decision was recorded with an earlier set of questions. Its answers are now in the current "
                "questions: check each one, and answer any new ones, before you submit.",
            )
        else:
            messages.info(request, "Change the answers you need to, then submit the amended decision.")
        return redirect("decisions:check", reference=reference)
    return render(request, "decisions/amend.html", {"decision": decision, "form": form})


@require_http_methods(["GET", "POST"])
def draft_discard(request: HttpRequest, reference: str) -> HttpResponse:
    """Throw away a draft, or cancel an amendment, after asking. Nothing is deleted from the audit trail."""
    draft = selectors.get_open_draft_for_owner(request.user, reference)
    amendment = draft.amends_version_id is not None
    question = (
        "Are you sure you want to cancel this amendment?"
        if amendment
        else "Are you sure you want to discard this draft?"
    )
    if draft.amends_version is not None:
        hint = (
            f"Your changes will not be kept. Version {draft.amends_version.number} stays the current version, as it "
            "was submitted. The audit trail keeps a record that you cancelled the amendment."
        )
    else:
        hint = (
            f"Your answers will not be kept and you cannot get this draft back. {reference} will be shown as "
            "discarded and not used again. The audit trail keeps a record that you discarded it."
        )
    form = DiscardForm(data=request.POST if request.method == "POST" else None, question=question, hint=hint)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"] == "yes":
            services.draft_discard(by=request.user, draft=draft, request=request)
            if amendment:
                messages.success(request, f"The amendment of {reference} is cancelled. The decision is unchanged.")
                return redirect("decisions:detail", reference=reference)
            messages.success(request, f"Draft {reference} is discarded.")
            return redirect("decisions:list")
        return redirect("decisions:check" if amendment else "decisions:detail", reference=reference)
    return render(
        request,
        "decisions/discard.html",
        {"draft": draft, "decision": draft.decision, "form": form, "amendment": amendment, "question": question},
    )


@require_GET
def person_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """One person and the decisions about them that the user may see. Another organisation's person is 404."""
    person = selectors.get_person_for_user(request.user, pk)
    about = (
        selectors.decisions_about_person(request.user, person)
        .only("reference", "case_reference", "outcome", "status", "review_status", "updated_at", "owner_id")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(about, 50).get_page(request.GET.get("page"))
    # The decisions (of those this user may see) that protect this person's identity.
    protected_in = list(
        about.filter(people_links__person=person, people_links__protect_identity=True)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    context = {"person": person, "page": page, "protected_in": protected_in}
    return render(request, "decisions/person.html", context)


@require_http_methods(["GET", "POST"])
def follow_up_record(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    """The practitioner records a follow-up on their decision (the family told, the information sent), on a page
    of its own. Once recorded, or when nothing is to be followed up, the page sends them back to the decision."""
    decision = selectors.get_decision_for_user(request.user, reference)
    chosen = follow_ups.kind_for_slug(kind)
    if chosen is None:
        raise Http404("No such follow-up")
    if decision.owner_id != request.user.pk or not decision.is_submitted:
        raise PermissionDenied
    if not follow_ups.is_open(decision, chosen.kind):
        messages.info(request, "There is nothing to record for that on this decision.")
        return redirect("decisions:detail", reference=reference)
    waiting = chosen.kind == FollowUpKind.SHARE_SENT and decision.review_status != ReviewStatus.SIGNED_OFF
    form = chosen.form_class(
        data=request.POST if request.method == "POST" and not waiting else None,
        initial={"done_by": request.user.display_name},
    )
    if request.method == "POST" and not waiting and form.is_valid():
        try:
            services.follow_up_record(
                by=request.user, decision=decision, kind=chosen.kind, data=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            messages.info(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Recorded on {reference}.")
        return redirect("decisions:detail", reference=reference)
    return render(
        request,
        "decisions/follow_up.html",
        {
            "decision": decision,
            "form": form,
            "kind": chosen,
            "due_on": follow_ups.due_on(decision, chosen.kind),
            "waiting": waiting,
        },
    )


def _error_page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    return render(request, template, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/404.html", 404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/403.html", 403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "errors/400.html", 400)
