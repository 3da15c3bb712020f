"""Example answers for a decision under the May 2024 edition, and a helper that records one through the real
services. For the demonstration data (`seed_demo` may call `record_example_2024_decision`) and for tests: the
answers are cleaned by the 2024 pages' own forms, so they are exactly what a practitioner's answers would be.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import Organisation

from . import services, wizard
from .choices import Outcome
from .flow import Step
from .forms import NewPersonForm, PeopleForm, RecipientForm, RecipientsForm, people_in
from .guidance import PERSON_PARTS
from .models import DecisionVersion
from .people import snapshot
from .permissions import membership_of

# What a practitioner would post on each 2024 page, on every branch. The list pages hold their entries as each
# "add" form posts them; "consent_from" names a part, and "protect_identities" answers by name: `page_posts`
# turns them into the record's people, as a practitioner picks them.
EXAMPLE_POSTS_2024: dict[str, dict[str, Any]] = {
    "request": {
        "request_origin": "other_agency",
        "requester_name": "PC Jane Smith",
        "requester_role": "Police constable",
        "requester_agency": "West Midlands Police",
        "request_date_0": "3",
        "request_date_1": "11",
        "request_date_2": "2026",
        "case_reference": "CASE-2024",
        "purpose": "Strategy discussion about bruising seen at school",
    },
    "people": {
        "people": [
            {
                "full_name": "Jamie Brown",
                "birth_date_accuracy": "exact",
                "date_of_birth_0": "4",
                "date_of_birth_1": "5",
                "date_of_birth_2": "2015",
                "part": "child",
            },
            {
                "full_name": "Karen Brown",
                "birth_date_accuracy": "unknown",
                "part": "parent_carer",
                "protect_identity": "on",
            },
            {
                "full_name": "Pat Green",
                "birth_date_accuracy": "unknown",
                "part": "other_adult",
                "protect_identity": "on",
            },
        ]
    },
    "information": {
        "categories": ["family", "education"],
        "special_category": "no",
        "criminal_offence": "no",
        "description": "Attendance record and notes of two conversations with the child",
    },
    "advice": {
        "advice_sought": "yes",
        "advice_sources": ["dsl"],
        "advice_from": "Mrs Patel, designated safeguarding lead",
        "advice_date_0": "3",
        "advice_date_1": "11",
        "advice_date_2": "2026",
        "identity_withheld": "yes",
        "advice_given": "Share the attendance record and notes; keep the neighbour's name out",
    },
    "consent": {
        "consent_sought": "yes",
        "consent_from": "parent_carer",
        "consent_date_0": "3",
        "consent_date_1": "11",
        "consent_date_2": "2026",
        "consent_how": "in_person",
        "young_person": "no",
    },
    "consent_outcome": {
        "consent_outcome": "given",
        "consent_given_what": "The attendance record and the notes of the home visit",
        "consent_given_with": "The police child protection team",
        "consent_given_recorded": "Signed form on the case file",
    },
    "consent_not_sought": {
        "reasons": ["increase_risk"],
        "reason_detail": "Telling the father could put the child at greater risk before the strategy discussion",
    },
    "safety": {
        "impact_of_sharing": "Police can assess the risk at the strategy discussion",
        "impact_of_not_sharing": "The risk of harm would not be assessed with full information",
    },
    "necessary": {"necessary": "yes", "proportionate": "yes"},
    "decision": {"outcome": "share_all", "reasons": "Necessary to protect the child from harm"},
    "without_consent": {"justification": "The child is at risk of harm; rule 3 says consent is not needed"},
    "lawful_basis": {"article6": "e_public_task", "statutory_gateways": ["ca1989_s47", "wt2023"]},
    "consent_basis": {"consent_basis_reason": "The family asked for the referral to early help and can stop it"},
    "special_category": {"article9": "9_2_g_substantial_public_interest", "schedule1": "para_18"},
    "criminal_offence": {"criminal_condition": "para_18"},
    "quality": {"relevant": "yes", "need_to_know": "yes", "adequate": "yes", "accurate": "yes", "timely": "yes"},
    "engage": {
        "engaged": "yes",
        "engaged_who": "Mother",
        "engaged_detail": "I told her on 3 November that I would share the notes with the police, and why",
    },
    "protect_identities": {
        "Karen Brown": "Her new address is left out; the police agreed not to give it to the father",
        "Pat Green": "The neighbour's name and address are left out; the police agreed not to tell the family",
    },
    "sending": {"secure_detail": "Sent to the named officer's secure address"},
    "recipients": {
        "recipients": [
            {
                "agency": "West Midlands Police",
                "person": "PC Jane Smith",
                "contact": "jane.smith@police.example",
                "shared_date_0": "3",
                "shared_date_1": "11",
                "shared_date_2": "2026",
                "shared_time": "14:30",
                "method": "secure_email",
            }
        ]
    },
    "requester_told": {"requester_told": "yes", "requester_told_how": "Phoned PC Smith on 3 November"},
    "alternatives": {"offered": ["part"], "offered_detail": "Offered the attendance record without the notes"},
}

LIST_PAGES = {"people": "new", "recipients": "add"}  # page -> the action that adds one entry


def page_data(key: str, post: dict[str, Any], people: list[dict[str, Any]]) -> dict[str, Any]:
    """A question page's form data from an example post, with the people it names resolved to the record's:
    "consent_from" by part (the first person with it), "protect_identities" by name."""
    if key == "consent" and post.get("consent_from") in dict(PERSON_PARTS):
        chosen = next((p for p in people if p.get("part") == post["consent_from"]), None)
        return chosen_only(key, {**post, "consent_from": str(chosen["person_id"]) if chosen else ""})
    if key == "protect_identities":
        by_name = {str(p.get("full_name")): p for p in people}
        return {f"protect_{by_name[name]['person_id']}": text for name, text in post.items() if name in by_name}
    return chosen_only(key, post)


def chosen_only(key: str, post: dict[str, Any]) -> dict[str, Any]:
    """The example without its follow-ups of answers an override did not choose, as a practitioner leaves them
    empty (the page refuses text typed under an answer that was not chosen)."""
    step = wizard.flow_for("2024").step(key)
    if step is None:
        return post
    data = dict(post)
    for name, controller, values in step.form_class.conditional:
        chosen = data.get(controller)
        if not (set(chosen) & set(values) if isinstance(chosen, list) else chosen in values):
            for field in (name, f"{name}_0", f"{name}_1", f"{name}_2"):
                data.pop(field, None)
    return data


def page_posts(key: str, post: dict[str, Any], people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the browser posts to answer page `key`: each entry of a list page, then "Save and continue"; or the
    page's one form."""
    if key in LIST_PAGES:
        entries = post[key]
        return [*({"action": LIST_PAGES[key], **entry} for entry in entries), {"action": "continue"}]
    return [page_data(key, post, people)]


