"""Follow-up questions revealed under the answer they belong to (issue 24 item 1): text typed under an answer
that was not chosen is never dropped without a word, and consent given says what it covers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms
from django.urls import reverse

from decisions import forms as f
from decisions import pdf, wizard
from decisions.forms import StepForm
from decisions.models import DecisionDraft, DecisionVersion

from .base import World, form_errors
from .test_pdf import VERIFY_URL, pdf_text
from .wizard_helpers import MAIN_PATH, post_step, start, step_url, submit, walk

TYPED = "Typed under the other answer, and kept"


def _live_forms() -> dict[str, type[StepForm]]:
    """Every form with follow-ups in the live layouts of both editions, and the entry forms of their list pages."""
    found: dict[str, type[StepForm]] = {"RecipientForm": f.RecipientForm, "NewPersonForm": f.NewPersonForm}
    for code in ("2018", "2024"):
        for step in wizard.flow_for(code).steps:
            if step.form_class.conditional:
                found[step.form_class.__name__] = step.form_class
    return found


def _typed_follow_ups() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(form, follow-up, controlling question, its answers) for each follow-up a practitioner types into."""
    cases = []
    for form_name, form_class in sorted(_live_forms().items()):
        for name, controller, values in form_class.conditional:
            field = form_class.base_fields[name]
            if isinstance(field, forms.ChoiceField):
                continue  # a radio or a tick: not typed text (and without JavaScript a radio cannot be cleared)
            cases.append((form_name, name, controller, values))
    return cases


CASES = _typed_follow_ups()


def _other_answer(form_class: type[StepForm], controller: str, values: tuple[str, ...]) -> Any:
    field = form_class.base_fields[controller]
    assert isinstance(field, forms.ChoiceField)
    other = next(str(v) for v, _label in field.choices if str(v) and str(v) not in values)
    return [other] if isinstance(field, forms.MultipleChoiceField) else other


def _typed(form_class: type[StepForm], name: str) -> dict[str, str]:
    if isinstance(form_class.base_fields[name], f.DateInputField):
        return {f"{name}_0": "3", f"{name}_1": "11", f"{name}_2": "2025"}
    return {name: TYPED}


def test_the_audit_covers_the_faults_reported() -> None:
    names = {(form, name) for form, name, _c, _v in CASES}
    assert ("ConsentResponseForm", "consent_outcome_detail") in names
    assert ("ConsentResponseForm", "consent_given_what") in names
    assert ("OpenHonestResponseForm", "told_detail") in names
    assert ("OpenHonestResponseForm", "told_when_how") in names
    assert ("EngageForm2024", "engaged_detail") in names
    assert len(CASES) >= 30


@pytest.mark.parametrize(("form_name", "name", "controller", "values"), CASES)
def test_text_under_an_answer_not_chosen_is_refused_and_kept(
    form_name: str, name: str, controller: str, values: tuple[str, ...]
) -> None:
    form_class = _live_forms()[form_name]
    other = _other_answer(form_class, controller, values)
    data = {controller: other, **_typed(form_class, name)}
    # A nested follow-up: the questions it sits under are answered so that it is asked.
    parents = {child: (parent, answers) for child, parent, answers in form_class.conditional}
    while controller in parents:
        controller, answers = parents[controller]
        data[controller] = answers[0]
    form = form_class(data=data)
    if getattr(form, "uses_people", False):
        form.set_people([])  # type: ignore[attr-defined]
    assert not form.is_valid()
    assert name in form.errors, (form_name, name, dict(form.errors))
    message = " ".join(form.errors[name])
    assert message.startswith("You typed") and ("Move them under your answer" in message or "Select it" in message)
    # Nothing lost: the page shows what was typed.
    html = render_crispy_form(form)
    shown = TYPED if name in data else 'value="2025"'
    assert shown in html, (form_name, name)

    # Cleared, the same answer is not refused.
    cleared = form_class(data={k: v for k, v in data.items() if not k.startswith(name)})
    if getattr(cleared, "uses_people", False):
        cleared.set_people([])  # type: ignore[attr-defined]
    cleared.is_valid()
    assert name not in cleared.errors


