"""One small form per question page. Answers are stored as JSON, so each form knows how to turn its
cleaned data into JSON and back into form data (for re-validation of the whole record at submit)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Layout, Size
from django import forms
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone

from sharing_app.limits import counted, tell_limits

from . import guidance as g
from .choices import Outcome

Answers = dict[str, Any]

REQUIRED = "Enter {what}"
CHOOSE = "Select {what}"
LONG_TEXT_LIMIT = 5000
YEAR_DIGITS = "Year must include 4 numbers"


def _radio(label: str, choices: list[tuple[str, str]], what: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        help_text=help_text,
        error_messages={"required": CHOOSE.format(what=what), "invalid_choice": CHOOSE.format(what=what)},
    )


def _checkboxes(
    label: str, choices: list[tuple[str, str]], what: str, help_text: str = "", required: bool = True
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        help_text=help_text,
        error_messages={"required": CHOOSE.format(what=what), "invalid_choice": CHOOSE.format(what=what)},
    )


def _text(label: str, what: str, help_text: str = "", required: bool = True, max_length: int = 200) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        error_messages={
            "required": REQUIRED.format(what=what),
            "max_length": f"{what[0].upper()}{what[1:]} must be {max_length} characters or fewer",
        },
    )


def _long_text(label: str, what: str, help_text: str = "", required: bool = True) -> forms.CharField:
    """A text area with GOV.UK's character count showing the limit the server enforces (see StepForm)."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=LONG_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": REQUIRED.format(what=what),
            "max_length": f"{what[0].upper()}{what[1:]} must be {LONG_TEXT_LIMIT:,} characters or fewer",
        },
    )


