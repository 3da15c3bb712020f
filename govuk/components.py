"""GOV.UK Frontend components written as Python functions, ported from govuk-frontend 6.6's Nunjucks templates.

Each public function takes the macro's options (the same camelCase keys, e.g. `errorMessage`, `idPrefix`) and
returns a SafeString. `text` options are escaped and `html` options go in as given, as in Nunjucks. The order
of attributes follows the templates, so the output equals govuk-frontend's own fixtures once whitespace is
normalised (tests/test_govuk_fixtures.py). Whitespace sits where the templates put it next to text; the
templates' indentation is left out.

Each template is mirrored by a private `_name` function returning str, which the others call as the
templates call each other's macros; the public function only wraps the result in a SafeString.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.safestring import SafeString

from ._nunjucks import (
    attribute,
    attributes,
    cat,
    content,
    esc,
    g,
    i18n_attributes,
    in_,
    js_length,
    length,
    loose_eq,
    raw,
    to_str,
    truthy,
)

Options = Mapping[str, Any]

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
    "inset_text",
    "input",
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


def _opt(name: str, value: Any) -> str:
    """`{%- if params.x %} name="{{ params.x }}"{% endif %}`."""
    return f' {name}="{esc(value)}"' if truthy(value) else ""


def _given(name: str, value: Any) -> str:
    """`{%- if params.x !== undefined %} name="{{ params.x }}"{% endif %}`."""
    return "" if value is None else f' {name}="{esc(value)}"'


_DISABLED_BUTTON = ' disabled aria-disabled="true"'


def _classes(classes: Any) -> str:
    """`{%- if params.classes %} {{ params.classes }}{% endif %}`."""
    return " " + esc(classes) if truthy(classes) else ""


# --- label, hint, error message, fieldset: the parts the form components are made of -------------------------


def _label(
    html: Any, text: Any, classes: Any = None, attrs: Any = None, for_: Any = None, is_page_heading: Any = None
) -> str:
    if not (truthy(html) or truthy(text)):
        return ""
    label_html = (
        f'<label class="govuk-label{_classes(classes)}"{attributes(attrs)}'
        f"{_opt('for', for_)}>\n{content(html, text)}\n</label>"
    )
    if truthy(is_page_heading):
        return f'<h1 class="govuk-label-wrapper">\n{label_html}\n</h1>'
    return label_html


def _label_from(p: Any, for_: Any) -> str:
    """A form component's `label` option, as the templates pass it on to govukLabel."""
    return _label(g(p, "html"), g(p, "text"), g(p, "classes"), g(p, "attributes"), for_, g(p, "isPageHeading"))


def _hint(id_: Any, classes: Any, attrs: Any, html: Any, text: Any) -> str:
    return (
        f'<div{_opt("id", id_)} class="govuk-hint{_classes(classes)}"{attributes(attrs)}>'
        f"\n{content(html, text)}\n</div>"
    )


def _error_message(id_: Any, classes: Any, attrs: Any, html: Any, text: Any, hidden_text: Any = None) -> str:
    if hidden_text is None:
        hidden_text = "Error"
    message = content(html, text)
    if truthy(hidden_text):
        message = f'<span class="govuk-visually-hidden">{esc(hidden_text)}:</span> {message}'
    return f'<p{_opt("id", id_)} class="govuk-error-message{_classes(classes)}"{attributes(attrs)}>\n{message}\n</p>'


def _fieldset(described_by: Any, classes: Any, attrs: Any, legend: Any, html: Any = None, role: Any = None) -> str:
    out = [
        f'<fieldset class="govuk-fieldset{_classes(classes)}"',
        f' role="{esc(role)}"' if truthy(role) else "",
        f' aria-describedby="{esc(described_by)}"' if truthy(described_by) else "",
        attributes(attrs),
        ">\n",
    ]
    legend_html, legend_text = g(legend, "html"), g(legend, "text")
    if truthy(legend_html) or truthy(legend_text):
        out.append(f'<legend class="govuk-fieldset__legend{_classes(g(legend, "classes"))}">\n')
        if truthy(g(legend, "isPageHeading")):
            out.append(f'<h1 class="govuk-fieldset__heading">\n{content(legend_html, legend_text)}\n</h1>\n')
        else:
            out.append(content(legend_html, legend_text) + "\n")
        out.append("</legend>\n")
    if truthy(html):
        out.append(raw(html) + "\n")
    out.append("</fieldset>")
    return "".join(out)


def _form_group(p: Options) -> str:
    """The opening `<div class="govuk-form-group ...">` every form component starts with."""
    form_group = p.get("formGroup")
    return (
        f'<div class="govuk-form-group{" govuk-form-group--error" if truthy(p.get("errorMessage")) else ""}'
        f'{_classes(g(form_group, "classes"))}"{attributes(g(form_group, "attributes"))}>\n'
    )


def _hint_and_error(p: Options, id_prefix: str, described_by: str, out: list[str]) -> str:
    """The hint and error message above a field; returns `describedBy` with their ids added."""
    hint_ = p.get("hint")
    if truthy(hint_):
        hint_id = id_prefix + "-hint"
        described_by = described_by + " " + hint_id if described_by else hint_id
        out.append(
            _hint(hint_id, g(hint_, "classes"), g(hint_, "attributes"), g(hint_, "html"), g(hint_, "text")) + "\n"
        )
    error = p.get("errorMessage")
    if truthy(error):
        error_id = id_prefix + "-error"
        described_by = described_by + " " + error_id if described_by else error_id
        out.append(
            _error_message(
                error_id,
                g(error, "classes"),
                g(error, "attributes"),
                g(error, "html"),
                g(error, "text"),
                g(error, "visuallyHiddenText"),
            )
            + "\n"
        )
    return described_by


def _before_after(option: Any) -> str:
    """`formGroup.beforeInput(s)` / `afterInput(s)`: `{html}` or `{text}`, on a line of its own if given."""
    if truthy(option):
        return content(g(option, "html"), g(option, "text")) + "\n"
    return ""


