from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from sharing_app.limits import tell_limits

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
            "max_length": "Enter the code as it is shown: 6 digits, or a recovery code",
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
        tell_limits(self)
        self.helper.layout = Layout(Field.text("code", field_width=10))

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError("Enter the code")
        return code


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The address your organisation uses to contact you",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        tell_limits(self)
        self.helper.layout = Layout(Field.text("email"))


class NewPasswordForm(SetPasswordForm):
    """Django's form for a new password (with the password validators), in GOV.UK words."""

    # An error message, not a password (bandit goes by the word "password").
    error_messages = {  # nosec B105
        "password_mismatch": "The passwords do not match. Enter the same password twice",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, second.label = "New password", "Enter the new password again"
        first.help_text = "At least 12 characters. A few unrelated words are easy to remember and hard to guess"
        second.help_text = ""
        first.error_messages["required"] = "Enter a new password"
        second.error_messages["required"] = "Enter the new password again"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.text("new_password1"), Field.text("new_password2"))

    def clean(self) -> dict[str, Any]:
        # As Django's, but a weak password's error goes beside the password itself, not the repeat.
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return self.cleaned_data


class InviteUserForm(forms.ModelForm):
    """The Django admin's "add user" form: no password. The new user sets their own from an emailed link."""

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email", "job_title"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = "We email a link to this address so they can set their own password."
        tell_limits(self)

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user
