"""The flattened crispy-forms-gds templates (templates/gds/) write exactly what the package's own templates do, for
every question of every edition, blank, answered and with errors: they are only faster (fewer template includes
per field and per radio item)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from crispy_forms import utils as crispy_utils
from crispy_forms.utils import render_crispy_form
from django.conf import settings
from django.test import override_settings

from decisions import wizard
from decisions.guidance import EDITIONS

from .factories import answers_for

FLATTENED = ["gds/field.html", "gds/layout/radios.html", "gds/layout/help_text_and_errors.html"]
TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
PROJECT_TEMPLATES = settings.TEMPLATES


def _normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html).strip()
    # Ours writes the limit as the rest of the service does (5,000, not 5000).
    return re.sub(r"up to (\d)(\d{3}) characters", r"up to \1,\2 characters", html)


@pytest.fixture
def package_templates(tmp_path: Path) -> Iterator[None]:
    """The project's templates without the flattened ones, so crispy-forms-gds's own are used for those."""
    copy = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, copy)
    for name in FLATTENED:
        (copy / name).unlink()
    engine = {**settings.TEMPLATES[0], "DIRS": [copy]}
    with override_settings(TEMPLATES=[engine]):
        crispy_utils.default_field_template.cache_clear()
        yield
    crispy_utils.default_field_template.cache_clear()


def _rendered() -> dict[tuple[str, str, str], str]:
    out = {}
    for code in EDITIONS:
        for step in wizard.steps_for(code):
            form_class = step.form_class
            answers = answers_for([step.key]).get(step.key, {}) if code == "2018" else {}
            for state, form in [
                ("blank", form_class()),
                ("answered", form_class(initial=form_class.initial_from_answers(answers))),
                ("errors", form_class(data={})),
            ]:
                out[(code, step.key, state)] = _normalised(render_crispy_form(form))
    return out


def test_flattened_templates_are_in_use() -> None:
    for name in FLATTENED:
        assert (TEMPLATES_DIR / name).exists(), name


def test_flattened_templates_write_the_same_markup(package_templates: None) -> None:
    reference = _rendered()
    with override_settings(TEMPLATES=PROJECT_TEMPLATES):
        crispy_utils.default_field_template.cache_clear()
        flattened = _rendered()
    assert reference.keys() == flattened.keys()
    assert any("govuk-error-message" in html for html in flattened.values())  # errors were rendered
    assert any('checked="checked"' in html for html in flattened.values())  # and answers
    for key, html in reference.items():
        assert flattened[key] == html, key