# --- radios and checkboxes ---------------------------------------------------------------------------------


def _wrap_choices(p: Options, fieldset_: Any, described_by: str, inner: str) -> str:
    """Radios and checkboxes: the form group, with the hint, error and items in a fieldset if one is given."""
    if truthy(fieldset_):
        body = _fieldset(
            described_by,
            g(fieldset_, "classes"),
            g(fieldset_, "attributes"),
            g(fieldset_, "legend"),
            inner.strip(),
        )
    else:
        body = inner.strip()
    return _form_group(p) + body + "\n</div>"


def _choice_item_end(kind: str, item: Any, item_id: str, conditional_id: str, is_checked: Any) -> str:
    """The label, hint and conditional reveal after a radio or checkbox `<input>`."""
    item_label = item.get("label")
    out = [
        _label(
            item.get("html"),
            item.get("text"),
            f"govuk-{kind}__label"
            + (" " + to_str(g(item_label, "classes")) if truthy(g(item_label, "classes")) else ""),
            g(item_label, "attributes"),
            item_id,
        ),
        "\n",
    ]
    item_hint = item.get("hint")
    if truthy(g(item_hint, "text")) or truthy(g(item_hint, "html")):
        hint_classes = g(item_hint, "classes")
        out.append(
            _hint(
                item_id + "-item-hint",
                f"govuk-{kind}__hint" + (" " + to_str(hint_classes) if truthy(hint_classes) else ""),
                g(item_hint, "attributes"),
                g(item_hint, "html"),
                g(item_hint, "text"),
            )
            + "\n"
        )
    out.append("</div>\n")
    conditional_html = g(item.get("conditional"), "html")
    if truthy(conditional_html):
        hidden = "" if truthy(is_checked) else f" govuk-{kind}__conditional--hidden"
        out.append(
            f'<div class="govuk-{kind}__conditional{hidden}" id="{esc(conditional_id)}">\n'
            f"{to_str(conditional_html).strip()}\n</div>\n"
        )
    return "".join(out)


def _radios(p: Options) -> str:
    name = p.get("name")
    id_prefix = p.get("idPrefix")
    if not truthy(id_prefix):
        id_prefix = name
    id_prefix = cat(id_prefix)
    fieldset_ = p.get("fieldset")
    described_by = g(fieldset_, "describedBy")
    described_by = to_str(described_by) if truthy(described_by) else ""

    inner: list[str] = []
    described_by = _hint_and_error(p, id_prefix, described_by, inner)
    form_group = p.get("formGroup")
    inner.append(
        f'<div class="govuk-radios{_classes(p.get("classes"))}"{attributes(p.get("attributes"))}'
        f' data-module="govuk-radios">\n'
    )
    inner.append(_before_after(g(form_group, "beforeInputs")))
    value = p.get("value")
    has_value = truthy(value)
    name_html = esc(name)
    for index, item in enumerate(p.get("items") or (), 1):
        if not truthy(item):
            continue
        item_id = item.get("id")
        item_id = to_str(item_id) if truthy(item_id) else id_prefix + (f"-{index}" if index > 1 else "")
        conditional_id = "conditional-" + item_id
        divider = item.get("divider")
        if truthy(divider):
            inner.append(f'<div class="govuk-radios__divider">{esc(divider)}</div>\n')
            continue
        checked = item.get("checked")
        if not truthy(checked):
            checked = has_value and loose_eq(item.get("value"), value) and not loose_eq(checked, False)
        item_hint = item.get("hint")
        has_hint = truthy(g(item_hint, "text")) or truthy(g(item_hint, "html"))
        inner.append(
            f'<div class="govuk-radios__item">\n<input class="govuk-radios__input" id="{esc(item_id)}"'
            f' name="{name_html}" type="radio" value="{esc(item.get("value"))}"'
            f"{' checked' if truthy(checked) else ''}{' disabled' if truthy(item.get('disabled')) else ''}"
            f"{_opt('data-aria-controls', conditional_id if truthy(g(item.get('conditional'), 'html')) else None)}"
            f"{_opt('aria-describedby', item_id + '-item-hint' if has_hint else None)}"
            f"{attributes(item.get('attributes'))}>\n"
        )
        inner.append(_choice_item_end("radios", item, item_id, conditional_id, checked))
    inner.append(_before_after(g(form_group, "afterInputs")))
    inner.append("</div>")
    return _wrap_choices(p, fieldset_, described_by, "".join(inner))


def _checkboxes(p: Options) -> str:
    name = p.get("name")
    id_prefix = p.get("idPrefix")
    if not truthy(id_prefix):
        id_prefix = name
    id_prefix = cat(id_prefix)
    fieldset_ = p.get("fieldset")
    has_fieldset = truthy(fieldset_)
    described_by = p.get("describedBy")
    described_by = to_str(described_by) if truthy(described_by) else ""
    if truthy(g(fieldset_, "describedBy")):
        described_by = to_str(g(fieldset_, "describedBy"))

    inner: list[str] = []
    described_by = _hint_and_error(p, id_prefix, described_by, inner)
    form_group = p.get("formGroup")
    inner.append(
        f'<div class="govuk-checkboxes{_classes(p.get("classes"))}"{attributes(p.get("attributes"))}'
        f' data-module="govuk-checkboxes">\n'
    )
    inner.append(_before_after(g(form_group, "beforeInputs")))
    values = p.get("values")
    has_values = truthy(values)
    # Without a fieldset, each checkbox is described by the hint and error itself.
    group_described_by = "" if has_fieldset else described_by
    for index, item in enumerate(p.get("items") or (), 1):
        if not truthy(item):
            continue
        item_id = item.get("id")
        item_id = to_str(item_id) if truthy(item_id) else id_prefix + (f"-{index}" if index > 1 else "")
        item_name = item.get("name")
        if not truthy(item_name):
            item_name = name
        conditional_id = "conditional-" + item_id
        divider = item.get("divider")
        if truthy(divider):
            inner.append(f'<div class="govuk-checkboxes__divider">{esc(divider)}</div>\n')
            continue
        checked = item.get("checked")
        if not truthy(checked):
            checked = has_values and in_(item.get("value"), values) and not loose_eq(checked, False)
        item_hint = item.get("hint")
        has_hint = truthy(g(item_hint, "text")) or truthy(g(item_hint, "html"))
        item_described_by = (group_described_by + " " + (item_id + "-item-hint" if has_hint else "")).strip()
        behaviour = item.get("behaviour")
        inner.append(
            f'<div class="govuk-checkboxes__item">\n<input class="govuk-checkboxes__input" id="{esc(item_id)}"'
            f' name="{esc(item_name)}" type="checkbox" value="{esc(item.get("value"))}"'
            f"{' checked' if truthy(checked) else ''}{' disabled' if truthy(item.get('disabled')) else ''}"
            f"{_opt('data-aria-controls', conditional_id if truthy(g(item.get('conditional'), 'html')) else None)}"
            f"{_opt('data-behaviour', behaviour)}{_opt('aria-describedby', item_described_by)}"
            f"{attributes(item.get('attributes'))}>\n"
        )
        inner.append(_choice_item_end("checkboxes", item, item_id, conditional_id, checked))
    inner.append(_before_after(g(form_group, "afterInputs")))
    inner.append("</div>")
    return _wrap_choices(p, fieldset_, described_by, "".join(inner))


