"""The bulk-export selection and the verify page."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.core.files.uploadedfile import UploadedFile

from accounts.models import Team
from decisions import pdf, signing
from decisions.choices import Outcome
from decisions.forms import gov_date
from sharing_app.limits import tell_limits

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CODE_EXAMPLE = "0d5f 1f91 90c8 cdab …"


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    return helper


def _date(label: str, what: str) -> DateInputField:
    return gov_date(label, what)


class BulkExportForm(forms.Form):
    submitted_from = _date("From", "the first date")
    submitted_to = _date("To", "the last date")
    submitted_from.help_text = "The day the latest version was submitted, UK time. For example, 1 11 2026"
    submitted_to.help_text = "For example, 30 11 2026"
    team = forms.ModelChoiceField(
        label="Which team?",
        queryset=Team.objects.none(),
        required=False,
        empty_label="All teams",
        error_messages={"invalid_choice": "Select a team from the list"},
    )
    outcome = forms.ChoiceField(
        label="What was decided?",
        choices=[("", "Any decision"), *Outcome.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select a decision from the list"},
    )

    def __init__(self, *args: Any, teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = teams if teams is not None else Team.objects.none()
        self.fields["outcome"].initial = ""
        self.helper = _helper()
        self.helper.layout = Layout(
            Fieldset(
                Field("submitted_from"),
                Field("submitted_to"),
                legend="When were the decisions submitted?",
                legend_size=Size.MEDIUM,
            ),
            Field.select("team"),
            Field.radios("outcome", legend_size=Size.MEDIUM, small=True),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", "The last date must be the same as or after the first date")
        return cleaned


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Verification code",
        help_text=f"64 letters and numbers, in groups of 4 on the record. For example, {CODE_EXAMPLE}",
        required=False,
        max_length=200,
        error_messages={"max_length": "The verification code must be 64 letters and numbers"},
    )
    file = forms.FileField(
        label="Or upload the PDF audit record",
        help_text="The PDF as it was downloaded from this service, up to 20 MB",
        required=False,
        error_messages={"invalid": "The selected file must be a PDF", "empty": "The selected file is empty"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        tell_limits(self)
        self.attached_record: pdf.AttachedRecord | None = None
        self.signature: signing.SignatureCheck | None = None

    def clean_code(self) -> str:
        raw = self.cleaned_data.get("code", "")
        if not raw.strip():
            return ""
        code = pdf.normalise_code(raw)
        if not pdf.is_code(code):
            raise forms.ValidationError(
                "Enter the verification code as it appears on the record: 64 letters (a to f) and numbers"
            )
        return code

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return None
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 20 MB")
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        try:
            self.attached_record = pdf.read_attached_record(data)
        except pdf.NotARecordPdf as exc:
            raise forms.ValidationError(
                "The selected file must be a PDF audit record downloaded from this service"
            ) from exc
        self.signature = signing.check_signature(data)
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if cleaned.get("code") and cleaned.get("file"):
            self.add_error("code", "Enter a verification code or upload a PDF, not both")
        elif not cleaned.get("code") and not cleaned.get("file"):
            self.add_error("code", "Enter a verification code or upload a PDF")
        return cleaned


class PersonSearchForm(forms.Form):
    """Find the person a subject access request is about: part of their name, and their date of birth if known."""

    name = forms.CharField(
        label="Their name",
        help_text="Part of the name is enough. Capitals and accents do not matter",
        required=False,
        max_length=200,
        error_messages={"max_length": "Name must be 200 characters or fewer"},
    )
    date_of_birth = gov_date("Their date of birth (optional)", "their date of birth", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        tell_limits(self)
        self.helper.layout = Layout(Field.text("name"), Field("date_of_birth"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not (cleaned.get("name") or "").strip() and not cleaned.get("date_of_birth"):
            self.add_error("name", "Enter their name or their date of birth")
        return cleaned


class SubjectAccessStartForm(forms.Form):
    person = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": "Select the person",
            "invalid": "Select the person",
            "min_value": "Select the person",
            "max_value": "Select the person",
        },
    )