NO_SHARE_2024 = {"outcome": "no_share", "no_share_reasons": ["no_role"], "reasons": "They do not need it"}


def record_example_2024_decision(
    *, by: Any, outcome: str = Outcome.SHARE_ALL, overrides: dict[str, dict[str, Any]] | None = None
) -> DecisionVersion:
    """Start, answer and submit one 2024 decision as practitioner `by`, whose organisation must be on the 2024
    edition. Every write goes through the services, so it is audited and counted like any other."""
    overrides = dict(overrides or {})
    if outcome == Outcome.NO_SHARE:
        overrides["decision"] = {**NO_SHARE_2024, **overrides.get("decision", {})}
    elif outcome != Outcome.SHARE_ALL:
        withheld = {
            "outcome": outcome,
            "shared_part": "The attendance record",
            "withheld": "The notes of the conversations",
        }
        overrides["decision"] = {**withheld, **overrides.get("decision", {})}
    membership = membership_of(by)
    if (
        membership is None
        or not Organisation.objects.filter(pk=membership.organisation_id, guidance_edition="2024").exists()
    ):
        raise ValidationError("The practitioner's organisation makes new decisions under another edition")
    draft = services.decision_start(by=by)
    flow = wizard.flow_for("2024")
    # Pages apply depending on earlier answers, so answer them in order as the task list leads.
    while (step := flow.first_unanswered(draft.answers)) is not None:
        post = {**EXAMPLE_POSTS_2024[step.key], **overrides.get(step.key, {})}
        answers = _page_answers(by, step, post, people_in(draft.answers))
        draft = services.draft_save_step(by=by, draft=draft, step_key=step.key, answers=answers)
    return services.decision_submit(by=by, draft=draft)


def _page_answers(by: Any, step: Step, post: dict[str, Any], on_record: list[dict[str, Any]]) -> dict[str, Any]:
    """A page's answers as its form (or, for a list page, each entry's form) stores them."""
    if step.form_class is PeopleForm:
        entries = []
        for entry in post["people"]:
            form = NewPersonForm(data=entry)
            _check(form, step.key)
            data = form.cleaned_data
            person = services.person_create(
                by=by,
                full_name=data["full_name"],
                date_of_birth=data.get("date_of_birth") or None,
                birth_date_accuracy=data["birth_date_accuracy"],
            )
            entries.append(snapshot(person, part=data["part"], protect_identity=bool(data.get("protect_identity"))))
        return {"people": entries}
    if step.form_class is RecipientsForm:
        return {"recipients": [_checked(RecipientForm(data=entry), step.key) for entry in post["recipients"]]}
    page = step.form_class(data=page_data(step.key, post, on_record))
    if getattr(page, "uses_people", False):
        page.set_people(on_record)  # type: ignore[attr-defined]
    return _checked(page, step.key)


def _check(form: Any, key: str) -> None:
    if not form.is_valid():
        raise ValidationError(f"Example answers for {key} are not valid: {form.errors.as_text()}")


def _checked(form: Any, key: str) -> dict[str, Any]:
    _check(form, key)
    return dict(form.to_answers())
