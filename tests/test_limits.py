"""Issue 24 item 5: no field with a maximum length cuts text short without a word.

Walks every form class in the project's apps. For each field with `max_length`: the browser is never told to cut
the text (no `maxlength` attribute); a text area shows GOV.UK's character count with that limit; a post one
character too long gets an error that states the limit (formatted as 5,000) and the page keeps what was typed."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from typing import Any

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms

APPS = ("accounts", "audit", "decisions", "exports", "oversight", "retention", "housekeeping", "background")

# Where the length a person needs to know is not the technical maximum, the error states that one instead.
STATED_LIMIT = {
    ("exports.forms.VerifyForm", "code"): "64 letters and numbers",
    ("accounts.forms.TwoFactorCodeForm", "code"): "6 digits",
}
# Frozen modules keep rendering old drafts exactly as they did (they already drop `maxlength`, in StepForm).
FROZEN = ("decisions.wizard_2018_v1", "decisions.wizard_2018_v2", "decisions.wizard_2024_v1")


def _import_all() -> None:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _form_classes() -> list[type[forms.BaseForm]]:
    _import_all()
    found = {
        cls
        for cls in _subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in APPS and not cls.__name__.startswith("_")
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def _limited_fields() -> list[tuple[type[forms.BaseForm], str, int]]:
    cases = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            limit = getattr(field, "max_length", None)
            if limit and not isinstance(field, forms.FileField):
                cases.append((cls, name, int(limit)))
    return cases


def _make(cls: type[forms.BaseForm], data: dict[str, Any] | None) -> forms.BaseForm:
    """A form as its view makes it (a few take more than data)."""
    from accounts.models import Team

    kwargs: dict[str, Any] = {}
    name = cls.__name__
    if name == "BulkExportForm":
        kwargs["teams"] = Team.objects.none()
    if name in ("DecisionFilterForm", "DashboardFilterForm") and "teams" in cls.__init__.__code__.co_varnames:
        kwargs["teams"] = Team.objects.none()
    if issubclass(cls, forms.ModelForm):
        return cls(data=data, **kwargs)
    return cls(data=data, **kwargs)


def _html(form: forms.BaseForm) -> str:
    if getattr(form, "helper", None) is not None:
        return str(render_crispy_form(form))
    return str(form)


CASES = _limited_fields()


def test_the_walk_finds_the_fields_of_the_issue() -> None:
    names = {(cls.__name__, name) for cls, name, _ in CASES}
    for expected in [("ApproveForm", "comment"), ("ReturnForm", "comment"), ("AmendForm", "reason")]:
        assert expected in names
    assert {n for n in names if n[1] == "reason"} >= {("HoldForm", "reason"), ("ProposeForm", "reason")}
    assert len(CASES) > 20


@pytest.mark.django_db
@pytest.mark.parametrize(("cls", "name", "limit"), CASES, ids=[f"{c.__module__}.{c.__name__}.{n}" for c, n, _ in CASES])
def test_every_limit_is_told(cls: type[forms.BaseForm], name: str, limit: int) -> None:
    where = f"{cls.__module__}.{cls.__name__}.{name}"
    form = _make(cls, None)
    field = form.fields[name]
    if field.disabled:
        pytest.skip("not asked on this page: what is posted for it is ignored")
    # The browser must not cut pasted text short without a word.
    assert "maxlength" not in field.widget.attrs, f"{where}: the browser cuts text at {limit}"
    if isinstance(field.widget, forms.Textarea) and cls.__module__ not in FROZEN:
        html = _html(form)
        assert "govuk-character-count" in html and f'data-maxlength="{limit}"' in html, (
            f"{where}: a text area without GOV.UK's character count"
        )

    # Words, as pasted; one character over, and not ending in a space (which the field would strip).
    typed = ("Ab cd " * (limit // 6 + 1))[:limit] + "z"
    key = f"{cls.prefix}-{name}" if cls.prefix else name
    bound = _make(cls, {key: typed})
    bound.is_valid()
    errors = " ".join(str(e) for e in bound.errors.get(name, []))
    stated = STATED_LIMIT.get((f"{cls.__module__}.{cls.__name__}", name), f"{limit:,}")
    assert stated in errors, f"{where}: the error {errors!r} does not state the limit {stated}"
    assert not re.search(r"\b\d{4,}\b", errors), f"{where}: {errors!r} — write 5,000, not 5000"
    if not isinstance(field.widget, forms.PasswordInput):
        assert typed in _html(bound).replace("&#x27;", "'"), f"{where}: what was typed is not shown again"
