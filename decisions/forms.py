"""One small form per question page. Answers are stored as JSON, so each form knows how to turn its
cleaned data into JSON and back into form data (for re-validation of the whole record at submit)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from . import guidance as g
from .choices import Outcome

Answers = dict[str, Any]

REQUIRED = "Enter {what}"
CHOOSE = "Select {what}"


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
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": REQUIRED.format(what=what),
            "max_length": f"{what[0].upper()}{what[1:]} must be 5,000 characters or fewer",
        },
    )


class RealDateField(DateInputField):
    """A GOV.UK date input whose impossible dates (31 2 2026) get our message, not Python's."""

    def compress(self, data_list: Any) -> Any:
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
    # They are required in that case and dropped from the answers otherwise.
    conditional: ClassVar[list[tuple[str, str, tuple[str, ...]]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        layout = self.build_layout()
        if layout is not None:
            self.helper.layout = layout
        for name, _controller, _values in self.conditional:
            self.fields[name].required = False

    def build_layout(self) -> Layout | None:
        return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, controller, values in self.conditional:
            if cleaned.get(controller) in values or (
                isinstance(cleaned.get(controller), list) and set(cleaned[controller]) & set(values)
            ):
                value = cleaned.get(name)
                if value in (None, "", []) and name not in self.errors:
                    field = self.fields[name]
                    message = field.error_messages.get("required", "Enter an answer")
                    self.add_error(name, message)
            else:
                cleaned[name] = [] if isinstance(self.fields[name], forms.MultipleChoiceField) else ""
        return cleaned

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
    no_advice_reason = _long_text("Why did you not seek advice?", "why you did not seek advice", required=False)
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
                    "Yes", "advice_sources", "advice_from", "advice_date", "identity_withheld", "advice_given"
                ),
                ConditionalQuestion("No", "no_advice_reason"),
            )
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _not_in_future(self, "advice_date", "The date of the advice")
        return cleaned


class ConsentForm(StepForm):
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


class ConsentOutcomeForm(StepForm):
    consent_outcome = _radio("Response", g.CONSENT_OUTCOMES, "the response")
    consent_outcome_detail = _long_text(
        "Give details",
        "details of the response",
        help_text="For example, what was said, or why the person could not give consent",
        required=False,
    )
    conditional = [("consent_outcome_detail", "consent_outcome", ("refused", "withdrawn", "not_obtained"))]


class ConsentNotSoughtForm(StepForm):
    reasons = _checkboxes("Reasons", g.NOT_SOUGHT_REASONS, "at least one reason", help_text="Select all that apply")
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


class LawfulBasisForm(StepForm):
    article6 = _radio(
        "UK GDPR Article 6 lawful basis",
        g.ARTICLE_6,
        "the Article 6 lawful basis",
        help_text="Public bodies usually rely on public task; consent only if it was freely given",
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


class SpecialCategoryForm(StepForm):
    article9 = _radio("UK GDPR Article 9 condition", g.ARTICLE_9, "the Article 9 condition")
    schedule1 = _radio(
        "Data Protection Act 2018 Schedule 1 condition",
        g.SCHEDULE_1_PARAGRAPHS,
        "the Schedule 1 condition",
        help_text="Needed with Article 9(2)(b), (g) or (h)",
    )
    special_category_notes = _long_text("Explain, if needed (optional)", "an explanation", required=False)


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


def _rule6_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for key, label, question in g.RULE6_TESTS:
        fields[key] = _radio(question, g.YES_NO, f"whether it is {label.lower()}")
        fields[f"{key}_explanation"] = _long_text(f"{label}: explain briefly", f"why it is, or is not, {label.lower()}")
    return fields


class Rule6Form(StepForm):
    locals().update(_rule6_fields())
    secure_method = _long_text(
        "How will it be sent securely?",
        "how it will be sent securely",
        help_text="For example, secure email to a named recipient, or the case system",
    )

    def build_layout(self) -> Layout:
        parts = [
            Fieldset(key, f"{key}_explanation", legend=label, legend_size=Size.MEDIUM)
            for key, label, _q in g.RULE6_TESTS
        ]
        return Layout(*parts, Field("secure_method"))


class OpenHonestForm(StepForm):
    told = _radio("Were they told?", g.TOLD_OPTIONS, "whether they were told")
    told_detail = _long_text("What were they told, and by whom?", "what they were told", required=False)
    not_told_reason = _long_text(
        "Why were they not told?",
        "why they were not told",
        help_text="For example, telling them would be unsafe or would put an investigation at risk",
        required=False,
    )
    conditional = [("told_detail", "told", ("yes",)), ("not_told_reason", "told", ("no",))]

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "told",
                ConditionalQuestion("Yes, they were told", "told_detail"),
                ConditionalQuestion("No, they were not told", "not_told_reason"),
            )
        )


class DecisionForm(StepForm):
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


class WithoutConsentForm(StepForm):
    justification = _long_text(
        "Justification for sharing without consent",
        "the justification for sharing without consent",
        help_text="Base it on the facts of the case: why safety outweighs the wish not to share",
    )


class RecipientsForm(StepForm):
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


class AmendForm(forms.Form):
    reason = forms.CharField(
        label="Why are you amending this decision?",
        help_text="This is kept with the new version and shown to anyone who reads the record",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why you are amending this decision"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.MEDIUM
        # crispy-forms-gds applies label sizes only through a layout.
        self.helper.layout = Layout(Field("reason"))

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you are amending this decision")
        return reason