def test_a_nested_follow_up_names_the_answer_it_sits_under() -> None:
    form = f.OpenHonestResponseForm(data={"told": "yes", "tell_later": "yes", "tell_who": "The social worker"})
    assert not form.is_valid()
    assert form.errors["tell_who"] == [
        "You typed details under ‘No, they were not told’ but chose ‘Yes, they were told’. Move them under your "
        "answer or clear them"
    ]


def test_consent_given_details_are_asked_but_optional_as_older_records_lack_them() -> None:
    form = f.ConsentResponseForm(data={"consent_outcome": "given"})
    assert form.is_valid(), form.errors
    assert "consent_given_what" in render_crispy_form(form)


def test_an_earlier_shared_detail_is_read_into_its_answers_own_follow_up() -> None:
    stored = {"consent_outcome": "withdrawn", "consent_outcome_detail": "Mother withdrew it on 4 November"}
    form = f.ConsentResponseForm(data=f.ConsentResponseForm.data_from_answers(stored))
    assert form.is_valid(), form.errors
    assert form.to_answers()["consent_withdrawn_detail"] == "Mother withdrew it on 4 November"
    assert form.to_answers()["consent_outcome_detail"] == ""
    # The stored record itself reads as it was.
    assert f.ConsentResponseForm.summary(stored) == f.ConsentOutcomeForm.summary(stored)


def test_without_javascript_each_follow_up_is_introduced_by_its_answer() -> None:
    html = render_crispy_form(f.ConsentResponseForm())
    for label in ("Consent was given", "Consent was refused", "Consent was given, then withdrawn"):
        assert f"If you chose ‘{label}’:" in html
    assert 'data-app-reveal-for="id_consent_outcome_1"' in html
    assert "aria-expanded" not in html


class ConsentGivenDetailsTests(World):
    """The reported journey: consent given, and what it covers typed under it."""

    DETAILS = {
        "consent_given_what": "Only the attendance record, not the health notes",
        "consent_given_with": "PC Jane Smith of the child protection team",
        "consent_given_recorded": "Signed consent form, scanned to the case file on 3 November",
    }

    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)

    def test_consent_given_details_reach_check_answers_the_record_and_the_pdf_and_come_back(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH, {"consent_outcome": self.DETAILS})
        page = self.client_a.get(step_url(self.reference, "consent_outcome")).content.decode()
        for text in self.DETAILS.values():
            assert text in page
        check = self.client_a.get(reverse("decisions:check", kwargs={"reference": self.reference})).content.decode()
        for text in self.DETAILS.values():
            assert text in check
        assert submit(self.client_a, self.reference).status_code == 302
        detail = self.client_a.get(reverse("decisions:detail", kwargs={"reference": self.reference})).content
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(
            decision__reference=self.reference
        )
        text = pdf_text(pdf.render_pdf(version, generated_by=self.alice_practitioner_org_a, verify_url=VERIFY_URL))
        for typed in self.DETAILS.values():
            assert typed in detail.decode()
            assert typed in text
        assert version.answers["consent_outcome"]["consent_given_what"] == self.DETAILS["consent_given_what"]

    def test_details_typed_under_refused_while_given_is_chosen_are_refused_and_kept(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH[: MAIN_PATH.index("consent_outcome")])
        response = post_step(
            self.client_a,
            self.reference,
            "consent_outcome",
            {**self.DETAILS, "consent_outcome": "given", "consent_outcome_detail": "She agreed to the school only"},
        )
        assert response.status_code == 200
        errors = form_errors(response)
        assert "You typed details under ‘Consent was refused’ but chose ‘Consent was given’" in errors
        assert "She agreed to the school only" in response.content.decode()
        draft = DecisionDraft.objects.get(decision__reference=self.reference)
        assert "consent_outcome" not in draft.answers
        assert re.search(r'href="#id_consent_outcome_detail"', response.content.decode())
