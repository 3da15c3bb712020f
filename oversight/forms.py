"""Forms for reviews and organisation settings, rendered the GOV.UK way by crispy-forms-gds."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from accounts.models import GuidanceEdition, ReviewTiming
from decisions.guidance import EDITION_CHOICES
from sharing_app.limits import counted, tell_limits

COMMENT_MAX = 5000


class _GovukForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.MEDIUM
        # Sizes are applied only when the helper renders a layout.
        tell_limits(self)
        self.helper.layout = Layout(*(counted(self, name) for name in self.fields))


class ApproveForm(_GovukForm):
    prefix = "approve"
    comment = forms.CharField(
        label="Comment (optional)",
        help_text="Anyone who reads the record will see this",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Comment must be 5,000 characters or fewer"},
    )


class ReturnForm(_GovukForm):
    prefix = "return"
    comment = forms.CharField(
        label="What needs to change?",
        help_text="The practitioner will see this and amend the decision",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter what the practitioner needs to change",
            "max_length": "Comment must be 5,000 characters or fewer",
        },
    )

    def clean_comment(self) -> str:
        comment = str(self.cleaned_data["comment"]).strip()
        if not comment:
            raise forms.ValidationError("Enter what the practitioner needs to change")
        return comment


class OrganisationSettingsForm(_GovukForm):
    review_timing = forms.ChoiceField(
        label="When do supervisors review decisions?",
        choices=ReviewTiming.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Practitioners can always record a decision and share straight away. When review happens before a "
            "decision to share is final, the decision shows as not final until a supervisor signs it off."
        ),
        error_messages={
            "required": "Select when supervisors review decisions",
            "invalid_choice": "Select when supervisors review decisions",
        },
    )


def _years(label: str, hint: str, what: str, low: int, high: int) -> forms.IntegerField:
    messages = {
        "required": f"Enter {what}",
        "invalid": f"{what[0].upper()}{what[1:]} must be a whole number, like 25",
        "min_value": f"{what[0].upper()}{what[1:]} must be {low} or more",
        "max_value": f"{what[0].upper()}{what[1:]} must be {high} or fewer",
    }
    return forms.IntegerField(
        label=label,
        help_text=hint,
        min_value=low,
        max_value=high,
        error_messages=messages,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3", "spellcheck": "false"}),
    )


class RetentionSettingsForm(_GovukForm):
    retention_child_age_years = _years(
        "Review records when the youngest child on them reaches this age",
        "In years. 25 is the common schedule for child protection records",
        "the age at which records are reviewed",
        18,
        120,
    )
    retention_no_birth_date_years = _years(
        "Where no child's date of birth is known, review records this many years after their last activity",
        "Last activity is the latest submission, amendment or review. 6 years is the default",
        "the years after the last activity",
        1,
        120,
    )


class OrganisationEditionForm(_GovukForm):
    guidance_edition = forms.ChoiceField(
        label="Which edition of HM Government's information sharing advice are new decisions made under?",
        choices=GuidanceEdition.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Decisions already started or submitted keep the edition they were made under, and so do their "
            "amendments. Only decisions started after you save use the edition you choose."
        ),
        error_messages={
            "required": "Select the edition of the advice for new decisions",
            "invalid_choice": "Select the edition of the advice for new decisions",
        },
    )


class DashboardFilterForm(forms.Form):
    """The dashboard's filter, read from the query string."""

    edition = forms.ChoiceField(
        label="Edition of the advice",
        required=False,
        choices=[("", "Any edition"), *EDITION_CHOICES],
        error_messages={"invalid_choice": "Select an edition from the list"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.select("edition"))