class RealDateField(DateInputField):
    """A GOV.UK date input: impossible dates (31 2 2026) get our message, not Python's, and a year must have
    four digits ("1 1 26" is not 1 January in the year 26)."""

    def compress(self, data_list: Any) -> Any:
        year = str(data_list[2] or "").strip() if data_list and len(data_list) == 3 else ""
        if year and len(year) != 4:
            # Mark the year box itself, as GOV.UK's date input does.
            self.fields[2].widget.errors = [YEAR_DIGITS]  # type: ignore[attr-defined]
            raise forms.ValidationError(YEAR_DIGITS, code="year_digits")
        try:
            return super().compress(data_list)
        except (forms.ValidationError, ValueError, OverflowError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc


def gov_date(label: str, what: str, help_text: str = "For example, 27 3 2026", required: bool = True) -> RealDateField:
    field = RealDateField(label=label, help_text=help_text, require_all_fields=False, required=required)
    field.error_messages.update(
        {
            "required": REQUIRED.format(what=what),
            "incomplete": REQUIRED.format(what=what),
            "invalid": f"{what[0].upper()}{what[1:]} must be a real date",
        }
    )
    return field


_date = gov_date


class StepForm(forms.Form):
    """Base for question pages: GOV.UK rendering, JSON in and out, and a readable summary."""

    # Fields that only matter when another answer has a given value: (field, controlling field, values).
    # They are required in that case (unless named in `optional`) and dropped from the answers otherwise; text
    # typed into one that does not apply is refused with a message, never dropped (issue 24).
    conditional: ClassVar[list[tuple[str, str, tuple[str, ...]]]] = []
    optional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        for field in self.fields.values():
            # The browser must not cut an answer short: the server checks the length and says so.
            field.widget.attrs.pop("maxlength", None)
            if isinstance(field.widget, forms.Textarea):
                # crispy-forms-gds appends the count's id to this attribute, and needs it to exist.
                field.widget.attrs.setdefault("aria-describedby", "")
        layout = self.build_layout()
        self.helper.layout = layout if layout is not None else Layout(*(self.item(name) for name in self.fields))
        for name, _controller, _values in self.conditional:
            self.fields[name].required = False

    def build_layout(self) -> Layout | None:
        return None

    def item(self, name: str) -> Any:
        """How one field appears in a layout: long answers get GOV.UK's character count."""
        field = self.fields[name]
        if isinstance(field.widget, forms.Textarea):
            limit = getattr(field, "max_length", None)
            rows = int(field.widget.attrs.get("rows", 5))
            return Field.textarea(name, rows=rows, max_characters=limit) if limit else Field.textarea(name, rows=rows)
        return name

    def show_without_errors(self) -> None:
        """Show what was typed (a page saved without finishing it) without judging it yet: errors appear only
        when the practitioner saves and continues."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    @classmethod
    def raw_data(cls, data: QueryDict | dict[str, Any]) -> dict[str, Any]:
        """This page's fields from a POST exactly as typed, in the shape a form binds to, for keeping a page that
        was saved without being finished."""

        def text(value: Any) -> str:
            # NUL is not text anyone types, and PostgreSQL cannot store it in JSON.
            return str(value).replace("\x00", "")

        raw: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            if isinstance(field, DateInputField):
                for i in range(3):
                    raw[f"{name}_{i}"] = text(data.get(f"{name}_{i}", ""))
            elif isinstance(field, forms.MultipleChoiceField):
                values = data.getlist(name) if isinstance(data, QueryDict) else data.get(name, [])
                raw[name] = [text(v) for v in (values if isinstance(values, list) else [values])]
            else:
                raw[name] = text(data.get(name, ""))
        return raw

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Follow-ups set aside because their answer was not chosen: field -> (controller, values) of the highest
        # question whose option was not chosen, so a nested follow-up is explained by the option it sits under.
        set_aside: dict[str, tuple[str, tuple[str, ...]]] = {}
        for name, controller, values in self.conditional:
            if cleaned.get(controller) in values or (
                isinstance(cleaned.get(controller), list) and set(cleaned[controller]) & set(values)
            ):
                value = cleaned.get(name)
                if value in (None, "", []) and name not in self.errors and name not in self.optional:
                    field = self.fields[name]
                    message = field.error_messages.get("required", "Enter an answer")
                    self.add_error(name, message)
            else:
                set_aside[name] = set_aside.get(controller, (controller, values))
                cleaned[name] = [] if isinstance(self.fields[name], forms.MultipleChoiceField) else ""
                if self.is_bound and name not in self.errors and self._typed(name):
                    self._refuse_set_aside_text(name, *set_aside[name])
        return cleaned

    def _typed(self, name: str) -> bool:
        """Whether the practitioner typed something into this field (text or a date; a click on a radio or a
        checkbox is not typed text, and without JavaScript it cannot be undone)."""
        field = self.fields[name]
        if isinstance(field, DateInputField):
            return any(str(self.data.get(f"{name}_{i}", "") or "").strip() for i in range(3))
        if isinstance(field, forms.ChoiceField) or isinstance(field.widget, forms.CheckboxInput):
            return False
        # What the page filled in itself (a follow-up's "who", say) was not typed, and is sent hidden or not.
        typed = str(self.data.get(name, "") or "").strip()
        return bool(typed) and typed != str(self.get_initial_for_field(field, name) or "").strip()

    def _refuse_set_aside_text(self, name: str, controller: str, values: tuple[str, ...]) -> None:
        """Typed text under an option that was not chosen is never dropped without a word: the page says so and
        keeps it on screen (issue 24)."""
        chosen = self.cleaned_data.get(controller)
        if chosen in (None, "", []):
            return  # Nothing chosen yet: the question itself asks for an answer.
        labels = {str(value): str(label) for value, label in getattr(self.fields[controller], "choices", [])}
        options = " or ".join(f"‘{labels.get(v, v)}’" for v in values)
        if isinstance(chosen, list):
            message = (
                f"You typed an answer to ‘{self.fields[name].label}’ but did not select {options}. "
                "Select it, or clear what you typed"
            )
        else:
            message = (
                f"You typed details under {options} but chose ‘{labels.get(str(chosen), chosen)}’. "
                "Move them under your answer or clear them"
            )
        self.add_error(name, message)

    def to_answers(self) -> Answers:
        answers: Answers = {}
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif value is None:
                value = ""
            answers[name] = value
        return answers

    @classmethod
    def data_from_answers(cls, answers: Answers, prefix: str | None = None) -> dict[str, Any]:
        """Form data that, bound to this form, reproduces the stored answers."""
        data: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            value = answers.get(name, "")
            if isinstance(field, DateInputField):
                day = month = year = ""
                if value:
                    try:
                        parsed = dt.date.fromisoformat(value)
                        day, month, year = str(parsed.day), str(parsed.month), str(parsed.year)
                    except (TypeError, ValueError):
                        pass
                data[f"{name}_0"], data[f"{name}_1"], data[f"{name}_2"] = day, month, year
            else:
                data[name] = value
        return data

    @classmethod
    def initial_from_answers(cls, answers: Answers) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            if name not in answers:
                continue
            value = answers[name]
            if isinstance(field, DateInputField) and value:
                try:
                    value = dt.date.fromisoformat(value)
                except (TypeError, ValueError):
                    value = None
            initial[name] = value
        return initial

    @classmethod
    def summary_in(cls, stored: Answers, answers: dict[str, Any]) -> list[tuple[str, str, str]]:
        """The summary, where a page needs the rest of the record to read it (a person named by id)."""
        return cls.summary(stored)

    @classmethod
    def summary(cls, answers: Answers) -> list[tuple[str, str, str]]:
        """(field name, label, readable answer) for every answered field."""
        rows = []
        for name, field in cls.base_fields.items():
            value = answers.get(name)
            if value in (None, "", []):
                continue
            rows.append((name, str(field.label), display_value(field, value)))
        return rows


def display_value(field: forms.Field, value: Any) -> str:
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return "\n".join(str(choices.get(v, v)) for v in value)
    if isinstance(field, DateInputField) and value:
        try:
            return dt.date.fromisoformat(value).strftime("%-d %B %Y")
        except (TypeError, ValueError):
            return str(value)
    return str(choices.get(value, value))


def _not_in_future(form: forms.Form, name: str, what: str) -> None:
    value = form.cleaned_data.get(name)
    if isinstance(value, dt.date) and value > timezone.localdate():
        form.add_error(name, f"{what} must be today or in the past")


class RequestForm(StepForm):
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
    purpose = _long_text("What is the purpose of sharing?", "the purpose of sharing")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _not_in_future(self, "request_date", "The date of the request")
        return cleaned


class InformationForm(StepForm):
    categories = _checkboxes(
        "What kinds of information are involved?",
        g.INFORMATION_CATEGORIES,
        "the kinds of information",
        help_text="Select all that apply",
    )
    special_category = _radio(
        "Does it include special category data?",
        g.YES_NO,
        "whether it includes special category data",
        help_text="Health, racial or ethnic origin, religion, sex life or sexual orientation, "
        "genetic or biometric data",
    )
    criminal_offence = _radio(
        "Does it include criminal offence data?",
        g.YES_NO,
        "whether it includes criminal offence data",
        help_text="Allegations, investigations, proceedings or convictions",
    )
    description = _long_text("Describe the information", "a description of the information")


# UK GDPR Article 9(1), every category. The earlier hint above stays for the frozen layouts that show it.
SPECIAL_CATEGORY_HINT = (
    "Racial or ethnic origin, political opinions, religious or philosophical beliefs, trade union membership, "
    "genetic or biometric data, health, sex life or sexual orientation (UK GDPR Article 9)"
)


class CurrentInformationForm(InformationForm):
    """The information page of the live layouts, with the whole Article 9 list in its hint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["special_category"].help_text = SPECIAL_CATEGORY_HINT


class AdviceForm(StepForm):
    advice_sought = _radio("Did you seek advice?", g.YES_NO, "whether you sought advice")
    advice_sources = _checkboxes("Who did you ask?", g.ADVICE_SOURCES, "who you asked", required=False)
    advice_from = _text(
        "Name and role of the person who advised you", "the name and role of the person", required=False
    )
    advice_date = _date("When did they advise you?", "the date of the advice", required=False)
    identity_withheld = _radio(
        "Did you keep the identity of the child or family from them?",
        g.IDENTITY_WITHHELD,
        "whether you kept their identity from the adviser",
    )
    advice_given = _long_text("What were you advised?", "what you were advised", required=False)
    no_advice_reason = _long_text(
        "Why did you not seek advice?",
        "why you did not seek advice",
        help_text="Golden rule 3: seek advice if you are in any doubt about sharing the information",
        required=False,
    )
    conditional = [
        ("advice_sources", "advice_sought", ("yes",)),
        ("advice_from", "advice_sought", ("yes",)),
        ("advice_date", "advice_sought", ("yes",)),
        ("identity_withheld", "advice_sought", ("yes",)),
        ("advice_given", "advice_sought", ("yes",)),
        ("no_advice_reason", "advice_sought", ("no",)),
    ]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "advice_sought",
                ConditionalQuestion(
                    "Yes",
                    "advice_sources",
                    "advice_from",
                    "advice_date",
                    "identity_withheld",
                    self.item("advice_given"),
                ),
                ConditionalQuestion("No", self.item("no_advice_reason")),
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _not_in_future(self, "advice_date", "The date of the advice")
        return cleaned


class PersonChoiceField(forms.ChoiceField):
    """One of the people on the record. The choices are the record's (set by the page); whether a stored answer
    names someone on the record is a rule that spans pages (wizard.consent_from_a_person_on_record)."""

    def valid_value(self, value: Any) -> bool:
        return True


class ConsentForm(StepForm):
    """One question decides whether consent was sought, so the answers cannot contradict each other; the next
    page asks why, in the procedure's words, when it was not. Whom consent was sought from is a person on the
    record (the view gives the choices: `set_people`)."""

    uses_people: ClassVar[bool] = True

    consent_sought = _radio(
        "Did you seek consent?",
        g.YES_NO,
        "whether you sought consent",
        help_text=g.CONSENT_THRESHOLD,
    )
    consent_from = PersonChoiceField(
        label="Who did you ask?",
        help_text="Add them to the people on this record first if they are not listed",
        widget=forms.RadioSelect,
        required=False,
        error_messages={"required": "Select who you asked"},
    )
    consent_date = _date("When did you ask?", "when you asked", required=False)
    consent_how = _radio("How did you ask?", g.CONSENT_METHODS, "how you asked")
    young_person = _radio(
        "Was the person asked a young person deciding for themselves?",
        g.YOUNG_PERSON_CONSENT,
        "whether a young person decided for themselves",
    )
    competence_view = _long_text(
        "Your view of their understanding",
        "your view of their understanding",
        help_text="Whether they understand what would be shared, why, with whom, and what could happen (competence)",
        required=False,
    )
    conditional = [
        ("consent_from", "consent_sought", ("yes",)),
        ("consent_date", "consent_sought", ("yes",)),
        ("consent_how", "consent_sought", ("yes",)),
        ("young_person", "consent_sought", ("yes",)),
        ("competence_view", "young_person", ("yes",)),
    ]

    def set_people(self, people: list[dict[str, Any]]) -> None:
        field = self.fields["consent_from"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = person_choices(people)

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "consent_sought",
                ConditionalQuestion(
                    "Yes",
                    "consent_from",
                    "consent_date",
                    "consent_how",
                    ConditionalRadios(
                        "young_person",
                        ConditionalQuestion("Yes", self.item("competence_view")),
                        "No",
                    ),
                ),
                "No",
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _not_in_future(self, "consent_date", "The date you asked")
        return cleaned

    @classmethod
    def summary_in(cls, stored: Answers, answers: dict[str, Any]) -> list[tuple[str, str, str]]:
        rows = cls.summary(stored)
        names = {str(p.get("person_id")): person_label(p) for p in people_in(answers)}
        return [
            (n, label, names.get(stored.get("consent_from", ""), value) if n == "consent_from" else value)
            for n, label, value in rows
        ]


class ConsentOutcomeForm(StepForm):
    consent_outcome = _radio("Response", g.CONSENT_OUTCOMES, "the response")
    consent_outcome_detail = _long_text(
        "Give details",
        "details of the response",
        help_text="For example, what was said, or why the person could not give consent",
        required=False,
    )
    conditional = [("consent_outcome_detail", "consent_outcome", ("refused", "withdrawn", "not_obtained"))]


class ConsentResponseForm(ConsentOutcomeForm):
    """The live layouts' consent response: each answer has its own follow-up, revealed under it, and consent
    given says what it covers. Earlier layouts keep ConsentOutcomeForm (one "Give details" for three answers,
    shown under all of them). Records answered in these layouts before kept "Give details" for all three: it is
    read into the answer's own follow-up (`data_from_answers`), and their stored answers read as they were.

    What consent covers is optional: records with consent given were submitted without it, and an amendment of
    one must not be refused for a question its practitioner was never asked."""

    consent_given_what = _long_text(
        "What did they agree to be shared? (optional)",
        "what they agreed to be shared",
        help_text="Consent covers only what they agreed to. For example, the school attendance record and the "
        "notes of the home visit",
        required=False,
    )
    consent_given_with = _text(
        "Who did they agree it could be shared with? (optional)",
        "who they agreed it could be shared with",
        help_text="For example, the police child protection team",
        required=False,
    )
    consent_given_recorded = _text(
        "How was their consent recorded? (optional)",
        "how their consent was recorded",
        help_text="For example, a signed form on the case file, or a note of the phone call",
        required=False,
    )
    # The label the records answered before were given; the hint is for refusal alone now.
    consent_outcome_detail = _long_text(
        "Give details",
        "details of the response",
        help_text="For example, what they said, and what they did not want shared",
        required=False,
    )
    consent_withdrawn_detail = _long_text(
        "When and how did they withdraw it?",
        "when and how they withdrew consent",
        required=False,
    )
    consent_not_obtained_detail = _long_text(
        "Why could consent not be obtained?",
        "why consent could not be obtained",
        help_text="For example, the person lacks capacity, or could not be reached",
        required=False,
    )
    conditional = [
        ("consent_given_what", "consent_outcome", ("given",)),
        ("consent_given_with", "consent_outcome", ("given",)),
        ("consent_given_recorded", "consent_outcome", ("given",)),
        ("consent_outcome_detail", "consent_outcome", ("refused",)),
        ("consent_withdrawn_detail", "consent_outcome", ("withdrawn",)),
        ("consent_not_obtained_detail", "consent_outcome", ("not_obtained",)),
    ]
    optional = ("consent_given_what", "consent_given_with", "consent_given_recorded")
    # Where an earlier answer's shared "Give details" now belongs.
    OWN_DETAIL: ClassVar[dict[str, str]] = {
        "withdrawn": "consent_withdrawn_detail",
        "not_obtained": "consent_not_obtained_detail",
    }

    @classmethod
    def _moved(cls, answers: Answers) -> Answers:
        own = cls.OWN_DETAIL.get(str(answers.get("consent_outcome", "")))
        if own and answers.get("consent_outcome_detail") and not answers.get(own):
            return {**answers, own: answers["consent_outcome_detail"], "consent_outcome_detail": ""}
        return answers

    @classmethod
    def data_from_answers(cls, answers: Answers, prefix: str | None = None) -> dict[str, Any]:
        return super().data_from_answers(cls._moved(answers), prefix)

    @classmethod
    def initial_from_answers(cls, answers: Answers) -> dict[str, Any]:
        return super().initial_from_answers(cls._moved(answers))

    def build_layout(self) -> Layout:
        labels = dict(g.CONSENT_OUTCOMES)
        return Layout(
            ConditionalRadios(
                "consent_outcome",
                ConditionalQuestion(
                    labels["given"],
                    self.item("consent_given_what"),
                    "consent_given_with",
                    "consent_given_recorded",
                ),
                ConditionalQuestion(labels["refused"], self.item("consent_outcome_detail")),
                ConditionalQuestion(labels["withdrawn"], self.item("consent_withdrawn_detail")),
                ConditionalQuestion(labels["not_obtained"], self.item("consent_not_obtained_detail")),
            )
        )


class ConsentNotSoughtForm(StepForm):
    reasons = _checkboxes(
        "Reasons",
        g.NOT_SOUGHT_REASONS,
        "at least one reason",
        help_text="Select all that apply. The procedure allows consent not to be sought only for the first three "
        "reasons: if another applies, explain it",
    )
    reason_delay = _long_text(
        "Explain how delay is likely to place the child at risk of significant harm",
        "how delay is likely to place the child at risk",
        required=False,
    )
    reason_parent_reaction = _long_text(
        "Explain how the parent's actions or reactions are likely to place the child at risk of significant harm",
        "how the parent's actions or reactions are likely to place the child at risk",
        required=False,
    )
    reason_evidence_loss = _long_text(
        "Explain what evidential material is likely to be lost",
        "what evidential material is likely to be lost",
        required=False,
    )
    reason_other = _long_text("Explain the other reason", "the other reason", required=False)
    conditional = [
        ("reason_delay", "reasons", ("delay",)),
        ("reason_parent_reaction", "reasons", ("parent_reaction",)),
        ("reason_evidence_loss", "reasons", ("evidence_loss",)),
        ("reason_other", "reasons", ("other",)),
    ]


class LawfulBasisForm(StepForm):
    article6 = _radio(
        "UK GDPR Article 6 lawful basis",
        g.ARTICLE_6,
        "the Article 6 lawful basis",
        help_text="Public bodies usually rely on public task. Consent can be the basis only if it was given, "
        "freely, for this sharing",
    )
    statutory_gateways = _checkboxes(
        "Statutory gateways",
        g.STATUTORY_GATEWAYS,
        "the statutory gateways, or no specific statutory gateway",
        help_text="Select all that apply",
    )
    lawful_basis_notes = _long_text("Anything else about the lawful basis (optional)", "notes", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        gateways = cleaned.get("statutory_gateways") or []
        if "none" in gateways and len(gateways) > 1:
            self.add_error(
                "statutory_gateways", "Select statutory gateways, or no specific statutory gateway, not both"
            )
        return cleaned


# Article 9 conditions that need a Schedule 1 condition too (DPA 2018 section 10).
NEEDS_SCHEDULE_1 = ("9_2_b_employment_social_security", "9_2_g_substantial_public_interest", "9_2_h_health_social_care")


class SpecialCategoryForm(StepForm):
    article9 = _radio("UK GDPR Article 9 condition", g.ARTICLE_9, "the Article 9 condition")
    schedule1 = _radio(
        "Data Protection Act 2018 Schedule 1 condition",
        g.SCHEDULE_1_PARAGRAPHS,
        "the Schedule 1 condition",
        help_text="Needed with Article 9(2)(b), (g) or (h)",
    )
    special_category_notes = _long_text("Explain, if needed (optional)", "an explanation", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schedule1"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if (
            cleaned.get("article9") in NEEDS_SCHEDULE_1
            and not cleaned.get("schedule1")
            and "schedule1" not in self.errors
        ):
            self.add_error("schedule1", "Select the Schedule 1 condition: Article 9(2)(b), (g) and (h) need one")
        return cleaned


class CriminalOffenceForm(StepForm):
    criminal_condition = _radio(
        "Data Protection Act 2018 Schedule 1 condition",
        g.CRIMINAL_OFFENCE_CONDITIONS,
        "the Schedule 1 condition",
    )
    criminal_offence_notes = _long_text("Explain, if needed (optional)", "an explanation", required=False)


class SafetyForm(StepForm):
    impact_of_sharing = _long_text(
        "How will sharing affect the child's safety and well-being?", "how sharing will affect the child"
    )
    impact_of_not_sharing = _long_text(
        "What would happen to the child if the information is not shared?",
        "what would happen if it is not shared",
    )
    others_affected = _long_text(
        "Who else could be affected, and how? (optional)",
        "who else could be affected",
        required=False,
        help_text="For example, siblings, the other parent, or the person who raised the concern",
    )


def _yes_no_explained(tests: list[tuple[str, str, str, str]]) -> dict[str, forms.Field]:
    """One yes/no question per quality, with an explanation needed only where the quality does not hold."""
    fields: dict[str, forms.Field] = {}
    for key, label, question, why_not in tests:
        fields[key] = _radio(question, g.YES_NO, f"whether it is {label.lower()}")
        explanation = _long_text(f"If no, explain why {why_not}", f"why {why_not}", required=False)
        explanation.widget.attrs["rows"] = 3
        explanation.error_messages["required"] = f"Explain why {why_not}"
        fields[f"{key}_explanation"] = explanation
    return fields


class QualitiesForm(StepForm):
    """Golden rule 6 as yes/no questions: quick when every quality holds, and works without JavaScript (the
    explanation boxes then simply show under each "No")."""

    tests: ClassVar[list[tuple[str, str, str, str]]] = []
    note_field: ClassVar[str] = ""

    def build_layout(self) -> Layout:
        parts: list[Any] = [
            ConditionalRadios(key, "Yes", ConditionalQuestion("No", self.item(f"{key}_explanation")))
            for key, *_rest in self.tests
        ]
        return Layout(*parts, self.item(self.note_field))


class NecessaryForm(QualitiesForm):
    tests = g.NECESSITY_TESTS
    note_field = "necessary_note"
    locals().update(_yes_no_explained(g.NECESSITY_TESTS))
    necessary_note = _long_text(
        "Anything else about whether sharing would be necessary and proportionate (optional)",
        "notes",
        required=False,
    )
    conditional = [(f"{key}_explanation", key, ("no",)) for key, *_rest in g.NECESSITY_TESTS]


class QualityForm(QualitiesForm):
    tests = g.QUALITY_TESTS
    note_field = "quality_note"
    locals().update(_yes_no_explained(g.QUALITY_TESTS))
    quality_note = _long_text("Anything else about what you will share (optional)", "notes", required=False)
    conditional = [(f"{key}_explanation", key, ("no",)) for key, *_rest in g.QUALITY_TESTS]


class OpenHonestForm(StepForm):
    told = _radio("Were they told?", g.TOLD_OPTIONS, "whether they were told")
    told_detail = _long_text("What were they told, and by whom?", "what they were told", required=False)
    not_told_reason = _long_text(
        "Why were they not told?",
        "why they were not told",
        help_text="For example, telling them would be unsafe or inappropriate",
        required=False,
    )
    tell_later = _radio("Will they be told later?", g.YES_NO, "whether they will be told later")
    tell_by = _date("By when?", "when they will be told", required=False)
    tell_who = _text("Who will tell them?", "who will tell them", help_text="Name and role", required=False)
    conditional = [
        ("told_detail", "told", ("yes",)),
        ("not_told_reason", "told", ("no",)),
        ("tell_later", "told", ("no",)),
        ("tell_by", "tell_later", ("yes",)),
        ("tell_who", "tell_later", ("yes",)),
    ]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "told",
                ConditionalQuestion("Yes, they were told", self.item("told_detail")),
                ConditionalQuestion(
                    "No, they were not told",
                    self.item("not_told_reason"),
                    ConditionalRadios("tell_later", ConditionalQuestion("Yes", "tell_by", "tell_who"), "No"),
                ),
            )
        )


class OpenHonestResponseForm(OpenHonestForm):
    """The live 2018 layout's openness page: "Yes, they were told" asks when and how too (optional, as records
    were submitted without it). Earlier layouts keep OpenHonestForm."""

    told_when_how = _text(
        "When and how were they told? (optional)",
        "when and how they were told",
        help_text="For example, in person at the home visit on 3 November",
        required=False,
    )
    conditional = [*OpenHonestForm.conditional, ("told_when_how", "told", ("yes",))]
    optional = ("told_when_how",)

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "told",
                ConditionalQuestion("Yes, they were told", self.item("told_detail"), "told_when_how"),
                ConditionalQuestion(
                    "No, they were not told",
                    self.item("not_told_reason"),
                    ConditionalRadios("tell_later", ConditionalQuestion("Yes", "tell_by", "tell_who"), "No"),
                ),
            )
        )


