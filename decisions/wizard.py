"""The question pages in order, when each one applies, and the rules between them. Steps are data: adding a
question is one entry.

The practitioner first weighs the request (the information, advice, consent, safety and well-being, and
whether sharing would be necessary and proportionate), then decides to share all, some or none of it. Only
then come the questions the decision makes meaningful: for sharing, the lawful basis, what is shared, how it
is sent securely and to whom; for not sharing, whether the person who asked was told, and what was offered
instead.

Each edition can have several layouts (see flow.py). Drafts and versions store theirs, and are always read
by it: `flow_of(record)`. The first layout of 2018 is kept, frozen, in wizard_2018_v1.py.
"""

from __future__ import annotations

from typing import Any

from . import forms as f
from . import wizard_2018_v1 as v1
from .choices import ConsentStatus, Outcome
from .flow import Answers, Flow, Problem, Rule, Step, Task, Unfinished
from .flow import answer as _answer
from .guidance import CURRENT_EDITION, QuestionText

__all__ = ["Answers", "Flow", "Problem", "Step", "Unfinished"]


# Conditions ---------------------------------------------------------------------------------------------


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


def is_not_sharing(answers: Answers) -> bool:
    return _answer(answers, "decision", "outcome") == Outcome.NO_SHARE


def consent_status(answers: Answers) -> str:
    if consent_not_sought(answers):
        return ConsentStatus.NOT_SOUGHT
    if not consent_was_sought(answers):
        return ""
    outcome = _answer(answers, "consent_outcome", "consent_outcome")
    return str(outcome) if outcome in ConsentStatus.values else ""


def sharing_without_consent(answers: Answers) -> bool:
    return is_sharing(answers) and consent_status(answers) != ConsentStatus.GIVEN


def sharing_with_special_category(answers: Answers) -> bool:
    return is_sharing(answers) and has_special_category(answers)


def sharing_with_criminal_offence(answers: Answers) -> bool:
    return is_sharing(answers) and has_criminal_offence(answers)


def not_sharing_with_a_requester(answers: Answers) -> bool:
    """Someone else asked (rather than us proposing to share), so there is someone to tell."""
    return is_not_sharing(answers) and _answer(answers, "request", "request_origin") == "other_agency"


# Rules between pages, each checked on the page whose answer it judges --------------------------------------

WITHOUT_CONSENT: dict[str, str] = {
    ConsentStatus.REFUSED: "consent was refused",
    ConsentStatus.WITHDRAWN: "consent was withdrawn",
    ConsentStatus.NOT_OBTAINED: "consent could not be obtained",
    ConsentStatus.NOT_SOUGHT: "consent was not sought",
}


def consent_basis_without_consent(answers: Answers) -> str | None:
    why = WITHOUT_CONSENT.get(consent_status(answers))
    if why and _answer(answers, "lawful_basis", "article6") == "a_consent":
        return f"Consent cannot be the lawful basis because {why}: choose another lawful basis"
    return None


def explicit_consent_without_consent(answers: Answers) -> str | None:
    why = WITHOUT_CONSENT.get(consent_status(answers))
    if why and _answer(answers, "special_category", "article9") == "9_2_a_explicit_consent":
        return f"Explicit consent cannot be the Article 9 condition because {why}: choose another condition"
    return None


def shared_although_not_needed(answers: Answers) -> str | None:
    """A "no" to necessary or proportionate is a good reason not to share, so sharing anyway is the error."""
    if not is_sharing(answers):
        return None
    failed = [q for q in ("necessary", "proportionate") if _answer(answers, "necessary", q) == "no"]
    if not failed:
        return None
    qualities = " or ".join(failed)
    return (
        f"You said sharing would not be {qualities}: choose do not share, or change your answer about "
        f"whether it would be {qualities}"
    )


def not_needed_note(answers: Answers) -> str | None:
    failed = [q for q in ("necessary", "proportionate") if _answer(answers, "necessary", q) == "no"]
    if not failed:
        return None
    return f"You said sharing would not be {' or '.join(failed)}. That is a good reason not to share."


# Moving an old record's answers into this layout ----------------------------------------------------------


def _explanations(old: dict[str, Any], keys: list[str]) -> str:
    """Explanations given for qualities that hold: the new pages ask only where one does not."""
    lines = [
        f"{key.capitalize()}: {old.get(f'{key}_explanation', '')}"
        for key in keys
        if old.get(key) == "yes" and old.get(f"{key}_explanation")
    ]
    return "\n".join(lines)