# --- text input, textarea, character count, select, date input ----------------------------------------------


def _input_element(p: Options, id_: Any, class_names: str, described_by: Any) -> str:
    spellcheck = p.get("spellcheck")
    input_type = p.get("type")
    return (
        f'<input class="{esc(class_names)}" id="{esc(id_)}" name="{esc(p.get("name"))}"'
        f' type="{esc(input_type) if truthy(input_type) else "text"}"'
        f"{attribute('spellcheck', to_str(spellcheck) if spellcheck is True or spellcheck is False else None)}"
        f"{attribute('value', p.get('value'))}"
        f"{attribute('disabled', p.get('disabled'))}"
        f"{attribute('aria-describedby', described_by)}"
        f"{attribute('autocomplete', p.get('autocomplete'))}"
        f"{attribute('autocapitalize', p.get('autocapitalize'))}"
        f"{attribute('pattern', p.get('pattern'))}"
        f"{attribute('inputmode', p.get('inputmode'))}"
        f"{attributes(p.get('attributes'))}>"
    )


def _affix(affix: Any, kind: str) -> str:
    return (
        f'<div class="govuk-input__{kind}{_classes(g(affix, "classes"))}" aria-hidden="true"'
        f"{attributes(g(affix, 'attributes'))}>{content(g(affix, 'html'), g(affix, 'text'))}</div>\n"
    )


def _has_text_or_html(option: Any) -> bool:
    return truthy(option) and (truthy(g(option, "text")) or truthy(g(option, "html")))


def _input(p: Options) -> str:
    class_names = "govuk-input" + _plain_classes(p.get("classes"))
    if truthy(p.get("errorMessage")):
        class_names += " govuk-input--error"
    described_by = p.get("describedBy")
    if not truthy(described_by):
        described_by = None
    id_ = p.get("id")
    if not truthy(id_):
        id_ = p.get("name")
    form_group = p.get("formGroup")
    prefix, suffix = p.get("prefix"), p.get("suffix")
    before, after = g(form_group, "beforeInput"), g(form_group, "afterInput")
    has_prefix, has_suffix = _has_text_or_html(prefix), _has_text_or_html(suffix)
    has_before, has_after = _has_text_or_html(before), _has_text_or_html(after)

    out = [_form_group(p), _label_from(p.get("label"), id_), "\n"]
    described_by = _hint_and_error(p, cat(id_), to_str(described_by) if described_by else "", out) or None
    if has_prefix or has_suffix or has_before or has_after:
        wrapper = p.get("inputWrapper")
        wrapper_classes, wrapper_attributes = _classes(g(wrapper, "classes")), attributes(g(wrapper, "attributes"))
        out.append(f'<div class="govuk-input__wrapper{wrapper_classes}"{wrapper_attributes}>\n')
        if has_before:
            out.append(content(g(before, "html"), g(before, "text")) + "\n")
        if has_prefix:
            out.append(_affix(prefix, "prefix"))
        out.append(_input_element(p, id_, class_names, described_by) + "\n")
        if has_suffix:
            out.append(_affix(suffix, "suffix"))
        if has_after:
            out.append(content(g(after, "html"), g(after, "text")) + "\n")
        out.append("</div>\n")
    else:
        out.append(_input_element(p, id_, class_names, described_by) + "\n")
    out.append("</div>")
    return "".join(out)


def _plain_classes(classes: Any) -> str:
    """`" " + params.classes` for a class list built up before it is escaped as a whole."""
    return " " + to_str(classes) if truthy(classes) else ""


def _textarea(p: Options) -> str:
    described_by = p.get("describedBy")
    described_by = to_str(described_by) if truthy(described_by) else ""
    id_ = p.get("id")
    if not truthy(id_):
        id_ = p.get("name")
    form_group = p.get("formGroup")
    out = [_form_group(p), _label_from(p.get("label"), id_), "\n"]
    described_by = _hint_and_error(p, cat(id_), described_by, out)
    out.append(_before_after(g(form_group, "beforeInput")))
    rows = p.get("rows")
    spellcheck = p.get("spellcheck")
    autocomplete = p.get("autocomplete")
    out.append(
        f'<textarea class="govuk-textarea{" govuk-textarea--error" if truthy(p.get("errorMessage")) else ""}'
        f'{_classes(p.get("classes"))}" id="{esc(id_)}" name="{esc(p.get("name"))}"'
        f' rows="{esc(rows) if truthy(rows) else "5"}"'
        f"{_given('spellcheck', spellcheck if spellcheck is True or spellcheck is False else None)}"
        f"{' disabled' if truthy(p.get('disabled')) else ''}"
        f"{_opt('aria-describedby', described_by)}{_opt('autocomplete', autocomplete)}"
        f"{attributes(p.get('attributes'))}>{esc(p.get('value'))}</textarea>\n"
    )
    out.append(_before_after(g(form_group, "afterInput")))
    out.append("</div>")
    return "".join(out)


