"""Records submitted in layout 1 of the May 2024 edition (before people and recipients became lists on 2024
records) stay exactly as submitted: free-text subject, one recipient, and rule 5 as one question.

The answers are what layout 1's own forms stored (the frozen pages in decisions/wizard_2024_v1.py). Their
canonical JSON and hash are pinned: a refactor that changes either breaks every such record's verification
code. Amending one moves its answers into the current layout (wizard_2024.upgrade_2024_v1), and the
practitioner checks the result.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from audit.models import AuditEvent
from decisions import pdf, signing, wizard
from decisions.models import DecisionDraft, DecisionVersion, canonical_json
from exports import verification

from .base import World
from .pinned_records import mark_submitted, pinned_decision, pinned_version, pinned_world
from .test_pdf import VERIFY_URL, attached_payload, pdf_text
from .wizard_helpers import step_url, valid_post

LAYOUT_1_2024_SHARE_ALL = {
    "advice": {
        "advice_date": "2026-11-03",
        "advice_from": "Mrs Patel, designated safeguarding lead",
        "advice_given": "Share the attendance record and notes; keep the neighbour's name out",
        "advice_sought": "yes",
        "advice_sources": ["dsl"],
        "identity_withheld": "yes",
        "no_advice_reason": "",
    },
    "consent": {"consent_from": "Mother", "consent_sought": "yes"},
    "consent_outcome": {"consent_outcome": "given", "consent_outcome_detail": ""},
    "decision": {
        "no_share_reasons": [],
        "outcome": "share_all",
        "reasons": "Necessary to protect the child from harm",
        "withheld": "",
    },
    "engage": {
        "engaged": "yes",
        "engaged_detail": "I told her on 3 November that I would share the notes with the police, and why",
        "engaged_who": "Mother",
        "not_engaged_reason": "",
    },
    "information": {
        "categories": ["family", "education"],
        "criminal_offence": "no",
        "description": "Attendance record and notes of two conversations with the child",
        "special_category": "no",
    },
    "lawful_basis": {
        "article6": "e_public_task",
        "lawful_basis_notes": "",
        "statutory_gateways": ["ca1989_s47", "wt2023"],
    },
    "necessary": {
        "necessary": "yes",
        "necessary_explanation": "",
        "necessary_note": "",
        "proportionate": "yes",
        "proportionate_explanation": "",
    },
    "protect_identities": {
        "anyone_at_risk": "yes",
        "at_risk_who": "The neighbour who raised the concern",
        "protection_steps": "Her name and address are left out; the police agreed not to tell the family",
    },
    "quality": {
        "accurate": "yes",
        "accurate_explanation": "",
        "adequate": "yes",
        "adequate_explanation": "",
        "need_to_know": "yes",
        "need_to_know_explanation": "",
        "quality_note": "",
        "relevant": "yes",
        "relevant_explanation": "",
        "timely": "yes",
        "timely_explanation": "",
    },
    "recipients": {
        "other_recipients": "",
        "recipient_agency": "West Midlands Police",
        "recipient_contact": "jane.smith@police.example",
        "recipient_person": "PC Jane Smith",
        "shared_date": "2026-11-03",
        "shared_time": "14:30",
    },
    "request": {
        "case_reference": "CASE-2024",
        "purpose": "Strategy discussion about bruising seen at school",
        "request_date": "2026-11-03",
        "request_origin": "other_agency",
        "requester_agency": "West Midlands Police",
        "requester_name": "PC Jane Smith",
        "requester_role": "Police constable",
        "subject_details": "J.B., born 4 May 2015",
    },
    "safety": {
        "impact_of_not_sharing": "The risk of harm would not be assessed with full information",
        "impact_of_sharing": "Police can assess the risk at the strategy discussion",
        "others_affected": "",
    },
    "sending": {
        "method": "secure_email",
        "method_other": "",
        "secure_detail": "Sent to the named officer's secure address",
    },
}

SUBMITTED = dt.datetime(2026, 11, 6, 10, 11, 12, 131415, tzinfo=dt.UTC)
REFERENCE = "MAY-2026-00001"
PINNED_HASH = "bdaa560950edbfcea81ba3cfad9d70f1a8c5fe0083e38b449e4ad74677526cc5"


class Layout1Of2024RecordTests(World):
    version: DecisionVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = pinned_world(
            org_pk=9301, name="May Partnership", slug="may", owner_pk=9302, owner="mae_practitioner Mae One",
            edition="2024",
        )  # fmt: skip
        cls.mae, cls.max = world.owner, world.auditor
        decision = pinned_decision(world, reference=REFERENCE, edition="2024", at=SUBMITTED, case="CASE-2024")
        facts = wizard.flow_for("2024", 1).facts(LAYOUT_1_2024_SHARE_ALL)
        cls.version = pinned_version(decision, answers=LAYOUT_1_2024_SHARE_ALL, at=SUBMITTED, layout=1, **facts)
        mark_submitted(decision, cls.version)

    def test_the_layout_1_pages_are_frozen_and_the_record_is_valid_in_them(self) -> None:
        flow = wizard.flow_for("2024", 1)
        assert flow.validate(LAYOUT_1_2024_SHARE_ALL) == []
        assert flow.step("people") is None
        assert "subject_details" in flow.step("request").form_class.base_fields
        assert "recipient_agency" in flow.step("recipients").form_class.base_fields
        assert list(flow.step("protect_identities").form_class.base_fields) == [
            "anyone_at_risk", "at_risk_who", "protection_steps",
        ]  # fmt: skip
        assert flow.question("protect_identities").title == (
            "How are you protecting the identities of people who could be harmed?"
        )
        assert flow.facts(LAYOUT_1_2024_SHARE_ALL) == {
            "outcome": "share_all",
            "consent_status": "given",
            "consent_not_sought_reasons": "",
            "lawful_basis": "e_public_task",
            "special_category": False,
            "special_category_condition": "",
            "sharing_method": "secure_email",
            "recipient_agencies": "",
        }

    def test_canonical_json_and_hash_are_unchanged(self) -> None:
        version = DecisionVersion.objects.get(pk=self.version.pk)
        content = version.canonical_content()
        assert content["layout"] == 1 and content["edition"] == "2024"
        assert content["answers"] == LAYOUT_1_2024_SHARE_ALL
        assert canonical_json(content).startswith('{"amendment_reason":"","answers":{"advice":')
        assert version.content_hash == version.compute_content_hash() == PINNED_HASH

    def test_the_decision_page_shows_what_layout_1_asked(self) -> None:
        html = self.client_for(self.mae).get(reverse("decisions:detail", kwargs={"reference": REFERENCE}))
        text = html.content.decode()
        assert html.status_code == 200
        assert "Who is the child or family?" in text and "J.B., born 4 May 2015" in text
        assert "Could anyone suffer harm if their details became known?" in text
        assert "The neighbour who raised the concern" in text
        assert "What have you done to protect their identity, and what have you asked the recipient to do?" in text

    def test_the_pdf_renders_and_verifies(self) -> None:
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=self.version.pk)
        data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.max, verify_url=VERIFY_URL))
        assert data is not None
        text = pdf_text(data)
        flat = " ".join(text.split())
        assert "J.B., born 4 May 2015" in flat and "PC Jane Smith, West Midlands Police" in flat
        assert "The neighbour who raised the concern" in flat
        assert attached_payload(data)["verification_code"] == PINNED_HASH
        assert verification.verify_code(self.max, PINNED_HASH).result == verification.Result.MATCH
        by_upload = verification.verify_attached_record(
            self.max, pdf.read_attached_record(data), signing.check_signature(data)
        )
        assert by_upload.result == verification.Result.MATCH, by_upload

    def test_an_amendment_moves_the_answers_into_layout_2_for_the_practitioner_to_check(self) -> None:
        client = self.client_for(self.mae)
        client.post(reverse("decisions:amend", kwargs={"reference": REFERENCE}), {"reason": "People as rows"})
        draft = DecisionDraft.objects.open().get(decision__reference=REFERENCE)
        assert draft.layout == wizard.current_layout("2024") == 2
        event = AuditEvent.objects.filter(target_ref=REFERENCE, action="decision_amend_start").get()
        assert event.details == {"amends_version": 1, "from_layout": 1, "to_layout": 2}
        # The single recipient is the first of the list; the subject and rule 5's answer wait to be checked.
        assert draft.answers["recipients"]["recipients"][0]["agency"] == "West Midlands Police"
        assert draft.unfinished["people"]["carried_subject"] == "J.B., born 4 May 2015"
        assert draft.unfinished["people"]["carried_at_risk"] == "The neighbour who raised the concern"
        assert "Her name and address are left out" in draft.unfinished["protect_identities"]["carried_protection"]
        check_url = reverse("decisions:check", kwargs={"reference": REFERENCE})
        assert "recorded with an earlier set of questions" in client.get(check_url).content.decode()
        assert client.post(check_url, {"declaration": "on"}).status_code == 200  # not until checked

        people_url = step_url(REFERENCE, "people")
        page = client.get(people_url).content.decode()
        assert "J.B., born 4 May 2015" in page and "The neighbour who raised the concern" in page
        client.post(people_url, {**valid_post("people"), "full_name": "J.B."})
        neighbour = {"action": "new", "full_name": "Pat Green", "birth_date_accuracy": "unknown", "part": "other_adult"}
        client.post(people_url, {**neighbour, "protect_identity": "on"})
        client.post(people_url, {"action": "clear_carried"})
        assert client.post(people_url, {"action": "continue"}).status_code == 302
        draft.refresh_from_db()
        child, pat = (str(p["person_id"]) for p in draft.answers["people"]["people"])
        consent = {**valid_post("consent"), "consent_from": child}
        assert client.post(step_url(REFERENCE, "consent"), consent).status_code == 302
        # Rule 5's old answer is shown on its page until it is answered for each protected person.
        protect_url = step_url(REFERENCE, "protect_identities")
        page = client.get(protect_url).content.decode()
        assert "The earlier version of this record said: Who could be harmed: The neighbour who raised" in page
        assert "What have you done to protect Pat Green's identity" in page
        # Saved for later half-done, the page keeps the earlier record's note with what was typed.
        assert client.post(protect_url, {f"protect_{pat}": "", "later": "1"}).status_code == 302
        draft.refresh_from_db()
        assert "Her name and address are left out" in draft.unfinished["protect_identities"]["carried_protection"]
        assert "The earlier version of this record said" in client.get(protect_url).content.decode()
        assert client.post(protect_url, {f"protect_{pat}": "Her name is left out"}).status_code == 302
        draft.refresh_from_db()
        assert draft.answers["protect_identities"] == {"protection": {pat: "Her name is left out"}}
        recipients_url = step_url(REFERENCE, "recipients")
        assert client.post(recipients_url, {"action": "continue"}).status_code == 302
        response = client.post(check_url, {"declaration": "on"})
        assert response.status_code == 302, response.content.decode()[:3000]

        v2 = DecisionVersion.objects.get(decision__reference=REFERENCE, number=2)
        assert (v2.edition, v2.layout) == ("2024", 2) and v2.recipient_agencies == "West Midlands Police"
        assert verification.verify_code(self.max, v2.content_hash).result == verification.Result.MATCH
        # Version 1 is untouched and still verifies, and reads as it was answered.
        assert DecisionVersion.objects.get(pk=self.version.pk).compute_content_hash() == PINNED_HASH
        first = client.get(reverse("decisions:detail", kwargs={"reference": REFERENCE}) + "?version=1")
        assert "J.B., born 4 May 2015" in first.content.decode()
