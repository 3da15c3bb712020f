"""The May 2024 edition's first layout: its pages as they were before people and recipients became lists on
2024 records too (issue 13). Records submitted in this layout are read, checked and printed by these pages, so
they show what the practitioner was asked. Nothing here may change: copy a form before rewording or reshaping
it if this layout uses it. The 2024 forms and conditions that later layouts ask the same way are imported from
here by wizard_2024.py (so they must keep their field names, labels and choices).

Open drafts and amendments of these records move to the current layout (wizard_2024.upgrade_2024_v1) before
anyone answers a page, so these pages are never shown as questions again.

The 2024 advice keeps seven golden rules but changes them (guidance.GOLDEN_RULES_2024), so its questions
differ where the rules do:

- rule 2 (engage the child and family) is asked of every decision to share, not only those without consent:
  explaining is not the same as asking for consent;
- rule 3 (consent is not needed where a child is at risk; consent is rarely the lawful basis): choosing
  Article 6(1)(a) consent is allowed where consent was given, and then a page explains why it is rarely right
  and asks why it is right here (not an error: the practitioner may be right);
- rule 5 (protect identities) asks, for anyone who could be harmed if their details became known, what was
  done to protect them (in this layout, one question for everyone);
- rule 6 lists necessary, proportionate, relevant, adequate and accurate; "timely" is kept as good practice
  and "secure" is how the information is sent;
- rule 7: a decision not to share records what was offered instead, to support the child.

Pages that ask the same as 2018's reuse its forms (and their stored field names), so the stored facts, the
dashboard and the PDF read both editions the same way.
"""

from __future__ import annotations

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout
from django import forms

from . import forms as f
from . import guidance as g
from . import wizard_2018_v2 as v2
from .choices import Outcome
from .flow import Answers, Flow, Rule, Step, Task
from .flow import answer as _answer
from .forms import StepForm, _checkboxes, _long_text, _radio, _text, _yes_no_explained

# The 2018 conditions read the same stored answers, so they are shared. wizard.py registers FLOW below once it
# has loaded (and the app loads wizard first), so this import always finds them.
from .wizard import (
    ABOUT,
    DECIDE,
    WEIGH,
    _after_decision_title,
    consent_basis_without_consent,
    consent_not_sought,
    consent_was_sought,
    explicit_consent_without_consent,
    is_not_sharing,
    is_sharing,
    not_needed_note,
    not_sharing_with_a_requester,
    shared_although_not_needed,
    sharing_with_criminal_offence,
    sharing_with_special_category,
    sharing_without_consent,
)

EDITION = "2024"

# Forms --------------------------------------------------------------------------------------------------


class ConsentForm2024(v2.ConsentFormV2):
    consent_sought = _radio(
        "Did you ask for consent?",
        g.YES_NO,
        "whether you asked for consent",
        help_text="Golden rule 3: you do not need consent to share if a child is at risk or there is a perceived "
        "risk of harm",
    )


class ConsentNotSoughtForm2024(StepForm):
    reasons = _checkboxes(
        "Reasons",
        g.NOT_SOUGHT_REASONS_2024,
        "at least one reason",
        help_text="Select all that apply",
    )
    reason_detail = _long_text("Explain your reasons", "your reasons for not asking for consent")


class LawfulBasisForm2024(f.LawfulBasisForm):
    article6 = _radio(
        "UK GDPR Article 6 lawful basis",
        g.ARTICLE_6,
        "the Article 6 lawful basis",
        help_text="Public bodies usually rely on public task. The 2024 advice says consent is rarely the most "
        "appropriate basis for sharing to safeguard a child",
    )
    statutory_gateways = _checkboxes(
        "Statutory and other gateways",
        g.STATUTORY_GATEWAYS_2024,
        "the statutory and other gateways, or no specific statutory gateway",
        help_text="Select all that apply. Working Together to Safeguard Children 2023 is the statutory guidance "
        "on sharing information to safeguard children",
    )


class ConsentBasisForm(StepForm):
    consent_basis_reason = _long_text(
        "Why is consent the right lawful basis here?",
        "why consent is the right lawful basis",
        help_text="For example, the sharing is for a service the family asked for, and stopping it if they "
        "withdraw consent would not put the child at risk",
    )


class DecisionForm2024(v2.DecisionFormV2):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        help_text="Working Together to Safeguard Children 2023: if you believe a child is suffering, or likely to "
        "suffer, significant harm, share the information with local authority children's social care",
        error_messages={"required": "Select your decision", "invalid_choice": "Select your decision"},
    )


class QualityForm2024(f.QualitiesForm):
    tests = g.QUALITY_TESTS_2024
    note_field = "quality_note"
    locals().update(_yes_no_explained(g.QUALITY_TESTS_2024))
    quality_note = _long_text("Anything else about what you will share (optional)", "notes", required=False)
    conditional = [(f"{key}_explanation", key, ("no",)) for key, *_rest in g.QUALITY_TESTS_2024]


class NecessaryForm2024(f.QualitiesForm):
    tests = g.NECESSITY_TESTS_2024
    note_field = "necessary_note"
    locals().update(_yes_no_explained(g.NECESSITY_TESTS_2024))
    necessary_note = _long_text(
        "Anything else about whether sharing would be necessary and proportionate (optional)",
        "notes",
        required=False,
    )
    conditional = [(f"{key}_explanation", key, ("no",)) for key, *_rest in g.NECESSITY_TESTS_2024]


ENGAGED_OPTIONS = [
    ("yes", "Yes, I explained who I will share with, what and why"),
    ("no", "No"),
]