def _character_count(p: Options) -> str:
    maxwords, maxlength = p.get("maxwords"), p.get("maxlength")
    count_type = p.get("countType")
    if not truthy(count_type):
        count_type = "words" if truthy(maxwords) else None
    has_no_limit = not truthy(maxwords) and not truthy(maxlength)
    description = p.get("textareaDescriptionText")
    if not truthy(description):
        description = "You can enter up to %{count} " + ("words" if loose_eq(count_type, "words") else "characters")
    description_with_limit = (
        None
        if has_no_limit
        else to_str(description).replace("%{count}", to_str(maxwords if truthy(maxwords) else maxlength))
    )
    id_ = p.get("id")
    if not truthy(id_):
        id_ = p.get("name")
    info_id = cat(id_) + "-info"
    form_group = p.get("formGroup") or {}
    count_message_classes = g(p.get("countMessage"), "classes")

    count_message_html = (
        _hint(
            info_id,
            "govuk-character-count__message" + _plain_classes(count_message_classes),
            None,
            None,
            description_with_limit,
        )
        + "\n"
    )
    after = g(form_group, "afterInput")
    if truthy(after):
        count_message_html += (
            content(g(after, "html"), g(after, "text")) if truthy(g(after, "html")) else esc(g(after, "text"))
        )

    attrs = [
        ' data-module="govuk-character-count"',
        attribute("data-maxlength", maxlength),
        attribute("data-maxwords", maxwords),
        attribute("data-threshold", p.get("threshold")),
        attribute("data-count-type", count_type if truthy(count_type) else False),
    ]
    if has_no_limit and truthy(p.get("textareaDescriptionText")):
        attrs.append(i18n_attributes("textarea-description", messages={"other": p.get("textareaDescriptionText")}))
    attrs.append(i18n_attributes("characters-under-limit", messages=p.get("charactersUnderLimitText")))
    attrs.append(i18n_attributes("characters-at-limit", message=p.get("charactersAtLimitText")))
    attrs.append(i18n_attributes("characters-over-limit", messages=p.get("charactersOverLimitText")))
    attrs.append(i18n_attributes("words-under-limit", messages=p.get("wordsUnderLimitText")))
    attrs.append(i18n_attributes("words-at-limit", message=p.get("wordsAtLimitText")))
    attrs.append(i18n_attributes("words-over-limit", messages=p.get("wordsOverLimitText")))
    # The template appends the form group's own attributes as plain name="value" pairs.
    group_attributes = g(form_group, "attributes")
    if isinstance(group_attributes, dict):
        attrs.extend(f' {esc(name)}="{esc(value)}"' for name, value in group_attributes.items())

    label_ = p.get("label")
    return _textarea(
        {
            "id": id_,
            "name": p.get("name"),
            "describedBy": info_id,
            "rows": p.get("rows"),
            "spellcheck": p.get("spellcheck"),
            "value": p.get("value"),
            "formGroup": {
                "classes": "govuk-character-count" + _plain_classes(g(form_group, "classes")),
                "attributes": "".join(attrs),
                "beforeInput": g(form_group, "beforeInput"),
                "afterInput": {"html": count_message_html},
            },
            "classes": "govuk-js-character-count" + _plain_classes(p.get("classes")),
            "label": {
                "html": g(label_, "html"),
                "text": g(label_, "text"),
                "classes": g(label_, "classes"),
                "isPageHeading": g(label_, "isPageHeading"),
                "attributes": g(label_, "attributes"),
            },
            "hint": p.get("hint"),
            "errorMessage": p.get("errorMessage"),
            "attributes": p.get("attributes"),
        }
    )


def _select(p: Options) -> str:
    described_by = p.get("describedBy")
    described_by = to_str(described_by) if truthy(described_by) else ""
    id_ = p.get("id")
    if not truthy(id_):
        id_ = p.get("name")
    form_group = p.get("formGroup")
    has_error = truthy(p.get("errorMessage"))
    out = [_form_group(p), _label_from(p.get("label"), id_), "\n"]
    described_by = _hint_and_error(p, cat(id_), described_by, out)
    out.append(_before_after(g(form_group, "beforeInput")))
    out.append(
        f'<select class="govuk-select{_classes(p.get("classes"))}{" govuk-select--error" if has_error else ""}"'
        f' id="{esc(id_)}" name="{esc(p.get("name"))}"{" disabled" if truthy(p.get("disabled")) else ""}'
        f"{_opt('aria-describedby', described_by)}{attributes(p.get('attributes'))}>\n"
    )
    value = p.get("value")
    has_value = truthy(value)
    for item in p.get("items") or ():
        if not truthy(item):
            continue
        item_value = item.get("value")
        selected = item.get("selected")
        if not truthy(selected):
            # An option without a value is selected by its text, as a browser would submit it.
            effective = item.get("text") if item_value is None else item_value
            selected = has_value and loose_eq(effective, value) and not loose_eq(selected, False)
        out.append(
            f"<option{_given('value', item_value)}"
            f"{' selected' if truthy(selected) else ''}{' disabled' if truthy(item.get('disabled')) else ''}"
            f"{attributes(item.get('attributes'))}>{esc(item.get('text'))}</option>\n"
        )
    out.append("</select>\n")
    out.append(_before_after(g(form_group, "afterInput")))
    out.append("</div>")
    return "".join(out)


