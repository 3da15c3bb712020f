"""GOV.UK Frontend components rendered in Python, held to govuk-frontend's own fixtures.

    from govuk import radios
    radios({"name": "consent", "fieldset": {"legend": {"text": "Was consent sought?"}}, "items": [...]})

Options are the Nunjucks macros' options (camelCase keys); see govuk/components.py.
"""

from __future__ import annotations

from .components import (
    COMPONENTS,
    back_link,
    button,
    character_count,
    checkboxes,
    date_input,
    details,
    error_message,
    error_summary,
    fieldset,
    hint,
    input,
    inset_text,
    label,
    notification_banner,
    panel,
    radios,
    select,
    summary_list,
    tag,
    task_list,
    textarea,
    warning_text,
)

__all__ = [
    "COMPONENTS",
    "back_link",
    "button",
    "character_count",
    "checkboxes",
    "date_input",
    "details",
    "error_message",
    "error_summary",
    "fieldset",
    "hint",
    "input",
    "inset_text",
    "label",
    "notification_banner",
    "panel",
    "radios",
    "select",
    "summary_list",
    "tag",
    "task_list",
    "textarea",
    "warning_text",
]
