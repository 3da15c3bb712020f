"""The May 2024 edition's current layout (layout 2): the record's shape of 2018's layout 3 with the 2024
questions.

The people a decision is about are rows on the record (the people page), consent is asked of one of them,
recipients are a list, and rule 5 (protect identities) is asked for each person marked "protect identity" on
the people page. A family not told before sharing can be told later, and the decision then shows the date
it is due by, as 2018's layout 3 does.

Layout 1 (a free-text subject, one recipient, rule 5 as one question) is frozen in wizard_2024_v1.py, and the
2024 forms and conditions asked the same way in both layouts are imported from there. Pages asked the same as
2018's layout 3 reuse its forms.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, cast

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout
from django import forms
from django.http import QueryDict
from django.utils.html import escape

from . import forms as f
from . import guidance as g
from . import wizard_2024_v1 as v1
from .flow import Answers, Flow, Rule, Step
from .flow import answer as _answer
from .forms import StepForm, _long_text, people_in
from .wizard import (
    RULES,
    SendingDetailForm,
    consent_not_sought,
    consent_was_sought,
    facts,
    is_not_sharing,
    is_sharing,
    not_needed_note,
    not_sharing_with_a_requester,
    record_tasks,
    sharing_with_criminal_offence,
    sharing_with_special_category,
    sharing_without_consent,
    upgrade_2018_v2,
)
from .wizard_2024_v1 import sharing_on_consent

EDITION = "2024"

# Forms --------------------------------------------------------------------------------------------------


class ConsentForm2024(f.ConsentForm):
    """2018 layout 3's consent page (a person on the record, how, when, their competence) in 2024's words."""

    consent_sought = cast(forms.ChoiceField, v1.ConsentForm2024.base_fields["consent_sought"])


class AdviceForm2024(f.AdviceForm):
    """2018's advice page with 2024's rule: seeking advice is rule 4 and asks for it promptly (the 2018 hint
    quoted 2018's rule 3). The label is 2018's, so the record reads the same."""

    no_advice_reason = _long_text(
        "Why did you not seek advice?",
        "why you did not seek advice",
        help_text="Golden rule 4: seek advice promptly whenever you are uncertain about sharing the information",
        required=False,
    )


class DecisionForm2024(f.DecisionForm):
    """2018 layout 3's decision page (what is shared and what withheld) with Working Together's hint."""

    outcome = cast(forms.ChoiceField, v1.DecisionForm2024.base_fields["outcome"])


class EngageForm2024(v1.EngageForm):
    """Rule 2, and, if they were not told, whether and when they will be: 2018 layout 3's follow-up, with its
    questions (OpenHonestForm's fields)."""

    tell_later = f.OpenHonestForm.base_fields["tell_later"]
    tell_by = f.OpenHonestForm.base_fields["tell_by"]
    tell_who = f.OpenHonestForm.base_fields["tell_who"]
    conditional = [
        *v1.EngageForm.conditional,
        ("tell_later", "engaged", ("no",)),
        ("tell_by", "tell_later", ("yes",)),
        ("tell_who", "tell_later", ("yes",)),
    ]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "engaged",
                ConditionalQuestion(v1.ENGAGED_OPTIONS[0][1], "engaged_who", self.item("engaged_detail")),
                ConditionalQuestion(
                    "No",
                    self.item("not_engaged_reason"),
                    ConditionalRadios("tell_later", ConditionalQuestion("Yes", "tell_by", "tell_who"), "No"),
                ),
            )
        )


PROTECTION = "protection"  # the stored answer: {"protection": {"<person_id>": "what was done", ...}}
CARRIED = "carried_protection"  # layout 1's single answer, shown until the page is saved
_FIELD = re.compile(r"protect_(\d+)")


def protected_people(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in people if p.get("protect_identity") and str(p.get("person_id", "")).isdigit()]


def _field_name(person: dict[str, Any]) -> str:
    return f"protect_{person['person_id']}"


def _part(person: dict[str, Any]) -> str:
    return dict(g.PERSON_PARTS).get(str(person.get("part", "")), "")


def _stored(answers: Answers | None) -> dict[str, str]:
    found = (answers or {}).get(PROTECTION)
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


