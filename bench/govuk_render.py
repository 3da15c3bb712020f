"""Microseconds per render: the Python GOV.UK renderer (govuk/) against crispy-forms-gds for the same field.

    SECRET_KEY=bench DJANGO_SETTINGS_MODULE=sharing_app.settings .venv/bin/python -m bench.govuk_render

Prints the best of several timeit runs (the machine is shared, so the minimum is the steadiest number) for:
govuk-frontend's radios fixture "with conditional items" and character-count fixture "default" as they are,
the same questions built from their parts (the radios' conditional inputs rendered by govuk.input), and the
same questions as Django forms rendered by crispy-forms-gds the way decisions/forms.py does it.
"""

from __future__ import annotations

import json
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

django.setup()

from crispy_forms.utils import render_crispy_form  # noqa: E402
from crispy_forms_gds.helper import FormHelper  # noqa: E402
from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Field, Layout, Size  # noqa: E402
from django import forms  # noqa: E402

import govuk  # noqa: E402

COMPONENTS = Path(__file__).resolve().parent.parent / "node_modules/govuk-frontend/dist/govuk/components"
LEGEND_SMALL = "govuk-fieldset__legend--s"
CHANNELS = [("email", "Email", "Email address"), ("phone", "Phone", "Phone number"), ("text", "Text message", "Mobile")]


def fixture(component: str, name: str) -> dict[str, Any]:
    fixtures = json.loads((COMPONENTS / component / "fixtures.json").read_text())["fixtures"]
    options: dict[str, Any] = next(f for f in fixtures if f["name"] == name)["options"]
    return options


def radios_from_parts() -> str:
    return govuk.radios(
        {
            "name": "how_contacted",
            "fieldset": {"legend": {"text": "How do you want to be contacted?", "classes": LEGEND_SMALL}},
            "items": [
                {
                    "value": value,
                    "text": text,
                    "conditional": {
                        "html": govuk.input(
                            {
                                "name": f"contact_{value}",
                                "label": {"text": label, "classes": "govuk-label--s"},
                                "classes": "govuk-!-width-one-third",
                            }
                        )
                    },
                }
                for value, text, label in CHANNELS
            ],
        }
    )


def character_count_from_parts() -> str:
    return govuk.character_count(
        {
            "name": "more_detail",
            "maxlength": 200,
            "label": {"text": "Can you provide more detail?", "classes": "govuk-label--s"},
            "hint": {"text": "Do not include personal or financial information."},
        }
    )


class RadiosForm(forms.Form):
    how_contacted = forms.ChoiceField(
        label="How do you want to be contacted?",
        choices=[(value, text) for value, text, _ in CHANNELS],
        widget=forms.RadioSelect,
    )
    contact_email = forms.CharField(label="Email address", required=False)
    contact_phone = forms.CharField(label="Phone number", required=False)
    contact_text = forms.CharField(label="Mobile", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(
            ConditionalRadios(
                "how_contacted",
                *(ConditionalQuestion(text, f"contact_{value}") for value, text, _ in CHANNELS),
            )
        )


class CharacterCountForm(forms.Form):
    more_detail = forms.CharField(
        label="Can you provide more detail?",
        help_text="Do not include personal or financial information.",
        widget=forms.Textarea(attrs={"aria-describedby": ""}),
        max_length=200,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.textarea("more_detail", max_characters=200))


def microseconds(render: Callable[[], object], number: int) -> float:
    return min(timeit.repeat(render, number=number, repeat=7)) / number * 1e6


def main() -> None:
    radios_fixture = fixture("radios", "with conditional items")
    count_fixture = fixture("character-count", "default")
    rows = [
        ("radios fixture 'with conditional items' (govuk)", lambda: govuk.radios(radios_fixture), 2000),
        ("radios, 3 conditional inputs, from parts (govuk)", radios_from_parts, 2000),
        ("radios, 3 conditional inputs (crispy-forms-gds)", lambda: render_crispy_form(RadiosForm()), 50),
        ("character-count fixture 'default' (govuk)", lambda: govuk.character_count(count_fixture), 2000),
        ("character count with hint, from parts (govuk)", character_count_from_parts, 2000),
        ("character count with hint (crispy-forms-gds)", lambda: render_crispy_form(CharacterCountForm()), 50),
    ]
    for name, render, number in rows:
        print(f"{microseconds(render, number):9.1f} µs  {name}")


if __name__ == "__main__":
    main()
