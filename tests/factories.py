"""Decisions made through the real services, for tests of features that read them."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from decisions import services, wizard
from decisions.models import DecisionVersion

from .wizard_helpers import MAIN_PATH


def answers_for(steps: list[str] | None = None, overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, dict]:
    """Stored answers for the main path (consent given, share all), cleaned through the real forms."""
    from .wizard_helpers import valid_post

    overrides = overrides or {}
    answers: dict[str, dict] = {}
    for key in steps or MAIN_PATH:
        step = wizard.step_by_key("2018", key)
        assert step is not None
        form = step.form_class(data=valid_post(key, **overrides.get(key, {})))
        assert form.is_valid(), (key, form.errors)
        answers[key] = form.to_answers()
    return answers


def make_submitted_decision(
    owner: User, steps: list[str] | None = None, overrides: dict[str, dict[str, Any]] | None = None
) -> DecisionVersion:
    draft = services.decision_start(by=owner)
    for key, value in answers_for(steps, overrides).items():
        draft = services.draft_save_step(by=owner, draft=draft, step_key=key, answers=value)
    return services.decision_submit(by=owner, draft=draft)


def amend(owner: User, version: DecisionVersion, reason: str, overrides: dict[str, dict[str, Any]]) -> DecisionVersion:
    draft = services.decision_amend_start(by=owner, decision=version.decision, reason=reason)
    for key, value in answers_for(list(overrides), overrides).items():
        draft = services.draft_save_step(by=owner, draft=draft, step_key=key, answers=value)
    return services.decision_submit(by=owner, draft=draft)
