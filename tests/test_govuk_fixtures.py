"""The Python GOV.UK renderer (govuk/) against govuk-frontend's own reference markup.

govuk-frontend ships, for each component, `fixtures.json`: the macro's options and the HTML its Nunjucks
template renders. Every fixture of every component the renderer supports is one test case here, named
`component/fixture name`.

Whitespace is normalised before comparing, and nothing else:
- whitespace that is the whole text between two tags is removed (`>\\n  <` becomes `><`);
- any other run of whitespace in text becomes one space (`>\\n  Yes\\n</label>` becomes `> Yes </label>`), so
  whether there is a space next to text is still compared (`</span> Enter` is not `</span>Enter`);
- tags themselves are compared exactly: attribute names, order, quoting and values.
The templates' indentation is all this removes; no fixture has whitespace inside a tag.

The shipped fixtures never use some options (the `{value, optional}` attribute forms, `&`, `"` or `\\` in
text, a character count's form group attributes, ...), so govuk_reference/extra_fixtures.json adds random
options rendered by the same templates with real Nunjucks (see govuk_reference/generate.py), named
`component/random SEED-N`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils.safestring import SafeString

import govuk

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "node_modules/govuk-frontend/dist/govuk/components"
EXTRA_FIXTURES = Path(__file__).resolve().parent / "govuk_reference/extra_fixtures.json"

# Fixtures left out, with the reason. None: every fixture of every supported component is rendered.
UNSUPPORTED: dict[tuple[str, str], str] = {}

_TAG = re.compile(r"(<[^>]*>)")
_SPACE = re.compile(r"\s+")


def normalise(html: str) -> str:
    parts = _TAG.split(html)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(part)
            continue
        text = _SPACE.sub(" ", part)
        if text != " ":
            out.append(text)
    return "".join(out).strip()


def _cases() -> list[Any]:
    cases = []
    for component in sorted(govuk.COMPONENTS):
        path = FIXTURES_DIR / component / "fixtures.json"
        if not path.exists():
            cases.append(pytest.param(component, None, id=f"{component}/missing fixtures.json (run make install)"))
            continue
        for fixture in json.loads(path.read_text())["fixtures"]:
            reason = UNSUPPORTED.get((component, fixture["name"]))
            marks = [pytest.mark.skip(reason=reason)] if reason else []
            cases.append(pytest.param(component, fixture, id=f"{component}/{fixture['name']}", marks=marks))
    for fixture in json.loads(EXTRA_FIXTURES.read_text())["fixtures"]:
        cases.append(pytest.param(fixture["component"], fixture, id=f"{fixture['component']}/{fixture['name']}"))
    return cases


@pytest.mark.parametrize(("component", "fixture"), _cases())
def test_fixture(component: str, fixture: dict[str, Any] | None) -> None:
    assert fixture is not None, f"{FIXTURES_DIR / component / 'fixtures.json'} is missing: run make install"
    rendered = govuk.COMPONENTS[component](fixture["options"])
    assert isinstance(rendered, SafeString)
    assert normalise(rendered) == normalise(fixture["html"])


def test_normalise_keeps_what_matters() -> None:
    assert (
        normalise('<p class="a">\n  <span>Error:</span> Enter\n</p>') == '<p class="a"><span>Error:</span> Enter </p>'
    )
    assert normalise("<span>Error:</span>Enter") != normalise("<span>Error:</span> Enter")
    assert normalise('<input value="a  b">') != normalise('<input value="a b">')
    assert normalise("<a>Change<span> name</span></a>") != normalise("<a>Change <span>name</span></a>")
