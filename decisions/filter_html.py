"""The decision list's filter form written out as GOV.UK markup in Python.

Crispy-forms renders its ~25 inputs through some 60 templates: several milliseconds a request, more than the
search's own queries. The markup here is the same as crispy-forms-gds makes for these four kinds of field
(tests/test_search.py compares the two for bound, unbound and invalid forms), except that a select in error
gets GOV.UK's own `govuk-select--error`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _e(value: Any) -> str:
    return str(conditional_escape(value))


def _errors(field: forms.BoundField) -> tuple[list[str], str]:
    """Each error's message span, and their ids for aria-describedby."""
    ids = [f"{field.auto_id}_{n}_error" for n in range(1, len(field.errors) + 1)]
    spans = [
        f'<span id="{i}" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {_e(m)}</span>'
        for i, m in zip(ids, field.errors, strict=True)
    ]
    return spans, " ".join(ids)


def _group(field: forms.BoundField, inner: str) -> str:
    error = " govuk-form-group--error" if field.errors else ""
    return f'<div id="div_{field.auto_id}" class="govuk-form-group{error}">{inner}</div>'


def _hint(field: forms.BoundField) -> tuple[str, str]:
    if not field.help_text:
        return "", ""
    hint_id = f"{field.auto_id}_hint"
    return f'<div id="{hint_id}" class="govuk-hint">{_e(field.help_text)}</div>', hint_id


def _described(*ids: str) -> str:
    joined = " ".join(i for i in ids if i)
    return f' aria-describedby="{joined}"' if joined else ""


def _label(field: forms.BoundField) -> str:
    return f'<label for="{field.auto_id}" class="govuk-label govuk-label--s">{_e(field.label)}</label>'


def text_input(field: forms.BoundField) -> str:
    hint, hint_id = _hint(field)
    spans, error_ids = _errors(field)
    value = field.value()
    value_attr = f' value="{_e(value)}"' if value not in (None, "") else ""
    error_class = " govuk-input--error" if field.errors else ""
    invalid = ' aria-invalid="true"' if field.errors else ""
    field_input = (
        f'<input type="text" name="{field.html_name}"{value_attr}{_described(hint_id, error_ids)} '
        f'class="govuk-input{error_class}"{invalid} id="{field.auto_id}">'
    )
    return _group(field, _label(field) + hint + "".join(spans) + field_input)


def date_input(field: forms.BoundField) -> str:
    hint, hint_id = _hint(field)
    spans, error_ids = _errors(field)
    values = field.value()  # the three boxes as typed, when bound
    if not isinstance(values, list | tuple):
        values = []
    invalid = ' aria-invalid="true"' if field.errors else ""
    # A box the field marked wrong itself (the year, say) is the one in error; otherwise all three are.
    box_errors = [list(getattr(f.widget, "errors", None) or []) for f in field.field.fields]  # type: ignore[attr-defined]
    any_box = any(box_errors)
    items = []
    for n, (label, width) in enumerate((("Day", 2), ("Month", 2), ("Year", 4))):
        value = values[n] if n < len(values) else None
        value_attr = f' value="{_e(value)}"' if value not in (None, "") else ""
        part_id = f"{field.auto_id}_{n}"
        in_error = bool(field.errors) and (not any_box or bool(box_errors[n]))
        error_class = " govuk-input--error" if in_error else ""
        own = [f"{field.auto_id}_{i}_error" for i, m in enumerate(field.errors, 1) if m in box_errors[n]]
        items.append(
            f'<div class="govuk-date-input__item"><div class="govuk-form-group">'
            f'<label class="govuk-label govuk-date-input__label" for="{part_id}">{label}</label>'
            f'<input type="text" name="{field.html_name}_{n}"{value_attr} class="govuk-input '
            f'govuk-date-input__input govuk-input--width-{width}{error_class}"{_described(*own)}{invalid} '
            f'id="{part_id}"></div></div>'
        )
    fieldset = (
        f'<fieldset class="govuk-fieldset"{_described(hint_id, error_ids)}>'
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{_e(field.label)}</legend>'
        f'{hint}{"".join(spans)}<div class="govuk-date-input" id="{field.auto_id}">{"".join(items)}</div></fieldset>'
    )
    return _group(field, fieldset)


def _choices(field: forms.BoundField) -> Iterable[tuple[str, str]]:
    return ((str(value), str(label)) for value, label in field.field.choices)  # type: ignore[attr-defined]


def small_checkboxes(field: forms.BoundField) -> str:
    hint, hint_id = _hint(field)
    spans, error_ids = _errors(field)
    chosen = {str(v) for v in (field.value() or [])}
    items = []
    for n, (value, label) in enumerate(_choices(field), start=1):
        checked = ' checked="checked"' if value in chosen else ""
        box_id = f"{field.auto_id}_{n}"
        items.append(
            f'<div class="govuk-checkboxes__item"><input type="checkbox" name="{field.html_name}" '
            f'class="govuk-checkboxes__input" id="{box_id}" value="{_e(value)}"{checked}>'
            f'<label class="govuk-label govuk-checkboxes__label" for="{box_id}">{_e(label)}</label></div>'
        )
    fieldset = (
        f'<fieldset class="govuk-fieldset"{_described(hint_id, error_ids)}>'
        f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{_e(field.label)}</legend>'
        f'{hint}{"".join(spans)}<div class="govuk-checkboxes govuk-checkboxes--small">{"".join(items)}</div>'
        "</fieldset>"
    )
    return _group(field, fieldset)


def select(field: forms.BoundField) -> str:
    hint, hint_id = _hint(field)
    spans, error_ids = _errors(field)
    value = field.value()
    chosen = "" if value is None else str(value)
    options = "".join(
        f'<option value="{_e(v)}"{" selected" if v == chosen else ""}>{_e(label)}</option>'
        for v, label in _choices(field)
    )
    error_class = " govuk-select--error" if field.errors else ""
    invalid = ' aria-invalid="true"' if field.errors else ""
    field_select = (
        f'<select name="{field.html_name}"{_described(hint_id, error_ids)} class="govuk-select{error_class}"'
        f'{invalid} id="{field.auto_id}">{options}</select>'
    )
    return _group(field, _label(field) + hint + "".join(spans) + field_select)


def fieldset(legend: str, *parts: str) -> str:
    return (
        '<fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend govuk-fieldset__legend--s">'
        f"{_e(legend)}</legend>{''.join(parts)}</fieldset>"
    )


def filter_form_html(form: forms.Form) -> SafeString:
    """The filter form's fields in the order of its crispy layout (decisions.search.DecisionFilterForm)."""
    f = form
    html = "".join(
        (
            text_input(f["reference"]),
            text_input(f["case_reference"]),
            fieldset("Person", text_input(f["name"]), date_input(f["date_of_birth"])),
            fieldset("Date submitted", date_input(f["submitted_from"]), date_input(f["submitted_to"])),
            small_checkboxes(f["outcome"]),
            small_checkboxes(f["consent"]),
            small_checkboxes(f["review"]),
            select(f["team"]),
            select(f["edition"]),
        )
    )
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 - every value above is escaped by _e
