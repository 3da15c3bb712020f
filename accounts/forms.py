from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .twofactor import normalise


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your admin.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class TwoFactorCodeForm(forms.Form):
    """One box for a code: six digits from the app, or (when signing in) an eight-character recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        error_messages={
            "required": "Enter the code",
            "max_length": "Enter the code as it is shown, without other text",
        },
    )

    def __init__(self, *args: Any, recovery: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.widget.attrs.update({"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"})
        if recovery:
            field.help_text = "The 6-digit code your authenticator app shows, or one of your recovery codes"
        else:
            field.label = "Code from your app"
            field.help_text = "The 6-digit code your authenticator app shows for this service"
            field.widget.attrs["inputmode"] = "numeric"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.text("code", field_width=10))

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError("Enter the code")
        return code
