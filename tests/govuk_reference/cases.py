"""Random options for every component the Python renderer supports, to compare it with govuk-frontend's own
Nunjucks templates beyond the shipped fixtures (special characters, numbers and booleans where text is
expected, the special attribute forms, falsy items, every nested option).

`python tests/govuk_reference/generate.py` renders these with real Nunjucks and writes
extra_fixtures.json, which tests/test_govuk_fixtures.py compares against like the shipped fixtures.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

Gen = Callable[[random.Random], Any]

TEXTS: list[Any] = [
    "Yes",
    "",
    "  padded  ",
    'Tom & Jerry\'s "quote" <b>not bold</b> back\\slash',
    "two\nlines",
    "0",
    0,
    1,
    2.5,
    True,
    False,
    "café – naïve",
]
HTMLS = ["<b>bold</b>", "", "  <p>padded</p>  ", "a & b", "<span class='x'>1</span>"]
CLASSES = [
    "",
    "govuk-!-margin-0",
    'odd"class',
    "govuk-input--error",
    "govuk-input--width-3",
    "govuk-panel--interruption",
    "govuk-radios--small",
]
ATTR_VALUES: list[Any] = [
    "plain",
    "",
    'Tom & "Jerry" <\'\\>',
    True,
    False,
    None,
    0,
    1.5,
    ["a", "b"],
]
ATTR_NAMES = ["data-x", "aria-label", "autocomplete", "disabled", "data-&odd", "hidden"]
IDS = ["an-id", "", "id with space", "id&<'\"", "9starts-with-digit"]


def pick(*options: Any) -> Gen:
    return lambda rng: rng.choice(options)


def text(rng: random.Random) -> Any:
    return rng.choice(TEXTS)


def html(rng: random.Random) -> Any:
    return rng.choice(HTMLS)


def classes(rng: random.Random) -> Any:
    return rng.choice(CLASSES)


def id_(rng: random.Random) -> Any:
    return rng.choice(IDS)


def attribute_value(rng: random.Random) -> Any:
    value = rng.choice(ATTR_VALUES)
    form = rng.random()
    if form < 0.25:
        return {"value": value, "optional": True}
    if form < 0.35:
        return {"value": value, "optional": rng.choice([False, "true", 1])}
    if form < 0.4:
        return {"value": value}
    return value


def attributes(rng: random.Random) -> Any:
    if rng.random() < 0.1:
        return rng.choice([' data-raw="as given"', "", ["not", "a mapping"]])
    return {name: attribute_value(rng) for name in rng.sample(ATTR_NAMES, rng.randint(0, 3))}


def obj(**fields: Gen) -> Gen:
    """A dict with each field present half the time."""

    def make(rng: random.Random) -> dict[str, Any]:
        return {key: gen(rng) for key, gen in fields.items() if rng.random() < 0.5}

    return make


def text_or_html(**fields: Gen) -> Gen:
    return obj(text=text, html=html, **fields)


def items(item: Gen, low: int = 0, high: int = 5) -> Gen:
    def make(rng: random.Random) -> list[Any]:
        out: list[Any] = []
        for _ in range(rng.randint(low, high)):
            out.append(rng.choice([None, False, "", {}]) if rng.random() < 0.1 else item(rng))
        return out

    return make


def always(gen: Gen, **fields: Gen) -> Gen:
    """Like obj, but the fields given here are always present."""

    def make(rng: random.Random) -> dict[str, Any]:
        out = gen(rng)
        out.update({key: g(rng) for key, g in fields.items()})
        return out

    return make


hint = text_or_html(id=id_, classes=classes, attributes=attributes)
error_message = text_or_html(
    id=id_, classes=classes, attributes=attributes, visuallyHiddenText=pick("", "Warning", False)
)
label = text_or_html(classes=classes, attributes=attributes, isPageHeading=pick(True, False), **{"for": id_})
legend = text_or_html(classes=classes, isPageHeading=pick(True, False))
fieldset = obj(
    legend=legend, classes=classes, attributes=attributes, describedBy=id_, role=pick("group", ""), html=html
)
before_after = text_or_html()
form_group = obj(
    classes=classes,
    attributes=attributes,
    beforeInput=before_after,
    afterInput=before_after,
    beforeInputs=before_after,
    afterInputs=before_after,
)
value = pick("yes", "no", "maybe", "", 0, 1, "1", True, False)


def attribute_mapping(rng: random.Random) -> Any:
    return {name: attribute_value(rng) for name in rng.sample(ATTR_NAMES, rng.randint(0, 3))}


# The character count's template loops over `formGroup.attributes` as name/value pairs: only a mapping works.
character_count_form_group = obj(
    classes=classes, attributes=attribute_mapping, beforeInput=before_after, afterInput=before_after
)


def choice_item(checkbox: bool) -> Gen:
    fields: dict[str, Gen] = {
        "value": value,
        "text": text,
        "html": html,
        "id": id_,
        "checked": pick(True, False, "", 1),
        "disabled": pick(True, False),
        "hint": hint,
        "label": obj(classes=classes, attributes=attributes),
        "conditional": obj(html=html),
        "attributes": attributes,
        "divider": pick("or", "", 0),
    }
    if checkbox:
        fields.update(behaviour=pick("exclusive", ""), name=pick("other-name", ""))
    return obj(**fields)


common_field = {
    "id": id_,
    "classes": classes,
    "attributes": attributes,
    "hint": hint,
    "errorMessage": error_message,
    "formGroup": form_group,
    "describedBy": id_,
}

GENERATORS: dict[str, Gen] = {
    "label": label,
    "hint": hint,
    "error-message": error_message,
    "fieldset": fieldset,
    "radios": always(
        obj(
            idPrefix=id_,
            value=value,
            fieldset=fieldset,
            hint=hint,
            errorMessage=error_message,
            classes=classes,
            attributes=attributes,
            formGroup=form_group,
        ),
        name=pick("choice", "with space", "a&b"),
        items=items(choice_item(False)),
    ),
    "checkboxes": always(
        obj(
            idPrefix=id_,
            values=pick(["yes"], ["no", "maybe"], [], ["1"], [1], "yes"),
            fieldset=fieldset,
            **common_field,
        ),
        name=pick("choice", "with space", "a&b"),
        items=items(choice_item(True)),
    ),
    "input": always(
        obj(
            label=label,
            type=pick("email", "", "number"),
            value=pick("typed", "", 0, "a & <b>"),
            spellcheck=pick(True, False, "true"),
            disabled=pick(True, False, "disabled"),
            autocomplete=pick("email", ""),
            autocapitalize=pick("none", ""),
            pattern=pick("[0-9]*", ""),
            inputmode=pick("numeric", ""),
            prefix=text_or_html(classes=classes, attributes=attributes),
            suffix=text_or_html(classes=classes, attributes=attributes),
            inputWrapper=obj(classes=classes, attributes=attributes),
            **common_field,
        ),
        name=pick("field", "a&b"),
    ),
    "textarea": always(
        obj(
            label=label,
            rows=pick(3, "8", 0, ""),
            value=pick("typed\nover lines", "", "a & <b>", 0),
            spellcheck=pick(True, False, "true"),
            disabled=pick(True, False),
            autocomplete=pick("off", ""),
            **common_field,
        ),
        name=pick("field", "a&b"),
    ),
    "character-count": always(
        obj(
            label=label,
            rows=pick(3, ""),
            value=pick("typed", "", "a & <b>"),
            maxlength=pick(10, 0, "200"),
            maxwords=pick(5, 0),
            threshold=pick(75, 0),
            countType=pick("words", "characters", "length", ""),
            textareaDescriptionText=pick("Up to %{count} things", "", "No count & <b>"),
            countMessage=obj(classes=classes),
            spellcheck=pick(True, False),
            charactersUnderLimitText=pick({"one": "1 left", "other": "%{count} & left"}, ""),
            charactersAtLimitText=pick("At limit & done", ""),
            charactersOverLimitText=pick({"other": "%{count} over"}, ""),
            wordsUnderLimitText=pick({"other": "%{count} words left"}, ""),
            wordsAtLimitText=pick("No words left", ""),
            wordsOverLimitText=pick({"one": "1 word over", "other": "%{count} words over"}, ""),
            **{**common_field, "formGroup": character_count_form_group},
        ),
        name=pick("field", "a&b"),
    ),
    "select": always(
        obj(
            label=label,
            value=value,
            disabled=pick(True, False),
            **common_field,
        ),
        name=pick("field", "a&b"),
        items=items(
            obj(
                value=value,
                text=text,
                selected=pick(True, False, ""),
                disabled=pick(True, False),
                attributes=attributes,
            )
        ),
    ),
    "date-input": always(
        obj(
            namePrefix=pick("dob", ""),
            values=obj(day=pick("1", 2), month=pick("3", ""), year=pick("2020", 0), **{"dob-day": pick("9")}),
            items=items(
                obj(
                    name=pick("day", "month", "year", "other", ""),
                    value=pick("12", "", 0),
                    label=pick("Custom", ""),
                    id=id_,
                    classes=classes,
                    error=pick(True, False, 0),
                    inputmode=pick("text", ""),
                    autocomplete=pick("bday-day", ""),
                    pattern=pick("[0-9]*", ""),
                    attributes=attributes,
                ),
                0,
                4,
            ),
            day=obj(name=pick("dd", "day"), value=pick("5")),
            year=obj(value=pick(2023)),
            fieldset=fieldset,
            hint=hint,
            errorMessage=error_message,
            classes=classes,
            attributes=attributes,
            formGroup=form_group,
        ),
        id=pick("dob", "d&<b"),
    ),
    "error-summary": obj(
        titleText=text,
        titleHtml=html,
        descriptionText=text,
        descriptionHtml=html,
        classes=classes,
        attributes=attributes,
        disableAutoFocus=pick(True, False, "x"),
        errorList=items(obj(href=pick("#field", "", "?a=1&b=2"), text=text, html=html, attributes=attributes)),
    ),
    "task-list": obj(
        idPrefix=id_,
        classes=classes,
        attributes=attributes,
        items=items(
            obj(
                title=text_or_html(classes=classes),
                hint=text_or_html(),
                status=text_or_html(classes=classes, tag=text_or_html(classes=classes, attributes=attributes)),
                href=pick("#task", "", "?a=1&b=2"),
                classes=classes,
            )
        ),
    ),
    "tag": text_or_html(classes=classes, attributes=attributes),
    "button": obj(
        text=text,
        html=html,
        href=pick("/next", "", "?a=1&b=2"),
        type=pick("button", "reset", ""),
        name=pick("action", ""),
        value=pick("save", "", 0),
        disabled=pick(True, False),
        preventDoubleClick=pick(True, False, "x"),
        isStartButton=pick(True, False),
        id=id_,
        classes=classes,
        attributes=attributes,
    ),
    "summary-list": obj(
        classes=classes,
        attributes=attributes,
        rows=items(
            obj(
                key=text_or_html(classes=classes),
                value=text_or_html(classes=classes),
                classes=classes,
                actions=obj(
                    classes=classes,
                    items=items(
                        obj(
                            href=pick("#change", "?a=1&b=2"),
                            text=text,
                            html=html,
                            visuallyHiddenText=pick("name", "", "a & b"),
                            classes=classes,
                            attributes=attributes,
                        ),
                        0,
                        3,
                    ),
                ),
            )
        ),
        card=obj(
            title=text_or_html(classes=classes, headingLevel=pick(3, 4, "")),
            classes=classes,
            attributes=attributes,
            actions=obj(
                classes=classes,
                items=items(obj(href=pick("#x"), text=text, html=html, visuallyHiddenText=pick("it", "")), 0, 3),
            ),
        ),
    ),
    "notification-banner": obj(
        text=text,
        html=html,
        titleText=text,
        titleHtml=html,
        titleId=id_,
        titleHeadingLevel=pick(3, ""),
        type=pick("success", "other", ""),
        role=pick("status", ""),
        disableAutoFocus=pick(True, False),
        classes=classes,
        attributes=attributes,
    ),
    "warning-text": text_or_html(iconFallbackText=pick("Careful", ""), classes=classes, attributes=attributes),
    "inset-text": text_or_html(id=id_, classes=classes, attributes=attributes),
    "details": obj(
        summaryText=text,
        summaryHtml=html,
        text=text,
        html=html,
        open=pick(True, False),
        id=id_,
        classes=classes,
        attributes=attributes,
    ),
    "back-link": text_or_html(href=pick("/back", "", "?a=1&b=2"), classes=classes, attributes=attributes),
    "panel": obj(
        titleText=text,
        titleHtml=html,
        text=text,
        html=html,
        headingLevel=pick(2, ""),
        classes=classes,
        attributes=attributes,
        actions=obj(
            classes=classes,
            attributes=attributes,
            items=items(
                obj(
                    text=text,
                    href=pick("/go", ""),
                    type=pick("button", "submit", ""),
                    classes=classes,
                    attributes=attributes,
                ),
                0,
                3,
            ),
        ),
    ),
}


def random_cases(seed: int, per_component: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {"component": component, "name": f"random {seed}-{n}", "options": gen(rng)}
        for component, gen in sorted(GENERATORS.items())
        for n in range(per_component)
    ]


_EVERY_ATTRIBUTE_FORM = {
    "data-text": 'Tom & "Jerry" <\'\\>',
    "data-true": True,
    "data-false": False,
    "data-none": None,
    "data-zero": 0,
    "data-list": ["a", "b"],
    "data-optional-true": {"value": True, "optional": True},
    "data-optional-false": {"value": False, "optional": True},
    "data-optional-none": {"value": None, "optional": True},
    "data-optional-empty": {"value": "", "optional": True},
    "data-optional-zero": {"value": 0, "optional": True},
    "data-optional-text": {"value": "a & b", "optional": True},
    "data-not-optional-true": {"value": True, "optional": False},
    "data-no-value": {"optional": True},
    'odd&"name': "x",
}
_TWO_ITEMS = [{"value": "yes", "text": "Yes"}, {"text": "No value"}]

# Named cases for behaviour the random ones reach rarely, each rendered by Nunjucks like the random ones.
EDGE_CASES: list[dict[str, Any]] = [
    {
        "component": "hint",
        "name": "every attribute form",
        "options": {"text": "x", "attributes": _EVERY_ATTRIBUTE_FORM},
    },
    {
        "component": "checkboxes",
        "name": "values as a string does not check an item without a value",
        "options": {"name": "c", "values": "yes", "items": _TWO_ITEMS},
    },
    {
        "component": "checkboxes",
        "name": "values match strictly (1 is not '1')",
        "options": {
            "name": "c",
            "values": [1, "2"],
            "items": [{"value": "1", "text": "1"}, {"value": "2", "text": "2"}],
        },
    },
    {
        "component": "radios",
        "name": "value matches loosely (1 is '1')",
        "options": {"name": "r", "value": 1, "items": [{"value": "1", "text": "One"}, {"value": "2", "text": "Two"}]},
    },
    {
        "component": "radios",
        "name": "checked false overrides a matching value",
        "options": {"name": "r", "value": "1", "items": [{"value": "1", "text": "One", "checked": False}]},
    },
    {
        "component": "select",
        "name": "value matches loosely and by text",
        "options": {"name": "s", "value": "2", "items": [{"value": 2, "text": "Two"}, {"text": "2"}]},
    },
    {
        "component": "character-count",
        "name": "form group after input and attributes",
        "options": {
            "name": "cc",
            "maxlength": 10,
            "formGroup": {
                "classes": "extra",
                "attributes": {"data-a": "a & b", "data-b": True},
                "beforeInput": {"text": "Before & after"},
                "afterInput": {"html": "<p>After</p>"},
            },
        },
    },
    {
        "component": "character-count",
        "name": "form group after input as text",
        "options": {"name": "cc", "maxwords": 3, "formGroup": {"afterInput": {"text": "<b>escaped</b>"}}},
    },
    {
        "component": "input",
        "name": "form group before and after input",
        "options": {
            "name": "i",
            "formGroup": {"beforeInput": {"html": "<span>Before</span>"}, "afterInput": {"text": "After & <b>"}},
        },
    },
    {"component": "notification-banner", "name": "neither html nor text", "options": {"titleText": "Note"}},
    {
        "component": "date-input",
        "name": "no id gives undefined ids",
        "options": {"hint": {"text": "For example"}, "errorMessage": {"text": "Wrong"}},
    },
    {"component": "radios", "name": "no name gives undefined ids", "options": {"items": _TWO_ITEMS}},
]
