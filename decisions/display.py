"""Answers arranged for reading: check your answers, the decision page and the PDF all use this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .guidance import Principle, edition
from .wizard import question, visible_steps


@dataclass
class Row:
    name: str
    label: str
    value: str


@dataclass
class Section:
    key: str
    title: str
    caption: str
    principle: Principle | None
    rows: list[Row] = field(default_factory=list)
    answered: bool = True


def sections(edition_code: str, answers: dict[str, Any]) -> list[Section]:
    result = []
    ed = edition(edition_code)
    for step in visible_steps(edition_code, answers):
        text = question(edition_code, step.key)
        stored = answers.get(step.key)
        rows = [Row(*r) for r in step.form_class.summary(stored)] if stored is not None else []
        result.append(
            Section(step.key, text.title, text.caption, ed.principle(text.rule), rows, answered=stored is not None)
        )
    return result


@dataclass
class Change:
    question: str
    label: str
    before: str
    after: str


def changes_between(edition_code: str, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """What an amendment changed, answer by answer."""
    old = {(s.key, r.name): (s.title, r.label, r.value) for s in sections(edition_code, before) for r in s.rows}
    new = {(s.key, r.name): (s.title, r.label, r.value) for s in sections(edition_code, after) for r in s.rows}
    result = []
    for key in list(old) + [k for k in new if k not in old]:
        o, n = old.get(key), new.get(key)
        if o and n and o[2] == n[2]:
            continue
        ref = n or o
        assert ref is not None
        result.append(Change(ref[0], ref[1], o[2] if o else "(not answered)", n[2] if n else "(removed)"))
    return result
