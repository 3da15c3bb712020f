"""GOV.UK Frontend components rendered in Python, held to govuk-frontend's own fixtures.

    from govuk import radios
    radios({"name": "consent", "fieldset": {"legend": {"text": "Was consent sought?"}}, "items": [...]})

Options are the Nunjucks macros' options (camelCase keys) from govuk-frontend 6.6; see govuk/components.py.
Each function returns a SafeString. `text` options are escaped (as Nunjucks escapes: & " ' < > \\), `html`
options are inserted as given, and text already marked safe (Django's SafeData) is not escaped again, as
Nunjucks does not escape a SafeString. tests/test_govuk_fixtures.py compares every shipped fixture.

Where this differs from the macros:
- No `caller` blocks (`{% call govukFieldset() %}...`): pass the content as `html`.
- None means "not given" (JavaScript's undefined); the templates' few `null` vs `undefined` distinctions
  are not kept.
- Where Nunjucks throws (a number as a notification banner's `text`), the value is printed instead.
- A character count's `formGroup.attributes` must be a mapping (the template loops over it in pairs).
- Not ported: accordion, breadcrumbs, cookie-banner, exit-this-page, file-upload, footer, generic-header,
  header, language-navigation, feedback, pagination, password-input, phase-banner, service-navigation,
  skip-link, table, tabs.
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
