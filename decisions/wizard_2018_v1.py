"""The 2018 edition's first layout: the pages as they were before the flow was reshaped (issue 11).

Records submitted in this layout are read, checked and printed by these pages, so they show what the
practitioner was asked. Nothing here may change: copy a form here before rewording or reshaping it in
forms.py if this layout uses it (the forms this module imports from forms.py are shared with later layouts
and must keep their field names, labels and choices).

Open drafts and amendments of these records move to the current layout (wizard.upgrade_2018_v1) before
anyone answers a page, so these pages are never shown as questions again.
"""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Fieldset, Layout, Size
from django import forms

from . import forms as f
from . import guidance as g
from .choices import ConsentStatus, Outcome
from .flow import Answers, Flow, Rule, Step, answer
from .forms import StepForm, _checkboxes, _date, _long_text, _radio, _text


class ConsentFormV1(StepForm):
    consent_appropriate = _radio(
        "Is it appropriate to seek consent?",
        g.YES_NO,
        "whether it is appropriate to seek consent",
        help_text="Consent should be sought unless doing so would place the child at risk of significant harm "
        "or lead to the loss of evidential material",
    )
    consent_sought = _radio("Was consent sought?", g.YES_NO, "whether consent was sought")
    consent_from = _text(
        "Who was asked?", "who was asked", help_text="For example, mother, young person", required=False
    )
    conditional = [("consent_from", "consent_sought", ("yes",))]

    def build_layout(self) -> Layout:
        return Layout(
            "consent_appropriate",
            ConditionalRadios("consent_sought", ConditionalQuestion("Yes", "consent_from"), "No"),
        )


class ConsentNotSoughtFormV1(StepForm):
    reasons = _checkboxes("Reasons", g.NOT_SOUGHT_REASONS_V1, "at least one reason", help_text="Select all that apply")
    reason_delay = _long_text(
        "Explain how delay would place the child at risk",
        "how delay would place the child at risk",
        required=False,
    )
    reason_parent_reaction = _long_text(
        "Explain how the parent's actions or reactions would place the child at risk",
        "how the parent's actions or reactions would place the child at risk",
        required=False,
    )
    reason_evidence_loss = _long_text(
        "Explain what evidential material could be lost",
        "what evidential material could be lost",
        required=False,
    )
    reason_other = _long_text("Explain the other reason", "the other reason", required=False)
    conditional = [
        ("reason_delay", "reasons", ("delay",)),
        ("reason_parent_reaction", "reasons", ("parent_reaction",)),
        ("reason_evidence_loss", "reasons", ("evidence_loss",)),
        ("reason_other", "reasons", ("other",)),
    ]


def _rule6_fields_v1() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for key, label, question in g.RULE6_TESTS_V1:
        fields[key] = _radio(question, g.YES_NO, f"whether it is {label.lower()}")
        fields[f"{key}_explanation"] = _long_text(f"{label}: explain briefly", f"why it is, or is not, {label.lower()}")
    return fields


class Rule6FormV1(StepForm):
    locals().update(_rule6_fields_v1())
    secure_method = _long_text(
        "How will it be sent securely?",
        "how it will be sent securely",
        help_text="For example, secure email to a named recipient, or the case system",
    )

    def build_layout(self) -> Layout:
        parts = [
            Fieldset(key, f"{key}_explanation", legend=label, legend_size=Size.MEDIUM)
            for key, label, _q in g.RULE6_TESTS_V1
        ]
        return Layout(*parts, Field("secure_method"))


class DecisionFormV1(StepForm):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision", "invalid_choice": "Select your decision"},
    )
    withheld = _long_text("What was withheld, and why?", "what was withheld and why", required=False)
    reasons = _long_text("Reasons for your decision", "the reasons for your decision")
    conditional = [("withheld", "outcome", ("share_some",))]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "outcome",
                "Share all of the information",
                ConditionalQuestion("Share some of the information", "withheld"),
                "Do not share",
            ),
            "reasons",
        )


