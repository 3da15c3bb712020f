"""Answers arranged for reading: check your answers, the decision page and the PDF all use this.

Everything here reads a record by the layout it was answered in (`wizard.flow_of`), so an old record shows
the questions it was asked, with the labels it was answered with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .flow import Flow, Problem, Unfinished
from .forms import display_value
from .guidance import Principle, edition
from .wizard import flow_of


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
    unfinished: bool = False
    problems: list[str] = field(default_factory=list)


def sections(
    flow: Flow,
    answers: dict[str, Any],
    unfinished: Unfinished | None = None,
    problems: list[Problem] | None = None,
) -> list[Section]:
    """One section per page that applies. With `problems`, each section carries the ones found on its page."""
    ed = edition(flow.edition)
    unfinished = unfinished or {}
    result = []
    for step in flow.visible_steps(answers):
        text = flow.question(step.key)
        stored = answers.get(step.key)
        rows = [Row(*r) for r in step.form_class.summary_in(stored, answers)] if stored is not None else []
        result.append(
            Section(
                step.key,
                text.title,
                text.caption,
                ed.principle(text.rule),
                rows,
                answered=stored is not None,
                unfinished=step.key in unfinished,
                problems=[p.message for p in problems or [] if p.step == step.key],
            )
        )
    return result


def sections_of(version: Any) -> list[Section]:
    """A submitted version's answers, by the pages it was answered on."""
    return sections(flow_of(version), version.answers)


def choice_label(flow: Flow, step: str, name: str, value: str) -> str:
    """How this layout's page labelled one stored value."""
    page = flow.step(step)
    if page is None or name not in page.form_class.base_fields:
        return value
    return display_value(page.form_class.base_fields[name], value)


def step_title(edition_code: str, key: str) -> str | None:
    """A page's title for the audit trail, which names pages by key only."""
    return edition(edition_code).question_title(key)


@dataclass
class Change:
    question: str
    label: str
    before: str
    after: str


def changes_between(before: Any, after: Any) -> list[Change]:
    """What an amendment changed, answer by answer. Versions in different layouts are compared by question and
    label, so an answer that moved to another page is not reported as changed."""
    same_layout = (before.edition, before.layout) == (after.edition, after.layout)

    def keyed(version: Any) -> dict[tuple[str, str], tuple[str, str, str]]:
        return {
            ((s.key, r.name) if same_layout else (s.title, r.label)): (s.title, r.label, r.value)
            for s in sections_of(version)
            for r in s.rows
        }

    old, new = keyed(before), keyed(after)
    result = []
    for key in list(old) + [k for k in new if k not in old]:
        o, n = old.get(key), new.get(key)
        if o and n and o[2] == n[2]:
            continue
        ref = n or o
        assert ref is not None
        result.append(Change(ref[0], ref[1], o[2] if o else "(not answered)", n[2] if n else "(removed)"))
    return result