def _date_input(p: Options) -> str:
    values = p.get("values")
    day = p.get("day")
    if day is None:
        day = {"name": "day", "value": g(values, "day"), "classes": "govuk-input--width-2"}
    month = p.get("month")
    if month is None:
        month = {"name": "month", "value": g(values, "month"), "classes": "govuk-input--width-2"}
    year = p.get("year")
    if year is None:
        year = {"name": "year", "value": g(values, "year"), "classes": "govuk-input--width-4"}
    items: Any = p.get("items")
    if not length(items):
        items = [day, month, year]

    def has_error(item: Any) -> bool:
        classes = g(item, "classes")
        return truthy(g(item, "error")) or (truthy(classes) and in_("govuk-input--error", classes))

    any_item_has_error = any(has_error(item) for item in items)
    params_id = p.get("id")
    name_prefix = p.get("namePrefix")
    name_prefix = to_str(name_prefix) + "-" if truthy(name_prefix) else ""
    group_error = truthy(p.get("errorMessage"))

    fieldset_ = p.get("fieldset")
    described_by = g(fieldset_, "describedBy")
    described_by = to_str(described_by) if truthy(described_by) else ""
    inner: list[str] = []
    described_by = _hint_and_error(p, cat(params_id), described_by, inner)
    form_group = p.get("formGroup")
    inner.append(
        f'<div class="govuk-date-input{_classes(p.get("classes"))}"{attributes(p.get("attributes"))}'
        f"{_opt('id', params_id)}>\n"
    )
    inner.append(_before_after(g(form_group, "beforeInputs")))
    for item in items:
        if not truthy(item):
            continue
        item_name = g(item, "name")
        item_value = g(item, "value")
        item_width = 2
        matched = None
        for part, part_name in ((day, "day"), (month, "month"), (year, "year")):
            if item is part or (truthy(item_name) and in_(item_name, [part_name, g(part, "name")])):
                matched = part, part_name
                break
        if matched is not None:
            part, part_name = matched
            item_name = part_name if item_name is None else item_name
            item_value = g(part, "value") if item_value is None else item_value
            if part_name == "year":
                item_width = 4
        item_classes_option = g(item, "classes")
        item_classes = ""
        if (not truthy(item_classes_option) or not in_("govuk-input--error", item_classes_option)) and (
            has_error(item) or (not loose_eq(g(item, "error"), False) and group_error and not any_item_has_error)
        ):
            item_classes = "govuk-input--error"
        if not truthy(item_classes_option) or not in_("govuk-input--width-", item_classes_option):
            item_classes = (item_classes + f" govuk-input--width-{item_width}").strip()
        if truthy(item_classes_option):
            item_classes = (item_classes + " " + to_str(item_classes_option)).strip()
        item_label = g(item, "label")
        item_id = g(item, "id")
        inputmode = g(item, "inputmode")
        full_name = name_prefix + cat(item_name)
        if item_value is None:
            item_value = g(values, full_name)
        inner.append(
            '<div class="govuk-date-input__item">\n'
            + _input(
                {
                    "label": {
                        "text": item_label if truthy(item_label) else to_str(item_name).capitalize(),
                        "classes": "govuk-date-input__label",
                    },
                    "id": item_id if truthy(item_id) else cat(params_id) + "-" + cat(item_name),
                    "classes": "govuk-date-input__input" + (" " + item_classes if item_classes else ""),
                    "name": full_name,
                    "value": item_value,
                    "type": "text",
                    "inputmode": inputmode if truthy(inputmode) else "numeric",
                    "autocomplete": g(item, "autocomplete"),
                    "pattern": g(item, "pattern"),
                    "attributes": g(item, "attributes"),
                }
            )
            + "\n</div>\n"
        )
    inner.append(_before_after(g(form_group, "afterInputs")))
    inner.append("</div>")
    body = "".join(inner).strip()
    if truthy(fieldset_):
        body = _fieldset(
            described_by,
            g(fieldset_, "classes"),
            g(fieldset_, "attributes"),
            g(fieldset_, "legend"),
            body,
            role="group",
        )
    return _form_group(p) + body + "\n</div>"


# --- error summary and task list ---------------------------------------------------------------------------


def _error_summary(p: Options) -> str:
    out = [
        f'<div class="govuk-error-summary{_classes(p.get("classes"))}"',
        _given("data-disable-auto-focus", p.get("disableAutoFocus")),
        f'{attributes(p.get("attributes"))} data-module="govuk-error-summary">\n<div role="alert">\n',
        f'<h2 class="govuk-error-summary__title">\n{content(p.get("titleHtml"), p.get("titleText"))}\n</h2>\n',
        '<div class="govuk-error-summary__body">\n',
    ]
    description_html, description_text = p.get("descriptionHtml"), p.get("descriptionText")
    if truthy(description_html) or truthy(description_text):
        out.append(f"<p>\n{content(description_html, description_text)}\n</p>\n")
    error_list: Any = p.get("errorList")
    if length(error_list):
        out.append('<ul class="govuk-list govuk-error-summary__list">\n')
        for item in error_list:
            href = g(item, "href")
            text = content(g(item, "html"), g(item, "text"))
            if truthy(href):
                out.append(f'<li>\n<a href="{esc(href)}"{attributes(g(item, "attributes"))}>{text}</a>\n</li>\n')
            else:
                out.append(f"<li>\n{text}\n</li>\n")
        out.append("</ul>\n")
    out.append("</div>\n</div>\n</div>")
    return "".join(out)