def _qualities(old: dict[str, Any], keys: list[str], note: str) -> dict[str, Any]:
    page: dict[str, Any] = {}
    for key in keys:
        page[key] = old.get(key, "")
        page[f"{key}_explanation"] = old.get(f"{key}_explanation", "") if old.get(key) == "no" else ""
    page[note] = _explanations(old, keys)
    return page


def upgrade_2018_v1(old: Answers) -> Answers:
    """The first layout's answers in this layout's pages: what maps is carried over, the rest is left for the
    practitioner to answer, and they check every page before submitting the amendment."""
    new: Answers = {
        key: dict(value)
        for key, value in old.items()
        if key
        in (
            "request",
            "information",
            "advice",
            "consent_outcome",
            "consent_not_sought",
            "safety",
            "without_consent",
            "lawful_basis",
            "special_category",
            "criminal_offence",
            "open_honest",
        )
    }
    if "consent" in old:
        # "Was consent sought?" is what happened; "Is it appropriate?" is now the reasons for not seeking it.
        new["consent"] = {
            "consent_sought": old["consent"].get("consent_sought", ""),
            "consent_from": old["consent"].get("consent_from", ""),
        }
    rule6 = old.get("rule6")
    if rule6 is not None:
        new["necessary"] = _qualities(rule6, ["necessary", "proportionate"], "necessary_note")
        new["quality"] = _qualities(rule6, ["relevant", "adequate", "accurate", "timely"], "quality_note")
    recipients = dict(old.get("recipients") or {})
    method = recipients.pop("method", "")
    if recipients:
        new["recipients"] = recipients
    if method or rule6 is not None:
        secure_method = (rule6 or {}).get("secure_method", "")
        new["sending"] = {
            "method": method,
            "method_other": secure_method if method == "other" else "",
            "secure_detail": secure_method,
        }
    if "decision" in old:
        decision = dict(old["decision"])
        reasons = []
        if decision.get("outcome") == Outcome.NO_SHARE and rule6 is not None:
            reasons = [f"not_{q}" for q in ("necessary", "proportionate") if rule6.get(q) == "no"]
        decision["no_share_reasons"] = reasons
        new["decision"] = decision
    return new


# The current layout of the 2018 edition ----------------------------------------------------------------------


def facts(answers: Answers) -> dict[str, object]:
    """The facts stored beside the answers, which database constraints check. A decision not to share states
    no lawful basis and no way of sending: nothing was shared."""
    sharing = is_sharing(answers)
    reasons = _answer(answers, "consent_not_sought", "reasons")
    return {
        "outcome": _answer(answers, "decision", "outcome") or "",
        "consent_status": consent_status(answers),
        "consent_not_sought_reasons": (
            ",".join(str(r) for r in reasons) if consent_not_sought(answers) and isinstance(reasons, list) else ""
        ),
        "lawful_basis": (_answer(answers, "lawful_basis", "article6") or "") if sharing else "",
        "special_category": has_special_category(answers),
        "special_category_condition": (
            (_answer(answers, "special_category", "article9") or "") if sharing_with_special_category(answers) else ""
        ),
        "sharing_method": (_answer(answers, "sending", "method") or "") if sharing else "",
    }


def _after_decision_title(answers: Answers) -> str:
    if is_sharing(answers):
        return "Sharing the information"
    if is_not_sharing(answers):
        return "Not sharing the information"
    return "After your decision"


ABOUT = "About the request"
WEIGH = "Weigh the request"
DECIDE = "Decide"

