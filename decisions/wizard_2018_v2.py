"""The 2018 edition's second layout: the pages as they were before people and recipients became lists (issue 12).

Records submitted in this layout are read, checked and printed by these pages, so they show what the
practitioner was asked. Nothing here may change: copy a form here before rewording or reshaping it in
forms.py if this layout uses it (the forms this module imports from forms.py are shared with later layouts
and must keep their field names, labels and choices). The conditions and rules here are shared with the
current layout (wizard.py imports them).

Open drafts and amendments of these records move to the current layout (wizard.upgrade_2018_v2) before
anyone answers a page, so these pages are never shown as questions again.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout
from django import forms

from . import forms as f
from . import guidance as g
from .choices import ConsentStatus, Outcome
from .flow import Answers, Flow, Rule, Step, Task
from .flow import answer as _answer
from .forms import Answers as PageAnswers
from .forms import StepForm, _checkboxes, _date, _long_text, _not_in_future, _radio, _text

# The pages layout 3 reshaped, exactly as layout 2 asked them. ------------------------------------------------


class RequestFormV2(StepForm):
    request_origin = _radio("How did this start?", g.REQUEST_ORIGINS, "how this started")
    requester_name = _text("Name of the person who asked or proposed sharing", "the name of the person")
    requester_role = _text("Their role", "their role")
    requester_agency = _text("Their agency", "their agency", help_text="For example, West Midlands Police")
    request_date = _date("When was the request or proposal made?", "the date of the request")
    case_reference = _text(
        "Case reference",
        "the case reference",
        help_text="Your agency's reference for the child or family",
        max_length=60,
    )
    subject_details = _long_text(
        "Who is the child or family?",
        "who the child or family is",
        help_text="Give only what identifies them: for example, first name, initials and date of birth",
    )
    purpose = _long_text("What is the purpose of sharing?", "the purpose of sharing")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _not_in_future(self, "request_date", "The date of the request")
        return cleaned


class ConsentFormV2(StepForm):
    """One question decides whether consent was sought, so the answers cannot contradict each other; the next
    page asks why, in the procedure's words, when it was not."""

    consent_sought = _radio(
        "Did you seek consent?",
        g.YES_NO,
        "whether you sought consent",
        help_text=g.CONSENT_THRESHOLD,
    )
    consent_from = _text(
        "Who did you ask?", "who you asked", help_text="For example, mother, young person", required=False
    )
    conditional = [("consent_from", "consent_sought", ("yes",))]

    def build_layout(self) -> Layout:
        return Layout(ConditionalRadios("consent_sought", ConditionalQuestion("Yes", "consent_from"), "No"))


class DecisionFormV2(StepForm):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        # The local procedure's words: no one should assume someone else will pass it on.
        help_text="If you believe a child is suffering, or likely to suffer, harm, share the information with "
        "children's social care",
        error_messages={"required": "Select your decision", "invalid_choice": "Select your decision"},
    )
    withheld = _long_text("What will you withhold, and why?", "what was withheld and why", required=False)
    no_share_reasons = _checkboxes(
        "Why are you not sharing?",
        g.NO_SHARE_REASONS,
        "why you are not sharing",
        help_text="Select all that apply",
        required=False,
    )
    reasons = _long_text("Reasons for your decision", "the reasons for your decision")
    conditional = [("withheld", "outcome", ("share_some",)), ("no_share_reasons", "outcome", ("no_share",))]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "outcome",
                "Share all of the information",
                ConditionalQuestion("Share some of the information", self.item("withheld")),
                ConditionalQuestion("Do not share", "no_share_reasons"),
            ),
            self.item("reasons"),
        )


class OpenHonestFormV2(StepForm):
    told = _radio("Were they told?", g.TOLD_OPTIONS, "whether they were told")
    told_detail = _long_text("What were they told, and by whom?", "what they were told", required=False)
    not_told_reason = _long_text(
        "Why were they not told?",
        "why they were not told",
        help_text="For example, telling them would be unsafe or inappropriate",
        required=False,
    )
    conditional = [("told_detail", "told", ("yes",)), ("not_told_reason", "told", ("no",))]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "told",
                ConditionalQuestion("Yes, they were told", self.item("told_detail")),
                ConditionalQuestion("No, they were not told", self.item("not_told_reason")),
            )
        )


class RecipientsFormV2(StepForm):
    recipient_agency = _text("Agency", "the agency")
    recipient_person = _text("Name or role of the person", "the name or role of the person")
    recipient_contact = _text(
        "Contact details",
        "the contact details",
        help_text="For example, a secure email address or phone number",
    )
    shared_date = _date(
        "Date shared",
        "the date shared",
        help_text="If not yet shared, the date you will share it. For example, 27 3 2026",
    )
    shared_time = forms.TimeField(
        label="Time shared (optional)",
        required=False,
        help_text="For example, 14:30",
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={"invalid": "Enter the time as hours and minutes, for example 14:30"},
    )
    other_recipients = _long_text(
        "Anyone else it was shared with (optional)",
        "other recipients",
        required=False,
        help_text="Agency, person, contact, date and method for each",
    )

    def to_answers(self) -> PageAnswers:
        answers = super().to_answers()
        time_value = self.cleaned_data.get("shared_time")
        answers["shared_time"] = time_value.strftime("%H:%M") if time_value else ""
        return answers


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

FLOW = Flow(
    edition="2018",
    layout=2,
    steps=(
        Step("request", RequestFormV2),
        Step("information", f.InformationForm),
        Step("advice", f.AdviceForm),
        Step("consent", ConsentFormV2),
        Step("consent_outcome", f.ConsentOutcomeForm, consent_was_sought),
        Step("consent_not_sought", f.ConsentNotSoughtForm, consent_not_sought),
        Step("safety", f.SafetyForm),
        Step("necessary", f.NecessaryForm),
        Step("decision", DecisionFormV2),
        Step("without_consent", f.WithoutConsentForm, sharing_without_consent),
        Step("lawful_basis", f.LawfulBasisForm, is_sharing),
        Step("special_category", f.SpecialCategoryForm, sharing_with_special_category),
        Step("criminal_offence", f.CriminalOffenceForm, sharing_with_criminal_offence),
        Step("quality", f.QualityForm, is_sharing),
        # Consent given means they were told what would be shared and why when it was sought.
        Step("open_honest", OpenHonestFormV2, sharing_without_consent),
        Step("sending", f.SendingForm, is_sharing),
        Step("recipients", RecipientsFormV2, is_sharing),
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