def _task_list(p: Options) -> str:
    id_prefix = p.get("idPrefix")
    id_prefix = to_str(id_prefix) if truthy(id_prefix) else "task-list"
    out = [f'<ul class="govuk-task-list{_classes(p.get("classes"))}"{attributes(p.get("attributes"))}>\n']
    for index, item in enumerate(p.get("items") or (), 1):
        if not truthy(item):
            continue
        hint_id = f"{id_prefix}-{index}-hint"
        status_id = f"{id_prefix}-{index}-status"
        href, title, item_hint, status = item.get("href"), item.get("title"), item.get("hint"), item.get("status")
        title_html = content(g(title, "html"), g(title, "text"))
        title_classes = g(title, "classes")
        out.append(
            f'<li class="govuk-task-list__item{" govuk-task-list__item--with-link" if truthy(href) else ""}'
            f'{_classes(item.get("classes"))}">\n<div class="govuk-task-list__name-and-hint">\n'
        )
        if truthy(href):
            out.append(
                f'<a class="govuk-link govuk-task-list__link{_classes(title_classes)}" href="{esc(href)}"'
                f' aria-describedby="{esc(hint_id + " ") if truthy(item_hint) else ""}{esc(status_id)}">\n'
                f"{title_html}\n</a>\n"
            )
        else:
            class_attr = f' class="{esc(title_classes)}"' if truthy(title_classes) else ""
            out.append(f"<div{class_attr}>\n{title_html}\n</div>\n")
        if truthy(item_hint):
            out.append(
                f'<div id="{esc(hint_id)}" class="govuk-task-list__hint">\n'
                f"{content(g(item_hint, 'html'), g(item_hint, 'text'))}\n</div>\n"
            )
        tag_ = g(status, "tag")
        status_html = _tag(tag_) if truthy(tag_) else content(g(status, "html"), g(status, "text"))
        out.append(
            f'</div>\n<div class="govuk-task-list__status{_classes(g(status, "classes"))}" id="{esc(status_id)}">\n'
            f"{status_html}\n</div>\n</li>\n"
        )
    out.append("</ul>")
    return "".join(out)


# --- the rest: button, summary list, banners and small pieces ------------------------------------------------

_START_ICON = (
    '\n<svg class="govuk-button__start-icon" xmlns="http://www.w3.org/2000/svg" width="17.5" height="19"'
    ' viewBox="0 0 33 40" aria-hidden="true" focusable="false">\n'
    '<path fill="currentColor" d="M0 0h13l20 20-20 20H0l20-20z"/>\n</svg>'
)


def _button(p: Options) -> str:
    is_start = truthy(p.get("isStartButton"))
    class_names = "govuk-button" + _plain_classes(p.get("classes")) + (" govuk-button--start" if is_start else "")
    id_ = p.get("id")
    common = f' class="{esc(class_names)}" data-module="govuk-button"{attributes(p.get("attributes"))}{_opt("id", id_)}'
    html = p.get("html")
    if truthy(html):
        button_text = f"<span>{to_str(html).strip()}</span>" if is_start else to_str(html).strip()
    else:
        button_text = esc(p.get("text"))
    icon = _START_ICON if is_start else ""
    href = p.get("href")
    if truthy(href):
        return f'<a href="{esc(href)}" role="button" draggable="false"{common}>\n{button_text}{icon}\n</a>'
    button_type, value, name = p.get("type"), p.get("value"), p.get("name")
    prevent = p.get("preventDoubleClick")
    return (
        f'<button type="{esc(button_type) if truthy(button_type) else "submit"}"'
        f"{_opt('value', value)}{_opt('name', name)}{_DISABLED_BUTTON if truthy(p.get('disabled')) else ''}"
        f"{_given('data-prevent-double-click', prevent)}"
        f"{common}>\n{button_text}{icon}\n</button>"
    )


def _action_link(action: Any, card_title: Any) -> str:
    html, hidden_text = g(action, "html"), g(action, "visuallyHiddenText")
    out = [
        f'<a class="govuk-link{_classes(g(action, "classes"))}" href="{esc(g(action, "href"))}"',
        f"{attributes(g(action, 'attributes'))}>{raw(html) if truthy(html) else esc(g(action, 'text'))}",
    ]
    if truthy(hidden_text) or truthy(card_title):
        out.append('<span class="govuk-visually-hidden">')
        if truthy(hidden_text):
            out.append(" " + esc(hidden_text))
        if truthy(card_title):
            title_html = g(card_title, "html")
            out.append(f" ({raw(title_html) if truthy(title_html) else esc(g(card_title, 'text'))})")
        out.append("</span>")
    out.append("</a>")
    return "".join(out)


def _actions(items: list[Any], title: Any, single: str, many: str, item_class: str) -> str:
    """One action as it is, or several as a list (summary list rows and summary cards)."""
    if len(items) == 1:
        return single + _action_link(items[0], title) + "\n"
    links = "".join(f'<li class="{item_class}">\n{_action_link(action, title)}\n</li>\n' for action in items)
    return many + links + "</ul>\n"


def _summary_list(p: Options) -> str:
    rows = p.get("rows") or ()
    card: Any = p.get("card")
    card_title = g(card, "title")
    any_row_has_actions = any(length(g(g(row, "actions"), "items")) for row in rows)
    out = [f'<dl class="govuk-summary-list{_classes(p.get("classes"))}"{attributes(p.get("attributes"))}>\n']
    for row in rows:
        if not truthy(row):
            continue
        actions = row.get("actions")
        items = g(actions, "items")
        key, value = row.get("key"), row.get("value")
        no_actions = " govuk-summary-list__row--no-actions" if any_row_has_actions and not truthy(items) else ""
        out.append(
            f'<div class="govuk-summary-list__row{no_actions}{_classes(row.get("classes"))}">\n'
            f'<dt class="govuk-summary-list__key{_classes(g(key, "classes"))}">\n'
            f"{content(g(key, 'html'), g(key, 'text'))}\n</dt>\n"
            f'<dd class="govuk-summary-list__value{_classes(g(value, "classes"))}">\n'
            f"{content(g(value, 'html'), g(value, 'text'))}\n</dd>\n"
        )
        if js_length(items):
            out.append(f'<dd class="govuk-summary-list__actions{_classes(g(actions, "classes"))}">\n')
            out.append(
                _actions(
                    items,
                    card_title,
                    "",
                    '<ul class="govuk-summary-list__actions-list">\n',
                    "govuk-summary-list__actions-list-item",
                )
            )
            out.append("</dd>\n")
        out.append("</div>\n")
    out.append("</dl>")
    summary = "".join(out)
    if not truthy(card):
        return summary
    heading_level = g(card_title, "headingLevel")
    heading_level = esc(heading_level) if truthy(heading_level) else "2"
    out = [
        f'<div class="govuk-summary-card{_classes(card.get("classes"))}"{attributes(card.get("attributes"))}>\n'
        '<div class="govuk-summary-card__title-wrapper">\n'
    ]
    if truthy(card_title):
        out.append(
            f'<h{heading_level} class="govuk-summary-card__title{_classes(g(card_title, "classes"))}">\n'
            f"{content(g(card_title, 'html'), g(card_title, 'text'))}\n</h{heading_level}>\n"
        )
    card_actions = card.get("actions")
    card_items = g(card_actions, "items")
    if js_length(card_items):
        actions_classes = _classes(g(card_actions, "classes"))
        out.append(
            _actions(
                card_items,
                card_title,
                f'<div class="govuk-summary-card__actions{actions_classes}">\n',
                f'<ul class="govuk-summary-card__actions{actions_classes}">\n',
                "govuk-summary-card__action",
            )
        )
        if len(card_items) == 1:
            out.append("</div>\n")
    out.append(f'</div>\n<div class="govuk-summary-card__content">\n{summary}\n</div>\n</div>')
    return "".join(out)