class ProtectEachIdentityForm(StepForm):
    """Rule 5, asked for each person on the record whose identity is protected: one answer each, stored by
    person id. Its fields are the record's people, given by the page (`set_people`, before the form is
    checked); a person marked after this page was answered is caught by a rule that spans pages
    (`every_protected_person_answered`)."""

    uses_people: ClassVar[bool] = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people: list[dict[str, Any]] = []

    def set_people(self, people: list[dict[str, Any]]) -> None:
        self.people = protected_people(people)
        for person in self.people:
            name = str(person.get("full_name", "")).strip() or "this person"
            # crispy-forms-gds prints labels and hints unescaped, and a name is typed by a practitioner.
            shown = escape(name)
            field = _long_text(
                f"What have you done to protect {shown}'s identity, and what have you asked the recipient to do?",
                f"what you have done to protect {name}'s identity",
                help_text=f"Their part in this decision: {escape(_part(person).lower())}" if _part(person) else "",
            )
            # As StepForm does for its own fields: the server checks the length, with GOV.UK's count.
            field.widget.attrs.pop("maxlength", None)
            field.widget.attrs.setdefault("aria-describedby", "")
            self.fields[_field_name(person)] = field
        self.helper.layout = Layout(*(self.item(name) for name in self.fields))

    @property
    def carried_note(self) -> str:
        carried = str(self.data.get(CARRIED, "") or "") if self.is_bound else ""
        return f"The earlier version of this record said: {carried}" if carried else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.data.get(CARRIED):
            # Layout 1's answer, moved here by the upgrade: saving the page answers for each person instead.
            raise forms.ValidationError("Say what you have done for each person, from what the earlier record said")
        return cleaned

    def to_answers(self) -> Answers:
        return {PROTECTION: {str(p["person_id"]): self.cleaned_data.get(_field_name(p), "") for p in self.people}}

    @classmethod
    def data_from_answers(cls, answers: Answers, prefix: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {f"protect_{pid}": text for pid, text in _stored(answers).items()}
        if answers.get(CARRIED):
            data[CARRIED] = str(answers[CARRIED])
        return data

    @classmethod
    def initial_from_answers(cls, answers: Answers) -> dict[str, Any]:
        return {f"protect_{pid}": text for pid, text in _stored(answers).items()}

    @classmethod
    def raw_data(cls, data: QueryDict | dict[str, Any]) -> dict[str, Any]:
        return {k: str(data.get(k, "")).replace("\x00", "") for k in data if _FIELD.fullmatch(str(k))}

    @classmethod
    def summary(cls, answers: Answers) -> list[tuple[str, str, str]]:
        return [(f"protect_{pid}", f"Person {pid}", text) for pid, text in _stored(answers).items() if text]

    @classmethod
    def summary_in(cls, stored: Answers, answers: dict[str, Any]) -> list[tuple[str, str, str]]:
        """Each person's name (and part) with what was done for them."""
        people = {str(p.get("person_id")): p for p in people_in(answers)}
        rows = []
        for pid, text in _stored(stored).items():
            person = people.get(pid)
            if person is None:
                label = f"Person {pid}"
            else:
                label = str(person.get("full_name", ""))
                if _part(person):
                    label += f" ({_part(person).lower()})"
            rows.append((f"protect_{pid}", label, text))
        return rows


# Conditions and rules -------------------------------------------------------------------------------------


def consent_basis_note(answers: Answers) -> str | None:
    """Why this page is asked. Layout 1's note repeated the page's explanation and said "the next page asks why"
    on the page that asks why; the page's intro explains."""
    if _answer(answers, "lawful_basis", "article6") != "a_consent":
        return None
    return "You chose consent as the lawful basis on the previous page."


def protects_anyone(answers: Answers) -> bool:
    return is_sharing(answers) and bool(protected_people(people_in(answers)))


def every_protected_person_answered(answers: Answers) -> str | None:
    """Each person whose identity is protected has an answer, and no one else has (a person marked, unmarked
    or removed on the people page after this page was answered)."""
    if not protects_anyone(answers):
        return None
    protected = protected_people(people_in(answers))
    stored = _stored(answers.get("protect_identities"))
    missing = [str(p.get("full_name", "")) for p in protected if not stored.get(str(p["person_id"]), "").strip()]
    if missing:
        names = " and ".join(missing) if len(missing) <= 2 else ", ".join(missing[:-1]) + f" and {missing[-1]}"
        return f"Say what you have done to protect the identity of {names}"
    if set(stored) - {str(p["person_id"]) for p in protected}:
        return "Answer this page again: it has an answer for someone whose identity is no longer marked as protected"
    return None


def follow_up_due(answers: Answers) -> str:
    """The date the family is to be told by, if they were not told before sharing (ISO date, or "")."""
    if not is_sharing(answers):
        return ""
    if _answer(answers, "engage", "engaged") != "no" or _answer(answers, "engage", "tell_later") != "yes":
        return ""
    return str(_answer(answers, "engage", "tell_by") or "")


# Moving a layout 1 record's answers into this layout ---------------------------------------------------------


def upgrade_2024_v1(old: Answers) -> Answers:
    """Layout 1's answers in this layout's pages, as 2018 moved its layout 2 (wizard.upgrade_2018_v2): the single
    recipient is the first of the list, and the free-text subject is a note on the people page for the
    practitioner to add each person from.

    Rule 5's single answer is carried as notes: who could be harmed, on the people page (so they are added with
    their identity protected), and what was done, on the protect-identities page, shown until it is answered
    for each person. An answer that no one could be harmed is dropped: the page then applies only if someone is
    marked on the people page, and the earlier version keeps what it said."""
    new = upgrade_2018_v2({k: v for k, v in old.items() if k != "protect_identities"})
    rule5 = old.get("protect_identities") or {}
    if rule5.get("anyone_at_risk") == "yes":
        who, steps = str(rule5.get("at_risk_who", "")), str(rule5.get("protection_steps", ""))
        people_page = new.setdefault("people", {"people": []})
        if who:
            people_page["carried_at_risk"] = who
        new["protect_identities"] = {PROTECTION: {}, CARRIED: f"Who could be harmed: {who}. What was done: {steps}"}
    return new


STEPS: tuple[Step, ...] = (
    Step("request", f.RequestForm),
    Step("people", f.PeopleForm),
    Step("information", f.CurrentInformationForm),
    Step("advice", AdviceForm2024),
    Step("consent", ConsentForm2024),
    Step("consent_outcome", f.ConsentResponseForm, consent_was_sought),
    Step("consent_not_sought", v1.ConsentNotSoughtForm2024, consent_not_sought),
    Step("safety", f.SafetyForm),
    Step("necessary", v1.NecessaryForm2024),
    Step("decision", DecisionForm2024),
    Step("without_consent", f.WithoutConsentForm, sharing_without_consent),
    Step("lawful_basis", v1.LawfulBasisForm2024, is_sharing),
    Step("consent_basis", v1.ConsentBasisForm, sharing_on_consent),
    Step("special_category", f.SpecialCategoryForm, sharing_with_special_category),
    Step("criminal_offence", f.CriminalOffenceForm, sharing_with_criminal_offence),
    Step("quality", v1.QualityForm2024, is_sharing),
    Step("engage", EngageForm2024, is_sharing),
    Step("protect_identities", ProtectEachIdentityForm, protects_anyone),
    Step("sending", SendingDetailForm, is_sharing),
    Step("recipients", f.RecipientsForm, is_sharing),
    Step("requester_told", f.RequesterToldForm, not_sharing_with_a_requester),
    Step("alternatives", f.AlternativesForm, is_not_sharing),
)

FLOW: Flow = Flow(
    edition=EDITION,
    layout=2,
    steps=STEPS,
    facts=facts,
    # 2018's rules (wizard.RULES), and rule 5 asked for each protected person. Consent as the basis is refused
    # when it was not given (the database checks this too); when it was given, it is allowed, and explained.
    rules=(*RULES, Rule("protect_identities", "", every_protected_person_answered)),
    tasks=record_tasks(STEPS, safety_title="Protecting the child"),
    locations={"method": ("sending", "method"), "secure_method": ("sending", "secure_detail")},
    upgrade=upgrade_2024_v1,
    notes={"decision": not_needed_note, "consent_basis": consent_basis_note},
    follow_up=follow_up_due,
)
