"""Told limits: no field's maximum length is left to the browser, which cuts pasted text short without a word.

The server checks the length and its error states the limit; text areas show GOV.UK's character count."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.layout import Field
from django import forms


def tell_limits(form: forms.BaseForm) -> None:
    """Drop the `maxlength` attribute Django gives every field with a maximum."""
    for field in form.fields.values():
        if getattr(field, "max_length", None):
            field.widget.attrs.pop("maxlength", None)
            if isinstance(field.widget, forms.Textarea):
                # crispy-forms-gds appends the count's id to this attribute, and needs it to exist.
                field.widget.attrs.setdefault("aria-describedby", "")


def counted(form: forms.BaseForm, name: str) -> Any:
    """One field in a crispy layout: a text area with a maximum gets GOV.UK's character count."""
    field = form.fields[name]
    limit = getattr(field, "max_length", None)
    if isinstance(field.widget, forms.Textarea) and limit:
        return Field.textarea(name, rows=int(field.widget.attrs.get("rows", 5)), max_characters=limit)
    return name
