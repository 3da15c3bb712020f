"""The audit log's filters, read from the query string."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Layout, Size
from django import forms

from decisions.choices import Outcome
from decisions.guidance import EDITION_CHOICES
from sharing_app.limits import tell_limits

from .actions import LABELS
from .selectors import AuditFilters


class _DateField(DateInputField):
    """A GOV.UK date input whose impossible dates (31 2 2026) get a plain English error."""

    def compress(self, data_list: Any) -> dt.date | None:
        day, month, year = data_list
        if not (day or month or year):
            return None
        if not (day and month and year):
            raise forms.ValidationError("Enter the day, month and year")
        try:
            value = dt.date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError):  # OverflowError: a year too big for a C long (found by fuzzing)
            raise forms.ValidationError("Enter a real date, for example 27 3 2026") from None
        if value.year < 2000:
            raise forms.ValidationError("Enter a year after 2000")
        return value


def _date(label: str) -> _DateField:
    field = _DateField(label=label, help_text="For example, 27 3 2026", required=False, require_all_fields=False)
    field.error_messages["incomplete"] = "Enter the day, month and year"
    for part, what in zip(field.fields, ("day", "month", "year"), strict=True):
        part.required = False
        part.validators[0].message = f"Enter the {what} as a number"
    return field


class AuditLogFilterForm(forms.Form):
    date_from = _date("Start date")
    date_to = _date("End date")
    actor = forms.CharField(
        label="Username",
        required=False,
        max_length=150,
        error_messages={"max_length": "Username must be 150 characters or fewer"},
    )
    action = forms.ChoiceField(
        label="Action",
        required=False,
        choices=[("", "Any action"), *sorted(LABELS.items(), key=lambda item: item[1])],
        error_messages={"invalid_choice": "Select an action from the list"},
    )
    reference = forms.CharField(
        label="Decision reference",
        required=False,
        max_length=40,
        error_messages={"max_length": "Decision reference must be 40 characters or fewer"},
    )
    outcome = forms.ChoiceField(
        label="Decision outcome",
        required=False,
        choices=[("", "Any outcome"), *Outcome.choices],
        error_messages={"invalid_choice": "Select an outcome from the list"},
    )
    edition = forms.ChoiceField(
        label="Edition of the advice",
        required=False,
        choices=[("", "Any edition"), *EDITION_CHOICES],
        error_messages={"invalid_choice": "Select an edition from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tell_limits(self)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            Div(
                Div(Field("date_from"), css_class="govuk-grid-column-one-half"),
                Div(Field("date_to"), css_class="govuk-grid-column-one-half"),
                css_class="govuk-grid-row",
            ),
            Div(
                Div(Field.text("actor"), css_class="govuk-grid-column-one-quarter"),
                Div(Field.select("action"), css_class="govuk-grid-column-one-quarter"),
                Div(Field.text("reference"), css_class="govuk-grid-column-one-quarter"),
                Div(Field.select("outcome"), css_class="govuk-grid-column-one-quarter"),
                css_class="govuk-grid-row",
            ),
            Div(
                Div(Field.select("edition"), css_class="govuk-grid-column-one-quarter"),
                css_class="govuk-grid-row",
            ),
        )

    def clean_actor(self) -> str:
        return str(self.cleaned_data["actor"]).strip()

    def clean_reference(self) -> str:
        # References are made as PREFIX-YEAR-NUMBER with an upper-case prefix.
        return str(self.cleaned_data["reference"]).strip().upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned

    def filters(self) -> AuditFilters:
        data = self.cleaned_data
        return AuditFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            actor=data.get("actor", ""),
            action=data.get("action", ""),
            reference=data.get("reference", ""),
            outcome=data.get("outcome", ""),
            edition=data.get("edition", ""),
        )
