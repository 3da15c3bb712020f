"""Valid answers for every question page, and helpers that keep wizard tests short."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from decisions.models import DecisionDraft


def valid_post(step: str, **overrides: Any) -> dict[str, Any]:
    """POST data a practitioner would send for `step` on the main path (consent given, share all), and for the
    pages of the other branches."""
    base: dict[str, dict[str, Any]] = {
        "request": {
            "request_origin": "other_agency",
            "requester_name": "PC Jane Smith",
            "requester_role": "Police constable",
            "requester_agency": "West Midlands Police",
            "request_date_0": "3",
            "request_date_1": "11",
            "request_date_2": "2026",
            "case_reference": "CASE-123",
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
            "identity_withheld": "no",
            "advice_given": "Share the attendance record and notes; do not share unrelated history",
        },
        # consent_from is a person on the record: post_step and the factories fill in the first one.
        "consent": {
            "consent_sought": "yes",
            "consent_from": "",
            "consent_date_0": "3",
            "consent_date_1": "1",
            "consent_date_2": "2020",
            "consent_how": "in_person",
            "young_person": "no",
        },
        "consent_outcome": {
            "consent_outcome": "given",
            "consent_given_what": "The attendance record and the notes of the home visit",
            "consent_given_with": "The police child protection team",
            "consent_given_recorded": "Signed form on the case file",
        },
        "consent_not_sought": {"reasons": ["delay"], "reason_delay": "The strategy discussion is in an hour"},
        "lawful_basis": {"article6": "e_public_task", "statutory_gateways": ["ca1989_s47"]},
        "special_category": {"article9": "9_2_g_substantial_public_interest", "schedule1": "para_18"},
        "criminal_offence": {"criminal_condition": "para_18"},
        "safety": {
            "impact_of_sharing": "Police can assess the risk at the strategy discussion",
            "impact_of_not_sharing": "The risk of harm would not be assessed with full information",
        },
        "necessary": {"necessary": "yes", "proportionate": "yes"},
        "quality": {"relevant": "yes", "need_to_know": "yes", "adequate": "yes", "accurate": "yes", "timely": "yes"},
        # How it was sent is asked for each recipient (issue 24): this page asks only what else kept it secure.
        "sending": {"secure_detail": "Sent to the named officer's secure address"},
        "open_honest": {"told": "yes", "told_detail": "Mother was told by me on 3 November"},
        "decision": {"outcome": "share_all", "reasons": "Necessary to protect the child; mother agreed"},
        "without_consent": {"justification": "Risk of significant harm outweighs the refusal"},
        # The list pages: one entry added (walk and post_step then press "Save and continue").
        "people": {
            "action": "new",
            "full_name": "Jamie Brown",
            "birth_date_accuracy": "exact",
            "date_of_birth_0": "4",
            "date_of_birth_1": "5",
            "date_of_birth_2": "2015",
            "part": "child",
        },
        "recipients": {
            "action": "add",
            "agency": "West Midlands Police",
            "person": "PC Jane Smith",
            "contact": "jane.smith@police.example",
            "shared_date_0": "3",
            "shared_date_1": "11",
            "shared_date_2": "2026",
            "shared_time": "14:30",
            "method": "secure_email",
        },
        "requester_told": {"requester_told": "yes", "requester_told_how": "Phoned PC Smith on 3 November"},
        "alternatives": {"offered": ["referral"], "offered_detail": "Referred the family to early help"},
    }
    data = dict(base[step])
    data.update(overrides)
    # As a practitioner's browser does: a follow-up of an answer the overrides did not choose is left empty
    # (the page refuses text typed under an answer that was not chosen).
    for name, controller, values in _conditional_of(step):
        chosen = data.get(controller)
        applies = bool(set(chosen) & set(values)) if isinstance(chosen, list) else chosen in values
        if not applies and name not in overrides:
            for key in (name, f"{name}_0", f"{name}_1", f"{name}_2"):
                data.pop(key, None)
    return data


def _conditional_of(step: str) -> list[tuple[str, str, tuple[str, ...]]]:
    from decisions import forms, wizard

    if step in ("people", "recipients"):
        return (forms.NewPersonForm if step == "people" else forms.RecipientForm).conditional
    found = wizard.step_by_key("2018", step) or wizard.step_by_key("2024", step)
    return list(getattr(found.form_class, "conditional", [])) if found else []


def step_url(reference: str, step: str) -> str:
    return reverse("decisions:step", kwargs={"reference": reference, "step": step})


def post_step(
    client: Client,
    draft_or_ref: DecisionDraft | str,
    step: str,
    data: dict[str, Any] | None = None,
    **overrides: Any,
) -> Any:
    reference = draft_or_ref if isinstance(draft_or_ref, str) else draft_or_ref.decision.reference
    if step == "consent" and data is None and "consent_from" not in overrides:
        if not first_person_id(reference) and overrides.get("consent_sought", "yes") == "yes":
            # Consent is sought from a person on the record: a test that skipped the people page gets one.
            post_step(client, reference, "people")
        overrides = {**overrides, "consent_from": first_person_id(reference)}
    if step in LIST_STEPS and data is None:
        added = client.post(step_url(reference, step), valid_post(step, **overrides))
        if added.status_code != 302:
            return added  # the entry was refused: the page with its errors
        return client.post(step_url(reference, step), {"action": "continue"})
    return client.post(step_url(reference, step), data if data is not None else valid_post(step, **overrides))


def first_person_id(reference: str) -> str:
    draft = DecisionDraft.objects.open().filter(decision__reference=reference).first()
    entries = ((draft.answers if draft else {}).get("people") or {}).get("people") or []
    return str(entries[0]["person_id"]) if entries else ""


# Pages whose answer is a list, built one entry at a time.
LIST_STEPS = ("people", "recipients")


# Consent given, share all, no special category or criminal offence data, asked by another agency.
MAIN_PATH = [
    "request",
    "people",
    "information",
    "advice",
    "consent",
    "consent_outcome",
    "safety",
    "necessary",
    "decision",
    "lawful_basis",
    "quality",
    "sending",
    "recipients",
]
# The same request, not shared: the pages after the decision are about not sharing.
NO_SHARE_PATH = [*MAIN_PATH[: MAIN_PATH.index("decision") + 1], "requester_told", "alternatives"]
SHARE_SOME = {"outcome": "share_some", "shared_part": "Attendance record", "withheld": "Health records, not relevant"}
NO_SHARE = {"outcome": "no_share", "no_share_reasons": ["no_role"], "reasons": "They do not need it"}


def start(client: Client) -> str:
    response = client.post(reverse("decisions:start"))
    assert response.status_code == 302, response
    return response["Location"].split("/")[2]


def walk(client: Client, reference: str, steps: list[str], overrides: dict[str, dict[str, Any]] | None = None) -> None:
    overrides = overrides or {}
    for step in steps:
        response = post_step(client, reference, step, **overrides.get(step, {}))
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def submit(client: Client, reference: str) -> Any:
    return client.post(reverse("decisions:check", kwargs={"reference": reference}), {"declaration": "on"})
