"""Forms for legal holds and disposal, rendered the GOV.UK way by crispy-forms-gds."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size
from django import forms

from sharing_app.limits import counted, tell_limits

from .services import REASON_MAX


class _GovukForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        tell_limits(self)
        self.helper.layout = Layout(*(counted(self, name) for name in self.fields))


def _reason(label: str, hint: str, missing: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=hint,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": missing, "max_length": f"Reason must be {REASON_MAX:,} characters or fewer"},
    )


class _ReasonForm(_GovukForm):
    reason: forms.CharField

    def clean_reason(self) -> str:
        value = str(self.cleaned_data["reason"]).strip()
        if not value:
            raise forms.ValidationError(self.fields["reason"].error_messages["required"])
        return value


NO_NAMES = "Do not name the people in the record: this reason is kept after the record is disposed of"


class HoldForm(_ReasonForm):
    prefix = "hold"
    reason = _reason("Why must this be kept?", NO_NAMES, "Enter why the record must be kept")


class OrganisationHoldForm(_ReasonForm):
    prefix = "hold"
    reason = _reason(
        "Why must every record be kept?",
        "For example, an inquiry has asked that no records be destroyed",
        "Enter why every record must be kept",
    )


class LiftForm(_ReasonForm):
    prefix = "lift"
    reason = _reason("Why can the hold be lifted?", NO_NAMES, "Enter why the hold can be lifted")


class ProposeForm(_ReasonForm):
    prefix = "propose"
    reason = _reason(
        "Why can this record be disposed of?",
        "For example, past the retention period with no open case, complaint or inquiry. " + NO_NAMES,
        "Enter why the record can be disposed of",
    )


class ApproveForm(_GovukForm):
    prefix = "approve"
    confirm = forms.BooleanField(
        label="I have checked this record can be disposed of",
        help_text="Its content is removed for good. A tombstone keeps its reference, dates, outcome and codes",
        error_messages={"required": "Confirm that you have checked the record can be disposed of"},
    )