def _notification_banner(p: Options) -> str:
    banner_type = p.get("type")
    success = loose_eq(banner_type, "success")
    role = p.get("role")
    if not truthy(role):
        role = "alert" if success else "region"
    title_html, title_text = p.get("titleHtml"), p.get("titleText")
    if truthy(title_html):
        title = raw(title_html)
    elif truthy(title_text):
        title = esc(title_text)
    else:
        title = "Success" if success else "Important"
    title_id = p.get("titleId")
    title_id = esc(title_id) if truthy(title_id) else "govuk-notification-banner-title"
    level = p.get("titleHeadingLevel")
    level = esc(level) if truthy(level) else "2"
    auto_focus = p.get("disableAutoFocus")
    html, text = p.get("html"), p.get("text")
    if truthy(html):
        body = to_str(html).strip() + "\n"
    elif truthy(text):
        body = f'<p class="govuk-notification-banner__heading">\n{esc(to_str(text).strip())}\n</p>\n'
    else:
        body = ""
    return (
        f'<div class="govuk-notification-banner{" govuk-notification-banner--" + esc(banner_type) if success else ""}'
        f'{_classes(p.get("classes"))}" role="{esc(role)}" aria-labelledby="{title_id}"'
        f' data-module="govuk-notification-banner"'
        f"{_given('data-disable-auto-focus', auto_focus)}"
        f"{attributes(p.get('attributes'))}>\n"
        f'<div class="govuk-notification-banner__header">\n'
        f'<h{level} class="govuk-notification-banner__title" id="{title_id}">\n{title}\n</h{level}>\n</div>\n'
        f'<div class="govuk-notification-banner__content">\n{body}</div>\n</div>'
    )


def _warning_text(p: Options) -> str:
    fallback = p.get("iconFallbackText")
    html = p.get("html")
    return (
        f'<div class="govuk-warning-text{_classes(p.get("classes"))}"{attributes(p.get("attributes"))}>\n'
        '<span class="govuk-warning-text__icon" aria-hidden="true">!</span>\n'
        '<strong class="govuk-warning-text__text">\n'
        f'<span class="govuk-visually-hidden">{esc(fallback) if truthy(fallback) else "Warning"}</span>\n'
        f"{raw(html) if truthy(html) else esc(p.get('text'))}\n</strong>\n</div>"
    )


def _inset_text(p: Options) -> str:
    id_ = p.get("id")
    return (
        f'<div{_opt("id", id_)} class="govuk-inset-text{_classes(p.get("classes"))}"'
        f"{attributes(p.get('attributes'))}>\n{content(p.get('html'), p.get('text'))}\n</div>"
    )


def _details(p: Options) -> str:
    id_ = p.get("id")
    html = p.get("html")
    return (
        f'<details{_opt("id", id_)} class="govuk-details{_classes(p.get("classes"))}"'
        f"{attributes(p.get('attributes'))}{' open' if truthy(p.get('open')) else ''}>\n"
        '<summary class="govuk-details__summary">\n<span class="govuk-details__summary-text">\n'
        f"{content(p.get('summaryHtml'), p.get('summaryText'))}\n</span>\n</summary>\n"
        f'<div class="govuk-details__text">\n{raw(html) if truthy(html) else esc(p.get("text"))}\n</div>\n</details>'
    )


def _tag(p: Any) -> str:
    return (
        f'<strong class="govuk-tag{_classes(g(p, "classes"))}"{attributes(g(p, "attributes"))}>\n'
        f"{content(g(p, 'html'), g(p, 'text'))}\n</strong>"
    )


def _back_link(p: Options) -> str:
    href, html, text = p.get("href"), p.get("html"), p.get("text")
    link_text = raw(html) if truthy(html) else (esc(text) if truthy(text) else "Back")
    return (
        f'<a href="{esc(href) if truthy(href) else "#"}" class="govuk-back-link{_classes(p.get("classes"))}"'
        f"{attributes(p.get('attributes'))}>{link_text}</a>"
    )


def _panel_action(action: Any) -> str:
    href, action_type, classes = g(action, "href"), g(action, "type"), g(action, "classes")
    if not truthy(href) or loose_eq(action_type, "button"):
        return _button(
            {
                "text": g(action, "text"),
                "type": action_type if truthy(action_type) else "button",
                "classes": "govuk-button--inverse" + _plain_classes(classes),
                "href": href,
                "attributes": g(action, "attributes"),
            }
        )
    return (
        f'<a class="govuk-link govuk-link--inverse{_classes(classes)}" href="{esc(href)}"'
        f"{attributes(g(action, 'attributes'))}>{esc(g(action, 'text'))}</a>"
    )