class DecisionForm(StepForm):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        # The local procedure's words: no one should assume someone else will pass it on.
        help_text="If you believe a child is suffering, or likely to suffer, harm, share the information with "
        "children's social care",
        error_messages={"required": "Select your decision", "invalid_choice": "Select your decision"},
    )
    shared_part = _long_text("What will you share?", "what you will share", required=False)
    withheld = _long_text("What will you withhold, and why?", "what was withheld and why", required=False)
    no_share_reasons = _checkboxes(
        "Why are you not sharing?",
        g.NO_SHARE_REASONS,
        "why you are not sharing",
        help_text="Select all that apply",
        required=False,
    )
    reasons = _long_text("Reasons for your decision", "the reasons for your decision")
    conditional = [
        ("shared_part", "outcome", ("share_some",)),
        ("withheld", "outcome", ("share_some",)),
        ("no_share_reasons", "outcome", ("no_share",)),
    ]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "outcome",
                "Share all of the information",
                ConditionalQuestion("Share some of the information", self.item("shared_part"), self.item("withheld")),
                ConditionalQuestion("Do not share", "no_share_reasons"),
            ),
            self.item("reasons"),
        )


class WithoutConsentForm(StepForm):
    justification = _long_text(
        "Justification for sharing without consent",
        "the justification for sharing without consent",
        help_text="Information may be shared without consent if it is to promote the welfare and protect the "
        "safety of children. Base your judgement on the facts of the case",
    )