class EngageForm(StepForm):
    engaged = _radio("Did you explain it to them?", ENGAGED_OPTIONS, "whether you explained it to them")
    engaged_who = _text(
        "Who did you explain it to?", "who you explained it to", help_text="For example, mother, young person",
        required=False,
    )  # fmt: skip
    engaged_detail = _long_text("What did you tell them, and when?", "what you told them", required=False)
    not_engaged_reason = _long_text(
        "Why not?",
        "why you did not explain it to them",
        help_text="You need not tell them if you have reason to believe it may put the child at increased risk of "
        "harm, or if it is not practicable",
        required=False,
    )
    conditional = [
        ("engaged_who", "engaged", ("yes",)),
        ("engaged_detail", "engaged", ("yes",)),
        ("not_engaged_reason", "engaged", ("no",)),
    ]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "engaged",
                ConditionalQuestion(ENGAGED_OPTIONS[0][1], "engaged_who", self.item("engaged_detail")),
                ConditionalQuestion("No", self.item("not_engaged_reason")),
            )
        )


AT_RISK_OPTIONS = [
    ("yes", "Yes, someone could be harmed"),
    ("no", "No, no one could be harmed by their details becoming known"),
]


class ProtectIdentitiesForm(StepForm):
    """Rule 5 as one question until people are rows on the record; then it is asked for each person marked
    "protect identity"."""

    anyone_at_risk = _radio(
        "Could anyone suffer harm if their details became known?",
        AT_RISK_OPTIONS,
        "whether anyone could suffer harm if their details became known",
    )
    at_risk_who = _text(
        "Who could be harmed?",
        "who could be harmed",
        help_text="Say who they are to the child, for example the neighbour who raised the concern",
        required=False,
    )
    protection_steps = _long_text(
        "What have you done to protect their identity, and what have you asked the recipient to do?",
        "what you have done to protect their identity",
        help_text="For example, their name and address are left out, or the recipient agreed not to tell the "
        "family who raised the concern",
        required=False,
    )
    conditional = [("at_risk_who", "anyone_at_risk", ("yes",)), ("protection_steps", "anyone_at_risk", ("yes",))]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "anyone_at_risk",
                ConditionalQuestion(AT_RISK_OPTIONS[0][1], "at_risk_who", self.item("protection_steps")),
                AT_RISK_OPTIONS[1][1],
            )
        )


# Conditions ---------------------------------------------------------------------------------------------


def facts(answers: Answers) -> dict[str, object]:
    """2018's stored facts. This layout has a single recipient, so it names no agencies for the dashboard."""
    return {**v2.facts(answers), "recipient_agencies": ""}


def sharing_on_consent(answers: Answers) -> bool:
    return is_sharing(answers) and _answer(answers, "lawful_basis", "article6") == "a_consent"


def consent_basis_note(answers: Answers) -> str | None:
    if _answer(answers, "lawful_basis", "article6") != "a_consent":
        return None
    return (
        "You chose consent as the lawful basis. The 2024 advice says it is rarely the most appropriate basis for "
        "sharing to safeguard a child. You can keep it if it is right here: the next page asks why."
    )


FLOW: Flow = Flow(
    edition=EDITION,
    layout=1,
    steps=(
        Step("request", v2.RequestFormV2),
        Step("information", f.InformationForm),
        Step("advice", f.AdviceForm),
        Step("consent", ConsentForm2024),
        Step("consent_outcome", f.ConsentOutcomeForm, consent_was_sought),
        Step("consent_not_sought", ConsentNotSoughtForm2024, consent_not_sought),
        Step("safety", f.SafetyForm),
        Step("necessary", NecessaryForm2024),
        Step("decision", DecisionForm2024),
        Step("without_consent", f.WithoutConsentForm, sharing_without_consent),
        Step("lawful_basis", LawfulBasisForm2024, is_sharing),
        Step("consent_basis", ConsentBasisForm, sharing_on_consent),
        Step("special_category", f.SpecialCategoryForm, sharing_with_special_category),
        Step("criminal_offence", f.CriminalOffenceForm, sharing_with_criminal_offence),
        Step("quality", QualityForm2024, is_sharing),
        Step("engage", EngageForm, is_sharing),
        Step("protect_identities", ProtectIdentitiesForm, is_sharing),
        Step("sending", f.SendingForm, is_sharing),
        Step("recipients", v2.RecipientsFormV2, is_sharing),
        Step("requester_told", f.RequesterToldForm, not_sharing_with_a_requester),
        Step("alternatives", f.AlternativesForm, is_not_sharing),
    ),
    facts=facts,
    rules=(
        Rule("decision", "outcome", shared_although_not_needed),
        # Consent cannot be the basis when it was not given (the database checks this too); when it was given,
        # choosing it is allowed, and explained.
        Rule("lawful_basis", "article6", consent_basis_without_consent),
        Rule("special_category", "article9", explicit_consent_without_consent),
    ),
    tasks=(
        Task("request", "The request", ABOUT, ("request",)),
        Task("information", "The information", ABOUT, ("information",)),
        Task("advice", "Advice", WEIGH, ("advice",)),
        Task("consent", "Consent", WEIGH, ("consent", "consent_outcome", "consent_not_sought")),
        Task("safety", "Protecting the child", WEIGH, ("safety",)),
        Task("necessary", "Necessary and proportionate", WEIGH, ("necessary",)),
        Task("decision", "Your decision", DECIDE, ("decision",)),
        Task(
            "after_decision",
            "After your decision",
            DECIDE,
            (
                "without_consent",
                "lawful_basis",
                "consent_basis",
                "special_category",
                "criminal_offence",
                "quality",
                "engage",
                "protect_identities",
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
    notes={"decision": not_needed_note, "consent_basis": consent_basis_note},
)
