"""Records submitted in layout 2 of the 2018 edition (before people and recipients became lists) stay exactly
as submitted: free-text subject, one recipient and "anyone else" as text.

The answers are what layout 2's own forms stored (the frozen pages in decisions/wizard_2018_v2.py). Their
canonical JSON and hash are pinned: a refactor that changes either breaks every layout 2 record's verification
code. Amending one moves its answers into the current layout, and the practitioner checks the result.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from audit.models import AuditEvent
from decisions import pdf, signing, wizard
from decisions.models import DecisionDraft, DecisionPerson, DecisionVersion, canonical_json
from exports import verification

from .base import World
from .pinned_records import mark_submitted, pinned_decision, pinned_version, pinned_world
from .test_pdf import VERIFY_URL, attached_payload, pdf_text
from .wizard_helpers import step_url, valid_post

LAYOUT_2_SHARE_ALL = {
    "advice": {
        "advice_date": "2026-11-03",
        "advice_from": "Mrs Patel, designated safeguarding lead",
        "advice_given": "Share the attendance record and notes; do not share unrelated history",
        "advice_sought": "yes",
        "advice_sources": ["dsl"],
        "identity_withheld": "no",
        "no_advice_reason": "",
    },
    "consent": {"consent_from": "Mother", "consent_sought": "yes"},
    "consent_outcome": {"consent_outcome": "given", "consent_outcome_detail": ""},
    "decision": {
        "no_share_reasons": [],
        "outcome": "share_all",
        "reasons": "Necessary to protect the child; mother agreed",
        "withheld": "",
    },
    "information": {
        "categories": ["family", "education"],
        "criminal_offence": "no",
        "description": "Attendance record and notes of two conversations with the child",
        "special_category": "no",
    },
    "lawful_basis": {"article6": "e_public_task", "lawful_basis_notes": "", "statutory_gateways": ["ca1989_s47"]},
    "necessary": {
        "necessary": "yes",
        "necessary_explanation": "",
        "necessary_note": "",
        "proportionate": "yes",
        "proportionate_explanation": "",
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
        "other_recipients": "Northshire NHS Trust, Dr Lee, by secure email on 3 November",
        "recipient_agency": "West Midlands Police",
        "recipient_contact": "jane.smith@police.example",
        "recipient_person": "PC Jane Smith",
        "shared_date": "2026-11-03",
        "shared_time": "14:30",
    },
    "request": {
        "case_reference": "CASE-123",
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

SUBMITTED = dt.datetime(2026, 11, 5, 11, 12, 13, 141516, tzinfo=dt.UTC)
REFERENCE = "LTW-2026-00001"
PINNED_HASH = "10639dc2b90a08ecbaa5c261ca96ce0c3ea9d269648c97ec925e843c19ea2773"


class Layout2RecordTests(World):
    version: DecisionVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = pinned_world(
            org_pk=9201, name="Layout Two Partnership", slug="ltw", owner_pk=9202, owner="lena_practitioner Lena Two"
        )
        cls.lena, cls.lars = world.owner, world.auditor
        decision = pinned_decision(world, reference=REFERENCE, edition="2018", at=SUBMITTED, case="CASE-123")
        cls.version = pinned_version(
            decision,
            answers=LAYOUT_2_SHARE_ALL,
            at=SUBMITTED,
            layout=2,
            **wizard.flow_for("2018", 2).facts(LAYOUT_2_SHARE_ALL),
        )
        mark_submitted(decision, cls.version)

    def test_the_layout_2_pages_are_frozen_and_the_record_is_valid_in_them(self) -> None:
        flow = wizard.flow_for("2018", 2)
        assert flow.validate(LAYOUT_2_SHARE_ALL) == []
        assert flow.question("request").title == "About the request"
        assert "subject_details" in flow.step("request").form_class.base_fields
        assert "other_recipients" in flow.step("recipients").form_class.base_fields
        assert flow.step("people") is None

    def test_canonical_json_and_hash_are_unchanged(self) -> None:
        version = DecisionVersion.objects.get(pk=self.version.pk)
        content = version.canonical_content()
        assert content["layout"] == 2 and content["answers"] == LAYOUT_2_SHARE_ALL
        assert canonical_json(content).startswith('{"amendment_reason":"","answers":{"advice":')
        assert version.content_hash == version.compute_content_hash() == PINNED_HASH

    def test_the_decision_page_shows_the_free_text_subject_and_single_recipient(self) -> None:
        html = self.client_for(self.lena).get(reverse("decisions:detail", kwargs={"reference": REFERENCE}))
        text = html.content.decode()
        assert html.status_code == 200
        assert "Who is the child or family?" in text and "J.B., born 4 May 2015" in text
        assert "Anyone else it was shared with (optional)" in text and "Dr Lee" in text

    def test_the_pdf_renders_and_verifies(self) -> None:
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=self.version.pk)
        data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.lars, verify_url=VERIFY_URL))
        assert data is not None
        text = pdf_text(data)
        assert "J.B., born 4 May 2015" in text and "PC Jane Smith, West Midlands Police" in text and "Dr Lee" in text
        assert attached_payload(data)["verification_code"] == PINNED_HASH
        assert verification.verify_code(self.lars, PINNED_HASH).result == verification.Result.MATCH
        by_upload = verification.verify_attached_record(
            self.lars, pdf.read_attached_record(data), signing.check_signature(data)
        )
        assert by_upload.result == verification.Result.MATCH, by_upload

    def test_an_amendment_moves_the_answers_into_the_new_shape_for_the_practitioner_to_check(self) -> None:
        client = self.client_for(self.lena)
        client.post(reverse("decisions:amend", kwargs={"reference": REFERENCE}), {"reason": "People as rows"})
        draft = DecisionDraft.objects.open().get(decision__reference=REFERENCE)
        assert draft.layout == wizard.current_layout() == 3
        event = AuditEvent.objects.filter(target_ref=REFERENCE, action="decision_amend_start").get()
        assert event.details == {"amends_version": 1, "from_layout": 2, "to_layout": 3}
        # The single recipient is the first of the list; "anyone else" and the subject wait to be checked.
        assert draft.unfinished["recipients"]["recipients"][0]["agency"] == "West Midlands Police"
        assert draft.unfinished["recipients"]["recipients"][0]["method"] == "secure_email"
        assert "Dr Lee" in draft.unfinished["recipients"]["carried_others"]
        assert draft.unfinished["people"]["carried_subject"] == "J.B., born 4 May 2015"
        assert "subject_details" not in draft.answers["request"]
        check_url = reverse("decisions:check", kwargs={"reference": REFERENCE})
        check = client.get(check_url).content.decode()
        assert "recorded with an earlier set of questions" in check
        assert client.post(check_url, {"declaration": "on"}).status_code == 200  # not until checked

        people_url = step_url(REFERENCE, "people")
        page = client.get(people_url).content.decode()
        assert "J.B., born 4 May 2015" in page
        client.post(people_url, {**valid_post("people"), "full_name": "J.B."})
        client.post(people_url, {"action": "continue"})
        # Consent is now sought from a person on the record: the old "Mother" is asked again.
        # An amendment's people are the decision's only once it is submitted: until then they are in the draft.
        assert not DecisionPerson.objects.filter(decision__reference=REFERENCE).exists()
        draft.refresh_from_db()
        person_id = draft.answers["people"]["people"][0]["person_id"]
        consent = {**valid_post("consent"), "consent_from": str(person_id)}
        assert client.post(step_url(REFERENCE, "consent"), consent).status_code == 302
        recipients_url = step_url(REFERENCE, "recipients")
        assert "Dr Lee" in client.get(recipients_url).content.decode()
        client.post(recipients_url, {**valid_post("recipients"), "agency": "Northshire NHS Trust", "person": "Dr Lee"})
        client.post(recipients_url, {"action": "clear_carried"})
        assert client.post(recipients_url, {"action": "continue"}).status_code == 302
        response = client.post(check_url, {"declaration": "on"})
        assert response.status_code == 302, response.content.decode()[:3000]

        v2 = DecisionVersion.objects.get(decision__reference=REFERENCE, number=2)
        assert v2.layout == 3 and v2.recipient_agencies.splitlines() == ["West Midlands Police", "Northshire NHS Trust"]
        assert v2.amendment_reason == "People as rows"
        assert DecisionPerson.objects.filter(decision__reference=REFERENCE).count() == 1
        assert verification.verify_code(self.lars, v2.content_hash).result == verification.Result.MATCH
        # Version 1 is untouched and still verifies.
        assert DecisionVersion.objects.get(pk=self.version.pk).compute_content_hash() == PINNED_HASH
        first = client.get(reverse("decisions:detail", kwargs={"reference": REFERENCE}) + "?version=1")
        assert "J.B., born 4 May 2015" in first.content.decode()
