"""Example answers for a decision under the May 2024 edition, and a helper that records one through the real
services. For the demonstration data (`seed_demo` may call `record_example_2024_decision`) and for tests: the
answers are cleaned by the 2024 pages' own forms, so they are exactly what a practitioner's answers would be.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import Organisation

from . import services, wizard
from .choices import Outcome
from .flow import Step
from .models import DecisionVersion
from .permissions import membership_of

# What a practitioner would post on each 2024 page, on every branch.
EXAMPLE_POSTS_2024: dict[str, dict[str, Any]] = {
    "request": {
        "request_origin": "other_agency",
        "requester_name": "PC Jane Smith",
        "requester_role": "Police constable",
        "requester_agency": "West Midlands Police",
        "request_date_0": "3",
        "request_date_1": "11",
        "request_date_2": "2026",
        "case_reference": "CASE-2024",
        "subject_details": "J.B., born 4 May 2015",
        "purpose": "Strategy discussion about bruising seen at school",
    },
    "information": {
        "categories": ["family", "education"],
        "special_category": "no",
        "criminal_offence": "no",
        "description": "Attendance record and notes of two conversations with the child",
    },
    "advice": {
        "advice_sought": "yes",
        "advice_sources": ["dsl"],
        "advice_from": "Mrs Patel, designated safeguarding lead",
        "advice_date_0": "3",
        "advice_date_1": "11",
        "advice_date_2": "2026",
        "identity_withheld": "yes",
        "advice_given": "Share the attendance record and notes; keep the neighbour's name out",
    },
    "consent": {"consent_sought": "yes", "consent_from": "Mother"},
    "consent_outcome": {"consent_outcome": "given"},
    "consent_not_sought": {
        "reasons": ["increase_risk"],
        "reason_detail": "Telling the father could put the child at greater risk before the strategy discussion",
    },
    "safety": {
        "impact_of_sharing": "Police can assess the risk at the strategy discussion",
        "impact_of_not_sharing": "The risk of harm would not be assessed with full information",
    },
    "necessary": {"necessary": "yes", "proportionate": "yes"},
    "decision": {"outcome": "share_all", "reasons": "Necessary to protect the child from harm"},
    "without_consent": {"justification": "The child is at risk of harm; rule 3 says consent is not needed"},
    "lawful_basis": {"article6": "e_public_task", "statutory_gateways": ["ca1989_s47", "wt2023"]},
    "consent_basis": {"consent_basis_reason": "The family asked for the referral to early help and can stop it"},
    "special_category": {"article9": "9_2_g_substantial_public_interest", "schedule1": "para_18"},
    "criminal_offence": {"criminal_condition": "para_18"},
    "quality": {"relevant": "yes", "need_to_know": "yes", "adequate": "yes", "accurate": "yes", "timely": "yes"},
    "engage": {
        "engaged": "yes",
        "engaged_who": "Mother",
        "engaged_detail": "I told her on 3 November that I would share the notes with the police, and why",
    },
    "protect_identities": {
        "anyone_at_risk": "yes",
        "at_risk_who": "The neighbour who raised the concern",
        "protection_steps": "Her name and address are left out; the police agreed not to tell the family",
    },
    "sending": {"method": "secure_email", "secure_detail": "Sent to the named officer's secure address"},
    "recipients": {
        "recipient_agency": "West Midlands Police",
        "recipient_person": "PC Jane Smith",
        "recipient_contact": "jane.smith@police.example",
        "shared_date_0": "3",
        "shared_date_1": "11",
        "shared_date_2": "2026",
        "shared_time": "14:30",
    },
    "requester_told": {"requester_told": "yes", "requester_told_how": "Phoned PC Smith on 3 November"},
    "alternatives": {"offered": ["part"], "offered_detail": "Offered the attendance record without the notes"},
}

NO_SHARE_2024 = {"outcome": "no_share", "no_share_reasons": ["not_necessary"], "reasons": "Not necessary"}


def example_answers_2024(overrides: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Stored answers for every 2024 page that applies, given the example posts with `overrides` merged in."""
    overrides = overrides or {}
    flow = wizard.flow_for("2024")
    answers: dict[str, dict[str, Any]] = {}
    # Pages apply depending on earlier answers, so walk them in order as the wizard does.
    step: Step | None = flow.steps[0]
    while step is not None:
        form = step.form_class(data={**EXAMPLE_POSTS_2024[step.key], **overrides.get(step.key, {})})
        if not form.is_valid():
            raise ValidationError(f"Example answers for {step.key} are not valid: {form.errors.as_text()}")
        answers[step.key] = form.to_answers()
        step = flow.next_step(answers, step.key)
    return answers


def record_example_2024_decision(
    *, by: Any, outcome: str = Outcome.SHARE_ALL, overrides: dict[str, dict[str, Any]] | None = None
) -> DecisionVersion:
    """Start, answer and submit one 2024 decision as practitioner `by`, whose organisation must be on the 2024
    edition. Every write goes through the services, so it is audited and counted like any other."""
    overrides = dict(overrides or {})
    if outcome == Outcome.NO_SHARE:
        overrides["decision"] = {**NO_SHARE_2024, **overrides.get("decision", {})}
    elif outcome != Outcome.SHARE_ALL:
        withheld = {"outcome": outcome, "withheld": "The notes of the conversations"}
        overrides["decision"] = {**withheld, **overrides.get("decision", {})}
    membership = membership_of(by)
    if (
        membership is None
        or not Organisation.objects.filter(pk=membership.organisation_id, guidance_edition="2024").exists()
    ):
        raise ValidationError("The practitioner's organisation makes new decisions under another edition")
    draft = services.decision_start(by=by)
    for key, value in example_answers_2024(overrides).items():
        draft = services.draft_save_step(by=by, draft=draft, step_key=key, answers=value)
    return services.decision_submit(by=by, draft=draft)