class SendingForm(StepForm):
    method = _radio(
        "How will you send it?",
        g.SHARING_METHODS,
        "how you will send it",
        help_text="Send it only to the person who needs it, by a secure route",
    )
    method_other = _text("Describe how", "how you will send it", required=False)
    secure_detail = _long_text(
        "Anything else about keeping it secure (optional)",
        "how you will keep it secure",
        help_text="For example, a password sent separately, or checking who answers the phone",
        required=False,
    )
    conditional = [("method_other", "method", ("other",))]

    def build_layout(self) -> Layout:
        labels = [label for value, label in g.SHARING_METHODS if value != "other"]
        return Layout(
            ConditionalRadios("method", *labels, ConditionalQuestion("Another way", "method_other")),
            self.item("secure_detail"),
        )


class RecipientForm(StepForm):
    """One recipient, added on the recipients page."""

    agency = _text("Agency", "the agency", help_text="For example, West Midlands Police")
    person = _text("Name or role of the person", "the name or role of the person")
    contact = _text(
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
        # A plain text box, which crispy-forms-gds styles: its TimeInput came out unstyled, 15 pixels high.
        widget=forms.TextInput,
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
        error_messages={"invalid": "Enter the time as hours and minutes, for example 14:30"},
    )
    method = _radio("How was it sent?", g.SHARING_METHODS, "how it was sent")
    method_other = _text("Describe how", "how it was sent", required=False)
    given = _long_text(
        "What were they given, if it differs from the others? (optional)",
        "what they were given",
        required=False,
    )
    # Entered before sign-off in an organisation that reviews before sharing: the date and way are a plan, and
    # sending it is recorded after sign-off (follow_ups.py). Kept in the entry, so the record reads as it was.
    planned = forms.BooleanField(required=False, widget=forms.HiddenInput)
    conditional = [("method_other", "method", ("other",))]

    def __init__(self, *args: Any, planned: bool = False, **kwargs: Any) -> None:
        self.is_planned = planned
        super().__init__(*args, **kwargs)
        if planned:
            self.fields["shared_date"].label = "Planned date"
            self.fields[
                "shared_date"
            ].help_text = "The date you plan to send it, once the decision is signed off. For example, 27 3 2026"
            self.fields["shared_time"].label = "Planned time (optional)"
            self.fields["method"].label = "How will it be sent?"

    def build_layout(self) -> Layout:
        labels = [label for value, label in g.SHARING_METHODS if value != "other"]
        return Layout(
            "agency",
            "person",
            "contact",
            "shared_date",
            Field.text("shared_time", field_width=5),
            ConditionalRadios("method", *labels, ConditionalQuestion("Another way", "method_other")),
            self.item("given"),
        )

    def to_answers(self) -> Answers:
        answers = super().to_answers()
        time_value = self.cleaned_data.get("shared_time")
        answers["shared_time"] = time_value.strftime("%H:%M") if time_value else ""
        # Only planned entries say so: entries as they were before this existed stay exactly the same.
        answers.pop("planned", None)
        if self.is_planned or self.cleaned_data.get("planned"):
            answers["planned"] = True
        return answers


