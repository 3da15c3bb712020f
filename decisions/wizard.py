"""The question pages in order, and when each one applies. Steps are data: adding a question is one entry.

Conditions are small functions of the answers so far. `validate_record` checks the whole record again at
submit, including rules that span pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import forms as f
from .choices import ConsentStatus, Outcome
from .guidance import CURRENT_EDITION, QuestionText, edition

Answers = dict[str, dict]
Condition = Callable[[Answers], bool]


def _answer(answers: Answers, step: str, field: str) -> object:
    return (answers.get(step) or {}).get(field)


def always(answers: Answers) -> bool:
    return True


def consent_was_sought(answers: Answers) -> bool:
    return _answer(answers, "consent", "consent_sought") == "yes"


def consent_not_sought(answers: Answers) -> bool:
    return _answer(answers, "consent", "consent_sought") == "no"


def has_special_category(answers: Answers) -> bool:
    return _answer(answers, "information", "special_category") == "yes"


def has_criminal_offence(answers: Answers) -> bool:
    return _answer(answers, "information", "criminal_offence") == "yes"


def is_sharing(answers: Answers) -> bool:
    return _answer(answers, "decision", "outcome") in (Outcome.SHARE_ALL, Outcome.SHARE_SOME)


def sharing_without_consent(answers: Answers) -> bool:
    return is_sharing(answers) and consent_status(answers) != ConsentStatus.GIVEN


@dataclass(frozen=True)
class Step:
    key: str
    form_class: type[f.StepForm]
    condition: Condition = always


STEPS: dict[str, tuple[Step, ...]] = {
    "2018": (
        Step("request", f.RequestForm),
        Step("information", f.InformationForm),
        Step("advice", f.AdviceForm),
        Step("consent", f.ConsentForm),
        Step("consent_outcome", f.ConsentOutcomeForm, consent_was_sought),
        Step("consent_not_sought", f.ConsentNotSoughtForm, consent_not_sought),
        Step("lawful_basis", f.LawfulBasisForm),
        Step("special_category", f.SpecialCategoryForm, has_special_category),
        Step("criminal_offence", f.CriminalOffenceForm, has_criminal_offence),
        Step("safety", f.SafetyForm),
        Step("rule6", f.Rule6Form),
        Step("open_honest", f.OpenHonestForm),
        Step("decision", f.DecisionForm),
        Step("without_consent", f.WithoutConsentForm, sharing_without_consent),
        Step("recipients", f.RecipientsForm, is_sharing),
    ),
}


def steps_for(edition_code: str = CURRENT_EDITION) -> tuple[Step, ...]:
    return STEPS[edition_code]


def step_by_key(edition_code: str, key: str) -> Step | None:
    return next((s for s in steps_for(edition_code) if s.key == key), None)


def question(edition_code: str, key: str) -> QuestionText:
    return edition(edition_code).questions[key]


def visible_steps(edition_code: str, answers: Answers) -> list[Step]:
    return [s for s in steps_for(edition_code) if s.condition(answers)]


def next_step(edition_code: str, answers: Answers, after: str) -> Step | None:
    """The next applicable step after `after`, judged on the answers as they are now."""
    keys = [s.key for s in steps_for(edition_code)]
    for step in steps_for(edition_code)[keys.index(after) + 1 :]:
        if step.condition(answers):
            return step
    return None


def previous_step(edition_code: str, answers: Answers, before: str) -> Step | None:
    keys = [s.key for s in steps_for(edition_code)]
    for step in reversed(steps_for(edition_code)[: keys.index(before)]):
        if step.condition(answers):
            return step
    return None


def first_unanswered(edition_code: str, answers: Answers) -> Step | None:
    return next((s for s in visible_steps(edition_code, answers) if s.key not in answers), None)


def step_position(edition_code: str, answers: Answers, key: str) -> tuple[int, int]:
    """("Step X of Y") among the steps that apply to these answers, plus check answers."""
    visible = [s.key for s in visible_steps(edition_code, answers)]
    total = len(visible) + 1
    if key in visible:
        return visible.index(key) + 1, total
    return total, total


def relevant_answers(edition_code: str, answers: Answers) -> Answers:
    """Only the answers of steps that apply: a branch abandoned by a later change is not submitted."""
    return {s.key: answers[s.key] for s in visible_steps(edition_code, answers) if s.key in answers}


def consent_status(answers: Answers) -> str:
    if consent_not_sought(answers):
        return ConsentStatus.NOT_SOUGHT
    outcome = _answer(answers, "consent_outcome", "consent_outcome")
    return str(outcome) if outcome in ConsentStatus.values else ""


def _not_sought_reasons(answers: Answers) -> list[str]:
    reasons = _answer(answers, "consent_not_sought", "reasons")
    return [str(r) for r in reasons] if isinstance(reasons, list) else []


def facts(answers: Answers) -> dict[str, object]:
    """The facts stored beside the answers, which database constraints check."""
    special = has_special_category(answers)
    return {
        "outcome": _answer(answers, "decision", "outcome") or "",
        "consent_status": consent_status(answers),
        "consent_not_sought_reasons": ",".join(_not_sought_reasons(answers)) if consent_not_sought(answers) else "",
        "lawful_basis": _answer(answers, "lawful_basis", "article6") or "",
        "special_category": special,
        "special_category_condition": (_answer(answers, "special_category", "article9") or "") if special else "",
    }


@dataclass(frozen=True)
class Problem:
    step: str
    message: str


def validate_record(edition_code: str, answers: Answers) -> list[Problem]:
    """Every applicable page valid on its own, then the rules that span pages."""
    problems: list[Problem] = []
    for step in visible_steps(edition_code, answers):
        stored = answers.get(step.key)
        if stored is None:
            problems.append(Problem(step.key, f"Answer '{question(edition_code, step.key).title}'"))
            continue
        form = step.form_class(data=step.form_class.data_from_answers(stored))
        if not form.is_valid():
            for errors in form.errors.values():
                problems.extend(Problem(step.key, str(e)) for e in errors)
    if problems:
        return problems

    status = consent_status(answers)
    article6 = _answer(answers, "lawful_basis", "article6")
    if article6 == "a_consent" and status != ConsentStatus.GIVEN:
        problems.append(Problem("lawful_basis", "Consent cannot be the lawful basis when consent was not given"))
    if is_sharing(answers):
        for key in ("necessary", "proportionate"):
            if _answer(answers, "rule6", key) != "yes":
                problems.append(
                    Problem(
                        "rule6",
                        f"You cannot share information that is not {key}: change your answer or your decision",
                    )
                )
        if _answer(answers, "rule6", "secure") != "yes":
            problems.append(Problem("rule6", "Information must be shared securely: change how it will be sent"))
        if has_special_category(answers) and not _answer(answers, "special_category", "article9"):
            problems.append(Problem("special_category", "Select the Article 9 condition for special category data"))
    if consent_not_sought(answers) and not _answer(answers, "consent_not_sought", "reasons"):
        problems.append(Problem("consent_not_sought", "Select at least one reason why consent was not sought"))
    return problems