def _panel(p: Options) -> str:
    level = p.get("headingLevel")
    level = esc(level) if truthy(level) else "1"
    classes = p.get("classes")
    is_interruption = truthy(classes) and in_("govuk-panel--interruption", classes)
    title_html, html, text = p.get("titleHtml"), p.get("html"), p.get("text")
    out = [
        f'<div class="govuk-panel{"" if is_interruption else " govuk-panel--confirmation"}{_classes(classes)}"'
        f"{attributes(p.get('attributes'))}>\n"
        f'<h{level} class="govuk-panel__title">\n'
        f"{raw(title_html) if truthy(title_html) else esc(p.get('titleText'))}\n</h{level}>\n"
    ]
    if truthy(html) or truthy(text):
        out.append(f'<div class="govuk-panel__body">\n{content(html, text)}\n</div>\n')
    actions = p.get("actions")
    if is_interruption and truthy(actions):
        out.append(
            f'<div class="govuk-panel__actions{_classes(g(actions, "classes"))}"{attributes(g(actions, "attributes"))}>'
        )
        items = g(actions, "items")
        if js_length(items):
            out.append('<div class="govuk-button-group">\n')
            out.extend(_panel_action(action).strip() + "\n" for action in items)
            out.append("</div>")
        out.append("</div>\n")
    out.append("</div>")
    return "".join(out)


# --- the public functions ----------------------------------------------------------------------------------


def _safe(html: str) -> SafeString:
    # Every `text` option and attribute value was escaped above; `html` options are the caller's markup,
    # inserted as given by design, as govuk-frontend's macros insert them.
    return SafeString(html)  # nosec B703


def label(params: Options) -> SafeString:
    """govukLabel: `text`/`html`, `for`, `isPageHeading`, `classes`, `attributes`."""
    return _safe(
        _label(
            params.get("html"),
            params.get("text"),
            params.get("classes"),
            params.get("attributes"),
            params.get("for"),
            params.get("isPageHeading"),
        )
    )


def hint(params: Options) -> SafeString:
    """govukHint: `text`/`html`, `id`, `classes`, `attributes`."""
    return _safe(
        _hint(params.get("id"), params.get("classes"), params.get("attributes"), params.get("html"), params.get("text"))
    )


def error_message(params: Options) -> SafeString:
    """govukErrorMessage: `text`/`html`, `id`, `visuallyHiddenText` (default "Error"; "" or False for none)."""
    return _safe(
        _error_message(
            params.get("id"),
            params.get("classes"),
            params.get("attributes"),
            params.get("html"),
            params.get("text"),
            params.get("visuallyHiddenText"),
        )
    )


def fieldset(params: Options) -> SafeString:
    """govukFieldset: `legend` (`text`/`html`, `isPageHeading`, `classes`), `describedBy`, `role`, `html`."""
    return _safe(
        _fieldset(
            params.get("describedBy"),
            params.get("classes"),
            params.get("attributes"),
            params.get("legend"),
            params.get("html"),
            params.get("role"),
        )
    )


def radios(params: Options) -> SafeString:
    """govukRadios, with conditional reveal (`items[].conditional.html`, inserted as given)."""
    return _safe(_radios(params))


def checkboxes(params: Options) -> SafeString:
    """govukCheckboxes, with conditional reveal and `values` (the checked values)."""
    return _safe(_checkboxes(params))


def input(params: Options) -> SafeString:  # named after govukInput; shadows the builtin in this module only
    """govukInput, with `prefix`/`suffix`, `inputWrapper` and `formGroup.beforeInput`/`afterInput`."""
    return _safe(_input(params))


def textarea(params: Options) -> SafeString:
    """govukTextarea."""
    return _safe(_textarea(params))


def character_count(params: Options) -> SafeString:
    """govukCharacterCount: a textarea with `maxlength` or `maxwords` and the count message under it."""
    return _safe(_character_count(params))


def select(params: Options) -> SafeString:
    """govukSelect: `items` of `{value, text, selected, disabled, attributes}`, `value` selects by value."""
    return _safe(_select(params))


def date_input(params: Options) -> SafeString:
    """govukDateInput: day, month and year inputs (or `items`), `values`, `namePrefix`, `fieldset`."""
    return _safe(_date_input(params))


def error_summary(params: Options) -> SafeString:
    """govukErrorSummary: `titleText`, `errorList` of `{href, text/html, attributes}`."""
    return _safe(_error_summary(params))


def task_list(params: Options) -> SafeString:
    """govukTaskList: `items` of `{title, hint, status: {text/html/tag}, href}`."""
    return _safe(_task_list(params))


def tag(params: Options) -> SafeString:
    """govukTag."""
    return _safe(_tag(params))


def button(params: Options) -> SafeString:
    """govukButton: a `<button>`, or a link styled as one when `href` is given."""
    return _safe(_button(params))


def summary_list(params: Options) -> SafeString:
    """govukSummaryList, optionally inside a summary `card`."""
    return _safe(_summary_list(params))


def notification_banner(params: Options) -> SafeString:
    """govukNotificationBanner."""
    return _safe(_notification_banner(params))


def warning_text(params: Options) -> SafeString:
    """govukWarningText."""
    return _safe(_warning_text(params))


def inset_text(params: Options) -> SafeString:
    """govukInsetText."""
    return _safe(_inset_text(params))


def details(params: Options) -> SafeString:
    """govukDetails."""
    return _safe(_details(params))


def back_link(params: Options) -> SafeString:
    """govukBackLink."""
    return _safe(_back_link(params))


def panel(params: Options) -> SafeString:
    """govukPanel (confirmation, or interruption with `actions`)."""
    return _safe(_panel(params))


# govuk-frontend's component folder names, for looking a renderer up by the fixtures' names.
COMPONENTS: dict[str, Callable[[Options], SafeString]] = {
    "back-link": back_link,
    "button": button,
    "character-count": character_count,
    "checkboxes": checkboxes,
    "date-input": date_input,
    "details": details,
    "error-message": error_message,
    "error-summary": error_summary,
    "fieldset": fieldset,
    "hint": hint,
    "input": input,
    "inset-text": inset_text,
    "label": label,
    "notification-banner": notification_banner,
    "panel": panel,
    "radios": radios,
    "select": select,
    "summary-list": summary_list,
    "tag": tag,
    "task-list": task_list,
    "textarea": textarea,
    "warning-text": warning_text,
}