class PersonEntryForm(StepForm):
    """One person on a record, as stored in the answers: a snapshot of the `Person` row when it was added, so
    the evidence never changes when the row does."""

    person_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    full_name = _text("Name", "the name")
    date_of_birth = _date("Date of birth", "the date of birth", required=False)
    birth_date_accuracy = _radio("Date of birth", g.BIRTH_DATE_ACCURACY, "whether the date of birth is known")
    part = _radio("Their part", g.PERSON_PARTS, "their part")
    protect_identity = forms.BooleanField(label="Identity protected", required=False)


class NewPersonForm(StepForm):
    """Add someone who is not yet on any record of the organisation."""

    full_name = _text(
        "Full name",
        "their full name",
        help_text="Record only what identifies them: their name, and their date of birth if you know it",
    )
    birth_date_accuracy = _radio("Do you know their date of birth?", g.BIRTH_DATE_ACCURACY, "whether you know it")
    date_of_birth = _date(
        "Date of birth",
        "their date of birth",
        help_text="If you know it only approximately, give your best estimate. For example, 4 5 2015",
        required=False,
    )
    part = _radio("What is their part in this decision?", g.PERSON_PARTS, "their part")
    protect_identity = forms.BooleanField(
        label="Protect this person's identity",
        required=False,
        help_text="For anyone who might come to harm if their details became known: for example, a carer, a "
        "neighbour or the person who raised the concern",
    )
    conditional = [("date_of_birth", "birth_date_accuracy", ("exact", "approximate"))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if isinstance(cleaned.get("full_name"), str):
            cleaned["full_name"] = " ".join(cleaned["full_name"].split())
        _not_in_future(self, "date_of_birth", "The date of birth")
        return cleaned


class PickPersonForm(forms.Form):
    """Add someone already on the organisation's records (found by the search on the people page)."""

    person = forms.IntegerField(
        widget=forms.RadioSelect, error_messages={"required": "Select a person", "invalid": "Select a person"}
    )
    pick_part = _radio("What is their part in this decision?", g.PERSON_PARTS, "their part")
    pick_protect_identity = forms.BooleanField(label="Protect this person's identity", required=False)


class ListStepForm(StepForm):
    """A page whose answer is a list of entries, each checked by `entry_form` (people, recipients). The list
    is built on its own page with add and remove buttons that work without JavaScript; this form checks the
    stored list as a whole, for check answers and submit."""

    list_page: ClassVar[bool] = True
    entry_form: ClassVar[type[StepForm]]
    list_name: ClassVar[str]
    entry_noun: ClassVar[str]
    entry_nouns: ClassVar[str]
    max_entries: ClassVar[int] = 30

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if any(self.data.get(key) for key in self.data if str(key).startswith("carried_")):
            # Moved from an older layout's free text: the practitioner turns it into entries first.
            raise forms.ValidationError(f"Check the {self.entry_nouns} carried over from the earlier record")
        entries = self.data.get(self.list_name)
        if not isinstance(entries, list) or not entries:
            raise forms.ValidationError(f"Add at least one {self.entry_noun}")
        if len(entries) > self.max_entries:
            raise forms.ValidationError(f"Add no more than {self.max_entries} {self.entry_nouns}")
        clean_entries = []
        for number, entry in enumerate(entries, start=1):
            form = self.entry_form(data=self.entry_form.data_from_answers(entry if isinstance(entry, dict) else {}))
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        self.add_error(None, f"{self.entry_noun.capitalize()} {number}: {error}")
                continue
            clean_entries.append(form.to_answers())
        cleaned[self.list_name] = clean_entries
        return cleaned

    def to_answers(self) -> Answers:
        return {self.list_name: self.cleaned_data[self.list_name]}

    @classmethod
    def data_from_answers(cls, answers: Answers, prefix: str | None = None) -> dict[str, Any]:
        carried = {k: v for k, v in answers.items() if k.startswith("carried_")}
        return {cls.list_name: list(answers.get(cls.list_name) or []), **carried}

    @classmethod
    def initial_from_answers(cls, answers: Answers) -> dict[str, Any]:
        return {}

    @classmethod
    def raw_data(cls, data: QueryDict | dict[str, Any]) -> dict[str, Any]:
        return {}

    @classmethod
    def entries(cls, answers: Answers | None) -> list[dict[str, Any]]:
        entries = (answers or {}).get(cls.list_name)
        return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []

    @classmethod
    def entry_summary(cls, entry: dict[str, Any]) -> str:
        return "\n".join(value for _name, _label, value in cls.entry_form.summary(entry))

    @classmethod
    def summary(cls, answers: Answers) -> list[tuple[str, str, str]]:
        noun = cls.entry_noun.capitalize()
        return [
            (f"{cls.list_name}_{number}", f"{noun} {number}", cls.entry_summary(entry))
            for number, entry in enumerate(cls.entries(answers), start=1)
        ]


class PeopleForm(ListStepForm):
    entry_form = PersonEntryForm
    list_name = "people"
    entry_noun = "person"
    entry_nouns = "people"

    @classmethod
    def entry_summary(cls, entry: dict[str, Any]) -> str:
        return person_description(entry)


class RecipientsForm(ListStepForm):
    entry_form = RecipientForm
    list_name = "recipients"
    entry_noun = "recipient"
    entry_nouns = "recipients"

    @classmethod
    def entry_summary(cls, entry: dict[str, Any]) -> str:
        fields = RecipientForm.base_fields
        when = display_value(fields["shared_date"], entry.get("shared_date", ""))
        if entry.get("shared_time"):
            when += f", {entry['shared_time']}"
        method = display_value(fields["method"], entry.get("method", ""))
        if entry.get("method") == "other" and entry.get("method_other"):
            method = str(entry["method_other"])
        planned = bool(entry.get("planned"))
        lines = [
            ", ".join(str(v) for v in (entry.get("person", ""), entry.get("agency", "")) if v),
            str(entry.get("contact", "")),
            (f"Planned for {when}, after sign-off" if planned else f"Shared {when}") if when else "",
            f"To be sent by: {method}" if planned and method else method,
        ]
        if entry.get("given"):
            lines.append(f"Given: {entry['given']}")
        return "\n".join(line for line in lines if line)


def people_in(answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The people on a record, as its answers hold them (none for a layout without people)."""
    return PeopleForm.entries(answers.get("people"))


def person_label(entry: dict[str, Any]) -> str:
    name = str(entry.get("full_name", ""))
    return f"{name} (identity protected)" if entry.get("protect_identity") else name


def person_born(entry: dict[str, Any]) -> str:
    accuracy = entry.get("birth_date_accuracy")
    value = entry.get("date_of_birth") or ""
    if not value or accuracy == "unknown":
        return "Date of birth not known"
    try:
        text = dt.date.fromisoformat(value).strftime("%-d %B %Y")
    except (TypeError, ValueError):
        text = str(value)
    return f"Born about {text}" if accuracy == "approximate" else f"Born {text}"


def person_description(entry: dict[str, Any]) -> str:
    part = dict(g.PERSON_PARTS).get(str(entry.get("part", "")), str(entry.get("part", "")))
    lines = [str(entry.get("full_name", "")), person_born(entry), part]
    if entry.get("protect_identity"):
        lines.append("Identity protected: do not disclose who they are")
    return "\n".join(lines)


def person_choices(people: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(p.get("person_id")), person_label(p)) for p in people]


class RequesterToldForm(StepForm):
    requester_told = _radio("Have you told them?", g.YES_NO, "whether you have told them")
    requester_told_how = _long_text("How and when did you tell them?", "how and when you told them", required=False)
    requester_not_told_reason = _long_text(
        "Why have you not told them, and will you?",
        "why you have not told them",
        required=False,
    )
    conditional = [
        ("requester_told_how", "requester_told", ("yes",)),
        ("requester_not_told_reason", "requester_told", ("no",)),
    ]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "requester_told",
                ConditionalQuestion("Yes", self.item("requester_told_how")),
                ConditionalQuestion("No", self.item("requester_not_told_reason")),
            )
        )


class AlternativesForm(StepForm):
    offered = _checkboxes(
        "What have you offered?",
        g.ALTERNATIVES_OFFERED,
        "what you have offered, or nothing",
        help_text="Select all that apply",
    )
    offered_detail = _long_text(
        "Give details of what you offered, and to whom",
        "details of what you offered",
        help_text="Leave this empty if you offered nothing",
        required=False,
    )
    conditional = [("offered_detail", "offered", ("part", "referral", "advice", "other"))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        offered = cleaned.get("offered") or []
        if "nothing" in offered and len(offered) > 1:
            self.add_error("offered", "Select what you offered, or nothing, not both")
        return cleaned


class SubmitForm(forms.Form):
    declaration = forms.BooleanField(
        label="I confirm this is an accurate record of my decision and the reasons for it",
        error_messages={"required": "Confirm that this is an accurate record"},
    )
    submit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class DiscardForm(forms.Form):
    """Are you sure? Asked before a draft is thrown away or an amendment cancelled."""

    confirm = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes or no", "invalid_choice": "Select yes or no"},
    )

    def __init__(self, *args: Any, question: str = "Are you sure?", hint: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = question
        self.fields["confirm"].help_text = hint
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.radios("confirm", legend_size=Size.LARGE, legend_tag="h1", inline=True))


class AmendForm(forms.Form):
    reason = forms.CharField(
        label="Why are you amending this decision?",
        help_text="This is kept with the new version and shown to anyone who reads the record",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why you are amending this decision",
            "max_length": "Reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.MEDIUM
        # crispy-forms-gds applies label sizes only through a layout.
        tell_limits(self)
        self.helper.layout = Layout(counted(self, "reason"))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you are amending this decision")
        return reason