FLOW_2018 = Flow(
    edition="2018",
    layout=2,
    steps=(
        Step("request", f.RequestForm),
        Step("information", f.InformationForm),
        Step("advice", f.AdviceForm),
        Step("consent", f.ConsentForm),
        Step("consent_outcome", f.ConsentOutcomeForm, consent_was_sought),
        Step("consent_not_sought", f.ConsentNotSoughtForm, consent_not_sought),
        Step("safety", f.SafetyForm),
        Step("necessary", f.NecessaryForm),
        Step("decision", f.DecisionForm),
        Step("without_consent", f.WithoutConsentForm, sharing_without_consent),
        Step("lawful_basis", f.LawfulBasisForm, is_sharing),
        Step("special_category", f.SpecialCategoryForm, sharing_with_special_category),
        Step("criminal_offence", f.CriminalOffenceForm, sharing_with_criminal_offence),
        Step("quality", f.QualityForm, is_sharing),
        # Consent given means they were told what would be shared and why when it was sought.
        Step("open_honest", f.OpenHonestForm, sharing_without_consent),
        Step("sending", f.SendingForm, is_sharing),
        Step("recipients", f.RecipientsForm, is_sharing),
        Step("requester_told", f.RequesterToldForm, not_sharing_with_a_requester),
        Step("alternatives", f.AlternativesForm, is_not_sharing),
    ),
    facts=facts,
    rules=(
        Rule("decision", "outcome", shared_although_not_needed),
        Rule("lawful_basis", "article6", consent_basis_without_consent),
        Rule("special_category", "article9", explicit_consent_without_consent),
    ),
    tasks=(
        Task("request", "The request", ABOUT, ("request",)),
        Task("information", "The information", ABOUT, ("information",)),
        Task("advice", "Advice", WEIGH, ("advice",)),
        Task("consent", "Consent", WEIGH, ("consent", "consent_outcome", "consent_not_sought")),
        Task("safety", "Safety and well-being", WEIGH, ("safety",)),
        Task("necessary", "Necessary and proportionate", WEIGH, ("necessary",)),
        Task("decision", "Your decision", DECIDE, ("decision",)),
        Task(
            "after_decision",
            "After your decision",
            DECIDE,
            (
                "without_consent",
                "lawful_basis",
                "special_category",
                "criminal_offence",
                "quality",
                "open_honest",
                "sending",
                "recipients",
                "requester_told",
                "alternatives",
            ),
            after=("decision",),
            title_for=_after_decision_title,
        ),
    ),
    locations={"method": ("sending", "method"), "secure_method": ("sending", "secure_detail")},
    upgrade=upgrade_2018_v1,
    notes={"decision": not_needed_note},
)

# Every layout of every edition, oldest first; the last of an edition is the one new drafts use.
FLOWS: dict[tuple[str, int], Flow] = {(flow.edition, flow.layout): flow for flow in (v1.FLOW, FLOW_2018)}


def _register(flow: Flow) -> None:
    FLOWS[(flow.edition, flow.layout)] = flow


def current_layout(edition_code: str = CURRENT_EDITION) -> int:
    return max(layout for code, layout in FLOWS if code == edition_code)


def flow_for(edition_code: str = CURRENT_EDITION, layout: int | None = None) -> Flow:
    return FLOWS[(edition_code, layout if layout is not None else current_layout(edition_code))]


def flow_of(record: Any) -> Flow:
    """The layout a draft or a version was answered in (a draft's edition is its decision's)."""
    code = getattr(record, "edition", None) or record.decision.edition
    return flow_for(code, record.layout)


def reshape(edition_code: str, layout: int, answers: Answers) -> tuple[Answers, int]:
    """Answers from an older layout moved, one layout at a time, into the current one."""
    newest = current_layout(edition_code)
    while layout < newest:
        layout += 1
        upgrade = flow_for(edition_code, layout).upgrade
        assert upgrade is not None, f"layout {layout} of {edition_code} says how to read the one before it"
        answers = upgrade(answers)
    return answers, layout


# Shorthands for the current layout (tests and the performance harness use these). ---------------------------


def steps_for(edition_code: str = CURRENT_EDITION, layout: int | None = None) -> tuple[Step, ...]:
    return flow_for(edition_code, layout).steps


def step_by_key(edition_code: str, key: str, layout: int | None = None) -> Step | None:
    return flow_for(edition_code, layout).step(key)


def question(edition_code: str, key: str, layout: int | None = None) -> QuestionText:
    return flow_for(edition_code, layout).question(key)


def validate_record(edition_code: str, answers: Answers, layout: int | None = None) -> list[Problem]:
    return flow_for(edition_code, layout).validate(answers)


def relevant_answers(edition_code: str, answers: Answers, layout: int | None = None) -> Answers:
    return flow_for(edition_code, layout).relevant_answers(answers)


# The May 2024 edition's pages (wizard_2024.py) reuse this module's conditions, so they join FLOWS once it has
# loaded. The app imports this module at start-up, so wizard_2024 is never loaded first.
from . import wizard_2024  # noqa: E402

_register(wizard_2024.FLOW)