class RecipientsFormV1(StepForm):
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
    method = _radio("How was it shared?", g.SHARING_METHODS, "how it was shared")
    other_recipients = _long_text(
        "Anyone else it was shared with (optional)",
        "other recipients",
        required=False,
        help_text="Agency, person, contact, date and method for each",
    )

    def to_answers(self) -> Answers:
        answers = super().to_answers()
        time_value = self.cleaned_data.get("shared_time")
        answers["shared_time"] = time_value.strftime("%H:%M") if time_value else ""
        return answers


# Conditions and rules as the first layout had them.


def _consent_was_sought(answers: Answers) -> bool:
    return answer(answers, "consent", "consent_sought") == "yes"


def _consent_not_sought(answers: Answers) -> bool:
    return answer(answers, "consent", "consent_sought") == "no"


def _has_special_category(answers: Answers) -> bool:
    return answer(answers, "information", "special_category") == "yes"


def _has_criminal_offence(answers: Answers) -> bool:
    return answer(answers, "information", "criminal_offence") == "yes"


def _is_sharing(answers: Answers) -> bool:
    return answer(answers, "decision", "outcome") in (Outcome.SHARE_ALL, Outcome.SHARE_SOME)


def consent_status(answers: Answers) -> str:
    if _consent_not_sought(answers):
        return ConsentStatus.NOT_SOUGHT
    outcome = answer(answers, "consent_outcome", "consent_outcome")
    return str(outcome) if outcome in ConsentStatus.values else ""


def _sharing_without_consent(answers: Answers) -> bool:
    return _is_sharing(answers) and consent_status(answers) != ConsentStatus.GIVEN


def _not_sought_reasons(answers: Answers) -> list[str]:
    reasons = answer(answers, "consent_not_sought", "reasons")
    return [str(r) for r in reasons] if isinstance(reasons, list) else []


def facts(answers: Answers) -> dict[str, object]:
    special = _has_special_category(answers)
    return {
        "outcome": answer(answers, "decision", "outcome") or "",
        "consent_status": consent_status(answers),
        "consent_not_sought_reasons": ",".join(_not_sought_reasons(answers)) if _consent_not_sought(answers) else "",
        "lawful_basis": answer(answers, "lawful_basis", "article6") or "",
        "special_category": special,
        "special_category_condition": (answer(answers, "special_category", "article9") or "") if special else "",
    }


def _consent_basis(answers: Answers) -> str | None:
    if answer(answers, "lawful_basis", "article6") == "a_consent" and consent_status(answers) != ConsentStatus.GIVEN:
        return "Consent cannot be the lawful basis when consent was not given"
    return None


def _quality_holds(key: str) -> Any:
    def check(answers: Answers) -> str | None:
        if _is_sharing(answers) and answer(answers, "rule6", key) != "yes":
            return f"You cannot share information that is not {key}: change your answer or your decision"
        return None

    return check


def _secure(answers: Answers) -> str | None:
    if _is_sharing(answers) and answer(answers, "rule6", "secure") != "yes":
        return "Information must be shared securely: change how it will be sent"
    return None


FLOW = Flow(
    edition="2018",
    layout=1,
    steps=(
        Step("request", f.RequestForm),
        Step("information", f.InformationForm),
        Step("advice", f.AdviceForm),
        Step("consent", ConsentFormV1),
        Step("consent_outcome", f.ConsentOutcomeForm, _consent_was_sought),
        Step("consent_not_sought", ConsentNotSoughtFormV1, _consent_not_sought),
        Step("lawful_basis", f.LawfulBasisForm),
        Step("special_category", f.SpecialCategoryForm, _has_special_category),
        Step("criminal_offence", f.CriminalOffenceForm, _has_criminal_offence),
        Step("safety", f.SafetyForm),
        Step("rule6", Rule6FormV1),
        Step("open_honest", f.OpenHonestForm),
        Step("decision", DecisionFormV1),
        Step("without_consent", f.WithoutConsentForm, _sharing_without_consent),
        Step("recipients", RecipientsFormV1, _is_sharing),
    ),
    facts=facts,
    rules=(
        Rule("lawful_basis", "article6", _consent_basis),
        Rule("rule6", "necessary", _quality_holds("necessary")),
        Rule("rule6", "proportionate", _quality_holds("proportionate")),
        Rule("rule6", "secure", _secure),
    ),
    locations={"method": ("recipients", "method"), "secure_method": ("rule6", "secure_method")},
)
