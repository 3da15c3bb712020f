"""The two question pages whose answer is a list: the people a decision is about and its recipients.

Each works without JavaScript: the list is shown with a Remove button per entry, an "add" form below it posts
one entry at a time, and "Save and continue" moves on once the list is complete (GOV.UK's "add another",
done on the server). Every change is saved as the page's answer through `services.draft_save_step`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import Organisation, ReviewTiming

from . import people, selectors, services
from .flow import Flow, Step
from .forms import (
    ListStepForm,
    NewPersonForm,
    PickPersonForm,
    RecipientForm,
    RecipientsForm,
    person_description,
)
from .guidance import edition
from .models import DecisionDraft


def _step_url(reference: str, key: str, back_to_check: bool) -> str:
    url = reverse("decisions:step", kwargs={"reference": reference, "step": key})
    return f"{url}?return=check" if back_to_check else url


def _current(draft: DecisionDraft, form_class: type[ListStepForm], key: str) -> tuple[list[dict[str, Any]], dict]:
    """The entries saved so far, and any notes carried over from an older layout of the record."""
    stored = draft.answers.get(key)
    if stored is None:
        stored = draft.unfinished.get(key) or {}
    carried = {k: v for k, v in stored.items() if str(k).startswith("carried_") and v}
    return form_class.entries(stored), carried


def _save(request: HttpRequest, draft: DecisionDraft, key: str, form_class: type[ListStepForm], entries: list) -> list:
    """Save the list; the problems that stopped it (a rule between pages judged here), or none."""
    try:
        services.draft_save_step(
            by=request.user, draft=draft, step_key=key, answers={form_class.list_name: entries}, request=request
        )
    except services.PageInvalid as exc:
        return list(exc.problems)
    return []


def _rule_problems(flow: Flow, draft: DecisionDraft, key: str, form_class: type[ListStepForm], entries: list) -> list:
    """The rules between pages judged on this page, were its list `entries` (services refuse to save otherwise)."""
    return flow.page_problems(key, {**draft.answers, key: {form_class.list_name: entries}})


def _new_problems(
    flow: Flow, draft: DecisionDraft, key: str, form_class: type[ListStepForm], before: list, after: list
) -> list:
    """Problems that a change to the list would bring (one already there is said when the page is continued)."""
    known = {p.message for p in _rule_problems(flow, draft, key, form_class, before)}
    return [p for p in _rule_problems(flow, draft, key, form_class, after) if p.message not in known]


def _after(flow: Flow, draft: DecisionDraft, key: str, back_to_check: bool) -> str:
    reference = draft.decision.reference
    if back_to_check:
        missing = flow.first_unanswered(draft.answers, draft.unfinished)
        if missing is not None and missing.key != key:
            return _step_url(reference, missing.key, True)
        return reverse("decisions:check", kwargs={"reference": reference})
    following = flow.next_step(draft.answers, key)
    if following is None:
        return reverse("decisions:check", kwargs={"reference": reference})
    return _step_url(reference, following.key, False)


def _task_caption(flow: Flow, answers: dict[str, Any], key: str) -> str:
    found = flow.task_number(key)
    if found is None:
        return ""
    number, task = found
    return f"Task {number} of {flow.task_total}: {flow.task_title(task, answers)}"


def _removed(entries: list[dict[str, Any]], value: str) -> list[dict[str, Any]] | None:
    if not value.isdigit() or not 1 <= int(value) <= len(entries):
        return None
    index = int(value) - 1
    return entries[:index] + entries[index + 1 :]


def list_step(
    request: HttpRequest, draft: DecisionDraft, flow: Flow, step: Step, back_url: str, back_to_check: bool
) -> HttpResponse:
    form_class = step.form_class
    assert issubclass(form_class, ListStepForm)
    entries, carried = _current(draft, form_class, step.key)
    reference = draft.decision.reference
    here = _step_url(reference, step.key, back_to_check)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    errors: list[tuple[str, str]] = []  # (field id, message) for the error summary
    add_form: Any = None
    pick_form: PickPersonForm | None = None

    if action == "remove":
        remaining = _removed(entries, request.POST.get("entry", ""))
        if remaining is None:
            errors.append(("", f"Select a {form_class.entry_noun} to remove"))
        elif problems := _new_problems(flow, draft, step.key, form_class, entries, remaining):
            errors.extend(("", p.message) for p in problems)
        else:
            if not (saved := _save(request, draft, step.key, form_class, remaining)):
                return redirect(here)
            errors.extend(("", p.message) for p in saved)
    elif action == "continue":
        check = form_class(data={form_class.list_name: entries})
        # A later change on another page can break a rule judged here: said here, with how to put it right.
        problems = _rule_problems(flow, draft, step.key, form_class, entries)
        errors.extend(("", p.message) for p in problems)
        if check.is_valid() and not carried and not problems:
            if step.key not in draft.answers:
                _save(request, draft, step.key, form_class, entries)
                draft.refresh_from_db()
            return redirect(_after(flow, draft, step.key, back_to_check))
        if carried:
            errors.append(("", f"Add each {form_class.entry_noun} from the earlier record, then remove the note"))
        errors.extend(("", str(e)) for e in check.non_field_errors())
    elif action == "clear_carried":
        if not (saved := _save(request, draft, step.key, form_class, entries)):
            return redirect(here)
        errors.extend(("", p.message) for p in saved)
    elif action == "add" and form_class is RecipientsForm:
        add_form = RecipientForm(data=request.POST, planned=_plans_sharing(draft))
        if add_form.is_valid():
            added = [*entries, add_form.to_answers()]
            if len(entries) >= form_class.max_entries:
                errors.append(("", f"Add no more than {form_class.max_entries} recipients"))
            elif problems := _new_problems(flow, draft, step.key, form_class, entries, added):
                # The rule is about the entry being added: shown on its field, and nothing is saved.
                for problem in problems:
                    add_form.add_error(problem.field if problem.field in add_form.fields else None, problem.message)
            else:
                if not (saved := _save(request, draft, step.key, form_class, [*entries, add_form.to_answers()])):
                    return redirect(here)
                errors.extend(("", p.message) for p in saved)
    elif action == "new" and step.key == "people":
        add_form = NewPersonForm(data=request.POST)
        if add_form.is_valid():
            data = add_form.cleaned_data
            person = services.person_create(
                by=request.user,
                full_name=data["full_name"],
                date_of_birth=data.get("date_of_birth") or None,
                birth_date_accuracy=data["birth_date_accuracy"],
                request=request,
            )
            entry = people.snapshot(person, part=data["part"], protect_identity=bool(data.get("protect_identity")))
            if not (saved := _save(request, draft, step.key, form_class, [*entries, entry])):
                return redirect(here)
            errors.extend(("", p.message) for p in saved)
    elif action == "pick" and step.key == "people":
        pick_form = PickPersonForm(data=request.POST)
        if pick_form.is_valid():
            # Another organisation's person is "not found", exactly like one that does not exist.
            person = selectors.get_person_for_user(request.user, pick_form.cleaned_data["person"])
            if any(str(e.get("person_id")) == str(person.pk) for e in entries):
                pick_form.add_error("person", "This person is on this record already")
            else:
                entry = people.snapshot(
                    person,
                    part=pick_form.cleaned_data["pick_part"],
                    protect_identity=bool(pick_form.cleaned_data.get("pick_protect_identity")),
                )
                if not (saved := _save(request, draft, step.key, form_class, [*entries, entry])):
                    return redirect(here)
                errors.extend(("", p.message) for p in saved)
    elif request.method == "POST":
        errors.append(("", "Choose what to do on this page"))

    context: dict[str, Any] = {
        "draft": draft,
        "decision": draft.decision,
        "question": flow.question(step.key),
        "task_caption": _task_caption(flow, draft.answers, step.key),
        "principle": edition(draft.decision.edition).principle(flow.question(step.key).rule),
        "back_url": back_url,
        "back_to_check": back_to_check,
        "here": here,
        "carried": carried,
    }
    if step.key == "people":
        return _people_page(request, context, entries, add_form, pick_form, errors)
    return _recipients_page(request, draft, context, entries, add_form, errors)


def _people_page(
    request: HttpRequest,
    context: dict[str, Any],
    entries: list[dict[str, Any]],
    new_form: Any,
    pick_form: PickPersonForm | None,
    errors: list[tuple[str, str]],
) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    born_text = request.GET.get("born", "").strip()[:20]
    born = None
    search_error = ""
    if born_text:
        born = _parse_day(born_text)
        if born is None:
            search_error = "Enter the date of birth as day, month and year, for example 4/5/2015"
    searched = bool(query or born_text)
    results = (
        selectors.search_people(request.user, name=query, date_of_birth=born) if searched and not search_error else []
    )
    on_record = {str(e.get("person_id")) for e in entries}
    if pick_form is not None and pick_form.errors:
        # The search the practitioner picked from, shown again with the error.
        query = request.POST.get("q", query)
    context.update(
        entries=[{"number": n, "text": person_description(e)} for n, e in enumerate(entries, start=1)],
        query=query,
        born=born_text,
        searched=searched,
        search_error=search_error,
        results=[
            {
                "person": p,
                "text": person_description(people.snapshot(p, part="", protect_identity=False)),
                "on_record": str(p.pk) in on_record,
            }
            for p in results
        ],
        new_form=new_form or NewPersonForm(),
        pick_form=pick_form or PickPersonForm(),
        errors=errors,
        form_errors=_errors_of(new_form) + _errors_of(pick_form),
    )
    return render(request, "decisions/people_step.html", context, status=200)


def _recipients_page(
    request: HttpRequest,
    draft: DecisionDraft,
    context: dict[str, Any],
    entries: list[dict[str, Any]],
    add_form: Any,
    errors: list[tuple[str, str]],
) -> HttpResponse:
    if add_form is None:
        initial: dict[str, Any] = {}
        if request.GET.get("same_as_requester"):
            # The shortcut: the person who asked is often the one it is shared with.
            asked = draft.answers.get("request") or {}
            person = ", ".join(v for v in (asked.get("requester_name", ""), asked.get("requester_role", "")) if v)
            initial = {"agency": asked.get("requester_agency", ""), "person": person}
        add_form = RecipientForm(initial=initial, planned=_plans_sharing(draft))
    context.update(
        entries=[{"number": n, "text": RecipientsForm.entry_summary(e)} for n, e in enumerate(entries, start=1)],
        add_form=add_form,
        errors=errors,
        form_errors=_errors_of(add_form),
        has_requester=bool((draft.answers.get("request") or {}).get("requester_agency")),
        plans_sharing=add_form.is_planned,
    )
    return render(request, "decisions/recipients_step.html", context)


def _plans_sharing(draft: DecisionDraft) -> bool:
    """The organisation reviews before sharing: recipients are entered as a plan, and sent after sign-off."""
    timing = Organisation.objects.values_list("review_timing", flat=True).get(pk=draft.decision.organisation_id)
    return bool(timing == ReviewTiming.BEFORE_SHARING)


def _errors_of(form: Any) -> list[tuple[str, str]]:
    if form is None or not form.is_bound or form.is_valid():
        return []
    found: list[tuple[str, str]] = []
    for name, messages in form.errors.items():
        target = f"id_{name}" if name != "__all__" else ""
        if name in getattr(form, "fields", {}) and hasattr(form.fields[name], "fields"):
            target = f"id_{name}_0"
        found.extend((target, str(m)) for m in messages)
    return found


def _parse_day(text: str) -> Any:
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
