"""Follow-ups: what was done after a decision, as it said it would be, each recorded on a small form of its own.

Two kinds today (choices.FollowUpKind): telling the family later, and sending the information after sign-off in an
organisation that reviews before sharing. Each has the outcome "not done after all, because…". What is open is
read from the decision (`follow_up_due`/`follow_up_done_at`, `share_planned_on`/`share_sent_at`); what was done is
a `FollowUp` row, which never changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from crispy_forms_gds.layout import ConditionalQuestion, ConditionalRadios, Layout
from django import forms
from django.utils import timezone

from . import guidance as g
from .choices import FollowUpKind, FollowUpOutcome
from .forms import RecipientsForm, StepForm, _long_text, _radio, _text, gov_date
from .models import Decision

__all__ = ["FamilyToldForm", "KINDS", "Kind", "ShareSentForm", "due_on", "is_open", "kind_for_slug"]


class _FollowUpForm(StepForm):
    outcome: forms.ChoiceField
    done_on: forms.Field
    reason: forms.CharField

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        day = cleaned.get("done_on")
        if isinstance(day, dt.date) and day > timezone.localdate():
            self.add_error("done_on", "The date must be today or in the past")
        return cleaned


class FamilyToldForm(_FollowUpForm):
    outcome = _radio(
        "Were they told?",
        [
            (FollowUpOutcome.DONE.value, "Yes, they were told"),
            (FollowUpOutcome.NOT_DONE.value, "No, not told after all"),
        ],
        "whether they were told",
    )
    done_on = gov_date("Date they were told", "the date they were told", required=False)
    done_by = _text("Who told them?", "who told them", help_text="Name and role", required=False)
    how = _text(
        "How were they told?",
        "how they were told",
        help_text="For example, a home visit or a phone call",
        required=False,
    )
    what_said = _long_text("What were they told?", "what they were told", required=False)
    response = _long_text("How did they respond? (optional)", "how they responded", required=False)
    reason = _long_text("Why were they not told?", "why they were not told", required=False)
    conditional = [
        ("done_on", "outcome", (FollowUpOutcome.DONE.value,)),
        ("done_by", "outcome", (FollowUpOutcome.DONE.value,)),
        ("how", "outcome", (FollowUpOutcome.DONE.value,)),
        ("what_said", "outcome", (FollowUpOutcome.DONE.value,)),
        ("reason", "outcome", (FollowUpOutcome.NOT_DONE.value,)),
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The response is optional, but kept only with the answer it belongs to.
        if cleaned.get("outcome") != FollowUpOutcome.DONE:
            cleaned["response"] = ""
        return cleaned

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "outcome",
                ConditionalQuestion(
                    "Yes, they were told",
                    "done_on",
                    "done_by",
                    "how",
                    self.item("what_said"),
                    self.item("response"),
                ),
                ConditionalQuestion("No, not told after all", self.item("reason")),
            )
        )


class ShareSentForm(_FollowUpForm):
    outcome = _radio(
        "Was the information sent?",
        [(FollowUpOutcome.DONE.value, "Yes, it was sent"), (FollowUpOutcome.NOT_DONE.value, "No, not sent after all")],
        "whether it was sent",
    )
    done_on = gov_date("Date it was sent", "the date it was sent", required=False)
    done_by = _text("Who sent it?", "who sent it", help_text="Name and role", required=False)
    how = _radio("How was it sent?", g.SHARING_METHODS, "how it was sent")
    what_said = _long_text(
        "Anything else to record about sending it (optional)",
        "what else to record",
        help_text="For example, a password sent separately, or who it was handed to",
        required=False,
    )
    reason = _long_text("Why was it not sent?", "why it was not sent", required=False)
    conditional = [
        ("done_on", "outcome", (FollowUpOutcome.DONE.value,)),
        ("done_by", "outcome", (FollowUpOutcome.DONE.value,)),
        ("how", "outcome", (FollowUpOutcome.DONE.value,)),
        ("reason", "outcome", (FollowUpOutcome.NOT_DONE.value,)),
    ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("outcome") != FollowUpOutcome.DONE:
            cleaned["what_said"] = ""
        return cleaned

    def build_layout(self) -> Layout:
        return Layout(
            ConditionalRadios(
                "outcome",
                ConditionalQuestion("Yes, it was sent", "done_on", "done_by", "how", self.item("what_said")),
                ConditionalQuestion("No, not sent after all", self.item("reason")),
            )
        )


@dataclass(frozen=True)
class Kind:
    kind: FollowUpKind
    slug: str
    title: str
    form_class: type[_FollowUpForm]
    link_text: str


KINDS = [
    Kind(FollowUpKind.FAMILY_TOLD, "family-told", "Record whether the family was told", FamilyToldForm,
         "Record whether the family was told"),
    Kind(FollowUpKind.SHARE_SENT, "sent", "Record whether the information was sent", ShareSentForm,
         "Record whether the information was sent"),
]  # fmt: skip


def kind_for_slug(slug: str) -> Kind | None:
    return next((k for k in KINDS if k.slug == slug), None)


def is_open(decision: Decision, kind: FollowUpKind) -> bool:
    if kind == FollowUpKind.FAMILY_TOLD:
        return decision.follow_up_open
    return decision.share_open


def due_on(decision: Decision, kind: FollowUpKind) -> dt.date | None:
    return decision.follow_up_due if kind == FollowUpKind.FAMILY_TOLD else decision.share_planned_on


def planned_share_on(answers: dict[str, Any]) -> dt.date | None:
    """The earliest planned date of the recipients entered as planned (reviewed before sharing), if any."""
    days = []
    for entry in RecipientsForm.entries(answers.get("recipients")):
        if entry.get("planned"):
            try:
                days.append(dt.date.fromisoformat(str(entry.get("shared_date"))))
            except ValueError:
                continue
    return min(days) if days else None


@dataclass(frozen=True)
class Open:
    """A follow-up the decision is waiting for."""

    kind: Kind
    due: dt.date | None
    overdue: bool
    waiting_for_sign_off: bool

    @property
    def text(self) -> str:
        day = f"{self.due:%-d %B %Y}" if self.due else "a date not given"
        if self.kind.kind == FollowUpKind.FAMILY_TOLD:
            return f"Tell the family by {day}."
        if self.waiting_for_sign_off:
            return f"Planned to be sent on {day}, once the decision is signed off."
        return f"Signed off, not yet sent. Planned to be sent on {day}."


def open_follow_ups(decision: Decision, today: dt.date) -> list[Open]:
    found = []
    for kind in KINDS:
        if decision.is_submitted and is_open(decision, kind.kind):
            due = due_on(decision, kind.kind)
            waiting = kind.kind == FollowUpKind.SHARE_SENT and decision.review_status != "signed_off"
            found.append(Open(kind, due, due is not None and due < today and not waiting, waiting))
    return found


def one_click_record(decision: Decision, records: list[Any]) -> bool:
    """The family was recorded as told with one click (before follow-ups were forms): no details to show."""
    return decision.follow_up_done_at is not None and not any(
        r.kind == FollowUpKind.FAMILY_TOLD and r.recorded_at == decision.follow_up_done_at for r in records
    )
