"""The Python GOV.UK renderer's own promises, beyond matching govuk-frontend's markup (test_govuk_fixtures.py):
`text` is escaped and `html` is not, attribute values cannot break out of their quotes, what comes back is a
SafeString that Django templates will not escape again, and no text can change the markup's structure."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.template import Context, Template
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

import govuk

MINIMAL_OPTIONS: dict[str, dict[str, Any]] = {
    "back-link": {},
    "button": {"text": "Save"},
    "character-count": {"name": "summary", "maxlength": 10, "label": {"text": "Summary"}},
    "checkboxes": {"name": "c", "items": [{"value": "a", "text": "A"}]},
    "date-input": {"id": "d"},
    "details": {"summaryText": "Help", "text": "More"},
    "error-message": {"text": "Wrong"},
    "error-summary": {"titleText": "There is a problem", "errorList": [{"text": "Wrong", "href": "#a"}]},
    "fieldset": {"legend": {"text": "Legend"}},
    "hint": {"text": "Hint"},
    "input": {"name": "i", "label": {"text": "Label"}},
    "inset-text": {"text": "Inset"},
    "label": {"text": "Label"},
    "notification-banner": {"text": "Note"},
    "panel": {"titleText": "Done"},
    "radios": {"name": "r", "items": [{"value": "a", "text": "A"}]},
    "select": {"name": "s", "items": [{"value": "a", "text": "A"}]},
    "summary-list": {"rows": [{"key": {"text": "K"}, "value": {"text": "V"}}]},
    "tag": {"text": "Done"},
    "task-list": {"items": [{"title": {"text": "Task"}, "status": {"text": "Done"}}]},
    "textarea": {"name": "t", "label": {"text": "Label"}},
    "warning-text": {"text": "Careful"},
}


class _Parsed(HTMLParser):
    """Start tags with their attributes, and all text, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


def test_every_component_returns_a_safe_string_django_does_not_escape_again() -> None:
    assert set(MINIMAL_OPTIONS) == set(govuk.COMPONENTS)
    for name, render in govuk.COMPONENTS.items():
        html = render(MINIMAL_OPTIONS[name])
        assert type(html) is SafeString, name
        assert html.startswith("<"), name
        assert Template("{{ html }}").render(Context({"html": html})) == html, name


def test_text_is_escaped_and_html_is_inserted_as_given() -> None:
    assert "&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;" in govuk.hint({"text": "<b>Tom & Jerry's</b>"})
    assert "<b>Tom &amp; Jerry's</b>" in govuk.hint({"html": "<b>Tom &amp; Jerry's</b>"})
    html = govuk.radios(
        {
            "name": "contact",
            "fieldset": {"legend": {"text": "How <em>should</em> we contact you?"}},
            "errorMessage": {"text": "Select <one>"},
            "items": [
                {
                    "value": "email",
                    "text": "Email <script>",
                    "conditional": {"html": '<input class="govuk-input" name="email">'},
                },
                {"value": "phone", "html": "<strong>Phone</strong>"},
            ],
        }
    )
    assert "How &lt;em&gt;should&lt;/em&gt; we contact you?" in html
    assert "Select &lt;one&gt;" in html
    assert "Email &lt;script&gt;" in html
    assert '<input class="govuk-input" name="email">' in html
    assert "<strong>Phone</strong>" in html
    assert "<script>" not in html


def test_text_marked_safe_is_not_escaped_twice_and_lazy_text_is_escaped() -> None:
    # As in Nunjucks, where a SafeString in `text` is not escaped again.
    assert "Tom &amp; Jerry\n" in govuk.label({"text": mark_safe("Tom &amp; Jerry")})  # noqa: S308 - a literal
    lazy_text = lazy(lambda: "Tom & Jerry", str)()
    assert "Tom &amp; Jerry\n" in govuk.label({"text": lazy_text})


def test_attribute_values_and_names_cannot_break_out_of_their_quotes() -> None:
    html = govuk.input(
        {
            "name": 'x" onfocus="alert(1)',
            "value": "\"><script>alert('x')</script>\\",
            "attributes": {'data-a"><b': 'it\'s "quoted" & <b>', "data-on": True, "data-off": False},
        }
    )
    assert html.count("<") == html.count("<div") + html.count("</div") + html.count("<input") + html.count("<label")
    assert 'name="x&quot; onfocus=&quot;alert(1)"' in html
    assert 'value="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&#92;"' in html
    assert ' data-a&quot;&gt;&lt;b="it&#39;s &quot;quoted&quot; &amp; &lt;b&gt;"' in html
    assert ' data-on="true" data-off="false"' in html
    tags = _Parsed(html).tags
    attrs = dict(next(attrs for tag, attrs in tags if tag == "input"))
    assert attrs["name"] == 'x" onfocus="alert(1)'
    assert attrs["value"] == "\"><script>alert('x')</script>\\"
    assert "onfocus" not in attrs


def test_attribute_special_forms() -> None:
    html = govuk.tag(
        {
            "text": "T",
            "attributes": {
                "hidden": {"value": True, "optional": True},
                "data-gone": {"value": None, "optional": True},
                "data-also-gone": {"value": False, "optional": True},
                "data-empty": None,
                "data-safe": mark_safe("&amp;"),  # noqa: S308 - a literal
            },
        }
    )
    assert '<strong class="govuk-tag" hidden data-empty="" data-safe="&amp;">' in html
    assert govuk.tag({"text": "T", "attributes": ' data-given="as is"'}).startswith(
        '<strong class="govuk-tag" data-given="as is">'
    )


PLAIN = "x"
# Empty text is no text: the templates then leave out the legend and labels.
texts = st.text(min_size=1, max_size=40)


def _radios_with(text: str) -> str:
    return govuk.radios(
        {
            "name": "choice",
            "fieldset": {"legend": {"text": text}},
            "hint": {"text": text},
            "errorMessage": {"text": text},
            "items": [
                {"value": text, "text": text, "hint": {"text": text}, "attributes": {"data-t": text}},
                {"divider": text},
                {"value": "b", "text": text, "conditional": {"html": "<p>more</p>"}},
            ],
        }
    )


@settings(max_examples=300, deadline=None)
@given(texts)
def test_no_text_changes_the_markup_and_every_text_comes_back(text: str) -> None:
    parsed = _Parsed(_radios_with(text))
    plain = _Parsed(_radios_with(PLAIN))
    assert [(tag, [name for name, _ in attrs]) for tag, attrs in parsed.tags] == [
        (tag, [name for name, _ in attrs]) for tag, attrs in plain.tags
    ]
    first_input = dict(next(attrs for tag, attrs in parsed.tags if tag == "input"))
    assert first_input["value"] == text
    assert first_input["data-t"] == text
    if text.strip():
        # legend, hint, error, item label, item hint, divider, second label
        assert parsed.text.count(text) >= 7
