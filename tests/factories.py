"""Decisions made through the real services, for tests of features that read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accounts.models import User
from decisions import services, wizard
from decisions.forms import NewPersonForm, RecipientForm
from decisions.models import DecisionDraft, DecisionVersion

from .wizard_helpers import LIST_STEPS, MAIN_PATH, valid_post


def answers_for(steps: list[str] | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, dict]:
    """Stored answers for the main path (consent given, share all), cleaned through the real forms."""

    overrides = overrides or {}
    answers: dict[str, dict] = {}
    for key in steps or MAIN_PATH:
        step = wizard.step_by_key("2018", key)
        assert step is not None
        if key in LIST_STEPS:
            # Either the stored list itself, or changes to the one entry's posted fields.
            given = overrides.get(key) or {}
            answers[key] = given if key in given else list_answer(key, post=given)
            continue
        data = valid_post(key, **overrides.get(key, {}))
        if key == "consent" and not data.get("consent_from"):
            data["consent_from"] = "0"  # replaced by the first person's id in `with_people`
        form = step.form_class(data=data)
        assert form.is_valid(), (key, form.errors)
        answers[key] = form.to_answers()
    return answers


def list_answer(key: str, count: int = 1, post: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """A list page's stored answer with `count` entries, each posted as `valid_post` with `post`'s changes
    (people get their rows in `with_people`)."""
    entry_form = RecipientForm if key == "recipients" else NewPersonForm
    form = entry_form(data=valid_post(key, **(post or {})))
    assert form.is_valid(), form.errors
    if key == "recipients":
        return {
            "recipients": [
                {**form.to_answers(), "agency": f"Agency {n}" if n else "West Midlands Police"} for n in range(count)
            ]
        }
    data = form.cleaned_data
    return {
        "people": [
            {
                "person_id": 0,
                "full_name": data["full_name"] if n == 0 else f"{data['full_name']} {n}",
                "date_of_birth": data["date_of_birth"].isoformat(),
                "birth_date_accuracy": data["birth_date_accuracy"],
                "part": data["part"],
                "protect_identity": False,
            }
            for n in range(count)
        ]
    }


def people_named(*names: str) -> dict[str, list[dict[str, Any]]]:
    """The people page's answer naming these people (the first is the child)."""
    (entry,) = list_answer("people")["people"]
    return {
        "people": [
            {**entry, "full_name": name, "part": "child" if n == 0 else "parent_carer"} for n, name in enumerate(names)
        ]
    }


def with_people(owner: User, answers: dict[str, dict]) -> dict[str, dict]:
    """Each person entry without a row gets one in the owner's organisation (as the people page would)."""
    entries = (answers.get("people") or {}).get("people")
    if not entries:
        return answers
    filled = []
    for entry in entries:
        if not entry.get("person_id"):
            born = dt.date.fromisoformat(entry["date_of_birth"]) if entry.get("date_of_birth") else None
            person = services.person_create(
                by=owner,
                full_name=entry["full_name"],
                date_of_birth=born,
                birth_date_accuracy=entry.get("birth_date_accuracy") or "unknown",
            )
            entry = {**entry, "person_id": person.pk}
        filled.append(entry)
    answers = {**answers, "people": {"people": filled}}
    consent = answers.get("consent")
    if consent and consent.get("consent_sought") == "yes" and consent.get("consent_from") in ("", "0"):
        answers["consent"] = {**consent, "consent_from": str(filled[0]["person_id"])}
    return answers


def save_answers(owner: User, draft: DecisionDraft, answers: dict[str, dict]) -> DecisionDraft:
    """Each page's answers saved through the service, as the pages would, its people added first."""
    for key, value in with_people(owner, answers).items():
        draft = services.draft_save_step(by=owner, draft=draft, step_key=key, answers=value)
    return draft


def make_submitted_decision(
    owner: User, steps: list[str] | None = None, overrides: dict[str, dict[str, Any]] | None = None
) -> DecisionVersion:
    draft = save_answers(owner, services.decision_start(by=owner), answers_for(steps, overrides))
    return services.decision_submit(by=owner, draft=draft)


def amend(owner: User, version: DecisionVersion, reason: str, overrides: dict[str, dict[str, Any]]) -> DecisionVersion:
    draft = services.decision_amend_start(by=owner, decision=version.decision, reason=reason)
    draft = save_answers(owner, draft, answers_for(list(overrides), overrides))
    return services.decision_submit(by=owner, draft=draft)
