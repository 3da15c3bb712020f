"""Records submitted before the flow was reshaped (layout 1 of the 2018 edition) stay exactly as submitted.

The answers below are what the wizard stored before issue 11 (produced by that wizard's own forms), so this
test pins their canonical JSON and hash: a refactor that changes either would break every old record's
verification code. They must keep rendering on the decision page and in the PDF, and keep verifying.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from audit.models import AuditEvent
from decisions import pdf, services, signing, wizard
from decisions.models import Decision, DecisionDraft, DecisionVersion, canonical_json
from exports import verification

from .base import World
from .pinned_records import mark_submitted, pinned_decision, pinned_version, pinned_world
from .test_pdf import VERIFY_URL, attached_payload, pdf_text
from .wizard_helpers import walk

# Exactly as the wizard stored a "share all" and a "do not share" decision before the flow was reshaped.
OLD_SHARE_ALL = {
    "advice": {
        "advice_date": "2026-11-03",
        "advice_from": "Mrs Patel, designated safeguarding lead",
        "advice_given": "Share the attendance record and notes; do not share unrelated history",
        "advice_sought": "yes",
        "advice_sources": ["dsl"],
        "identity_withheld": "no",
        "no_advice_reason": "",
    },
    "consent": {"consent_appropriate": "yes", "consent_from": "Mother", "consent_sought": "yes"},
    "consent_outcome": {"consent_outcome": "given", "consent_outcome_detail": ""},
    "decision": {"outcome": "share_all", "reasons": "Necessary to protect the child; mother agreed", "withheld": ""},
    "information": {
        "categories": ["family", "education"],
        "criminal_offence": "no",
        "description": "Attendance record and notes of two conversations with the child",
        "special_category": "no",
    },
    "lawful_basis": {"article6": "e_public_task", "lawful_basis_notes": "", "statutory_gateways": ["ca1989_s47"]},
    "open_honest": {"not_told_reason": "", "told": "yes", "told_detail": "Mother was told by me on 3 November"},
    "recipients": {
        "method": "secure_email",
        "other_recipients": "",
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
    "rule6": {
        "accurate": "yes",
        "accurate_explanation": "It is accurate because the school nurse needs it today.",
        "adequate": "yes",
        "adequate_explanation": "It is adequate because the school nurse needs it today.",
        "necessary": "yes",
        "necessary_explanation": "It is necessary because the school nurse needs it today.",
        "proportionate": "yes",
        "proportionate_explanation": "It is proportionate because the school nurse needs it today.",
        "relevant": "yes",
        "relevant_explanation": "It is relevant because the school nurse needs it today.",
        "secure": "yes",
        "secure_explanation": "It is secure because the school nurse needs it today.",
        "secure_method": "Secure email to the named social worker",
        "timely": "yes",
        "timely_explanation": "It is timely because the school nurse needs it today.",
    },
    "safety": {
        "impact_of_not_sharing": "The risk of harm would not be assessed with full information",
        "impact_of_sharing": "Police can assess the risk at the strategy discussion",
        "others_affected": "",
    },
}

OLD_NO_SHARE = {
    "advice": {
        "advice_date": "2026-11-03",
        "advice_from": "Mrs Patel, designated safeguarding lead",
        "advice_given": "Share the attendance record and notes; do not share unrelated history",
        "advice_sought": "yes",
        "advice_sources": ["dsl"],
        "identity_withheld": "no",
        "no_advice_reason": "",
    },
    "consent": {"consent_appropriate": "yes", "consent_from": "Mother", "consent_sought": "yes"},
    "consent_outcome": {"consent_outcome": "given", "consent_outcome_detail": ""},
    "decision": {"outcome": "no_share", "reasons": "Not necessary: the school already knows", "withheld": ""},
    "information": {
        "categories": ["family", "education"],
        "criminal_offence": "no",
        "description": "Attendance record and notes of two conversations with the child",
        "special_category": "no",
    },
    "lawful_basis": {"article6": "e_public_task", "lawful_basis_notes": "", "statutory_gateways": ["ca1989_s47"]},
    "open_honest": {"not_told_reason": "", "told": "yes", "told_detail": "Mother was told by me on 3 November"},
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
    "rule6": {
        "accurate": "yes",
        "accurate_explanation": "It is accurate because the school nurse needs it today.",
        "adequate": "yes",
        "adequate_explanation": "It is adequate because the school nurse needs it today.",
        "necessary": "no",
        "necessary_explanation": "The school nurse already has it.",
        "proportionate": "yes",
        "proportionate_explanation": "It is proportionate because the school nurse needs it today.",
        "relevant": "yes",
        "relevant_explanation": "It is relevant because the school nurse needs it today.",
        "secure": "yes",
        "secure_explanation": "It is secure because the school nurse needs it today.",
        "secure_method": "Secure email to the named social worker",
        "timely": "yes",
        "timely_explanation": "It is timely because the school nurse needs it today.",
    },
    "safety": {
        "impact_of_not_sharing": "The risk of harm would not be assessed with full information",
        "impact_of_sharing": "Police can assess the risk at the strategy discussion",
        "others_affected": "",
    },
}

SUBMITTED_V1 = dt.datetime(2026, 11, 3, 15, 4, 5, 123456, tzinfo=dt.UTC)
SUBMITTED_V2 = dt.datetime(2026, 11, 4, 9, 30, 0, 654321, tzinfo=dt.UTC)
REFERENCE = "OLD-2026-00001"

# Pinned before the flow was reshaped: these must never change.
V1_CANONICAL_JSON = (
    '{"amendment_reason":"","answers":{"advice":{"advice_date":"2026-11-03","advice_from":"Mrs Patel, des'
    'ignated safeguarding lead","advice_given":"Share the attendance record and notes; do not share unrel'
    'ated history","advice_sought":"yes","advice_sources":["dsl"],"identity_withheld":"no","no_advice_rea'
    'son":""},"consent":{"consent_appropriate":"yes","consent_from":"Mother","consent_sought":"yes"},"con'
    'sent_outcome":{"consent_outcome":"given","consent_outcome_detail":""},"decision":{"outcome":"share_a'
    'll","reasons":"Necessary to protect the child; mother agreed","withheld":""},"information":{"categor'
    'ies":["family","education"],"criminal_offence":"no","description":"Attendance record and notes of tw'
    'o conversations with the child","special_category":"no"},"lawful_basis":{"article6":"e_public_task",'
    '"lawful_basis_notes":"","statutory_gateways":["ca1989_s47"]},"open_honest":{"not_told_reason":"","to'
    'ld":"yes","told_detail":"Mother was told by me on 3 November"},"recipients":{"method":"secure_email"'
    ',"other_recipients":"","recipient_agency":"West Midlands Police","recipient_contact":"jane.smith@pol'
    'ice.example","recipient_person":"PC Jane Smith","shared_date":"2026-11-03","shared_time":"14:30"},"r'
    'equest":{"case_reference":"CASE-123","purpose":"Strategy discussion about bruising seen at school","'
    'request_date":"2026-11-03","request_origin":"other_agency","requester_agency":"West Midlands Police"'
    ',"requester_name":"PC Jane Smith","requester_role":"Police constable","subject_details":"J.B., born '
    '4 May 2015"},"rule6":{"accurate":"yes","accurate_explanation":"It is accurate because the school nur'
    'se needs it today.","adequate":"yes","adequate_explanation":"It is adequate because the school nurse'
    ' needs it today.","necessary":"yes","necessary_explanation":"It is necessary because the school nurs'
    'e needs it today.","proportionate":"yes","proportionate_explanation":"It is proportionate because th'
    'e school nurse needs it today.","relevant":"yes","relevant_explanation":"It is relevant because the '
    'school nurse needs it today.","secure":"yes","secure_explanation":"It is secure because the school n'
    'urse needs it today.","secure_method":"Secure email to the named social worker","timely":"yes","time'
    'ly_explanation":"It is timely because the school nurse needs it today."},"safety":{"impact_of_not_sh'
    'aring":"The risk of harm would not be assessed with full information","impact_of_sharing":"Police ca'
    'n assess the risk at the strategy discussion","others_affected":""}},"edition":"2018","organisation"'
    ':9101,"previous_hash":"","reference":"OLD-2026-00001","submitted_at":"2026-11-03T15:04:05.123456+00:'
    '00","submitted_by":9102,"version":1}'
)
V1_HASH = "148700398d795638dc8355f19058e9719e76f9b5715d343754bcdb750d236cb0"
V2_HASH = "dafe5ab9b847041fa71b2fcb749b6c0ba087c6b4953a1255e8b249ae554ae034"


class OldRecordTests(World):
    """One decision submitted in the old shape: v1 shared all, v2 amended it to "do not share"."""

    v1: DecisionVersion
    v2: DecisionVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = pinned_world(
            org_pk=9101, name="Old Records Partnership", slug="old", owner_pk=9102, owner="olive_practitioner Olive Old"
        )
        cls.olive, cls.oscar = world.owner, world.auditor
        decision = pinned_decision(world, reference=REFERENCE, edition="2018", at=SUBMITTED_V1, case="CASE-123")
        cls.v1 = cls.old_version(
            decision, 1, OLD_SHARE_ALL, SUBMITTED_V1, None, "", outcome="share_all", lawful_basis="e_public_task"
        )
        cls.v2 = cls.old_version(
            decision,
            2,
            OLD_NO_SHARE,
            SUBMITTED_V2,
            cls.v1,
            "The school nurse already has the information",
            outcome="no_share",
            lawful_basis="e_public_task",
        )
        mark_submitted(decision, cls.v2)

    @classmethod
    def old_version(
        cls,
        decision: Decision,
        number: int,
        answers: dict,
        at: dt.datetime,
        previous: DecisionVersion | None,
        reason: str,
        **facts: str,
    ) -> DecisionVersion:
        """A version row as the old decision_submit wrote it (no layout given: the first layout)."""
        return pinned_version(
            decision, number=number, answers=answers, at=at, previous=previous, reason=reason, consent_status="given",
            consent_not_sought_reasons="", special_category=False, special_category_condition="", **facts,
        )  # fmt: skip

    def test_canonical_json_and_hashes_are_unchanged(self) -> None:
        v1 = DecisionVersion.objects.get(pk=self.v1.pk)
        v2 = DecisionVersion.objects.get(pk=self.v2.pk)
        assert canonical_json(v1.canonical_content()) == V1_CANONICAL_JSON
        assert v1.content_hash == v1.compute_content_hash() == V1_HASH
        assert v2.content_hash == v2.compute_content_hash() == V2_HASH

    def test_the_decision_page_shows_each_version_as_submitted(self) -> None:
        client = self.client_for(self.olive)
        current = client.get(reverse("decisions:detail", kwargs={"reference": REFERENCE}))
        assert current.status_code == 200
        html = current.content.decode()
        # The old pages, with their old questions, including the lawful basis a "do not share" record stated.
        assert "Is the information necessary, proportionate, relevant, adequate, accurate, timely and secure?" in html
        assert "What is the lawful basis for sharing?" in html and "Article 6(1)(e) public task" in html
        assert "The school nurse already has it." in html and "Do not share" in html
        assert "Show amendments (1)" in html
        first = client.get(reverse("decisions:detail", kwargs={"reference": REFERENCE}) + "?version=1")
        html = first.content.decode()
        assert (
            "Version 1 of 2" in html and "PC Jane Smith" in html and "Secure email to the named social worker" in html
        )

    def test_the_pdf_renders_the_old_shape_and_verifies(self) -> None:
        for version, code in ((self.v1, V1_HASH), (self.v2, V2_HASH)):
            version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=version.pk)
            data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.oscar, verify_url=VERIFY_URL))
            assert data is not None
            text = pdf_text(data)
            assert "Is the information necessary, proportionate, relevant, adequate, accurate, timely" in text
            assert "Article 6(1)(e) public task" in text
            payload = attached_payload(data)
            assert payload["verification_code"] == code
            assert canonical_json(payload["content"]) == canonical_json(version.canonical_content())
            by_code = verification.verify_code(self.oscar, code)
            assert by_code.result == verification.Result.MATCH, by_code
            by_upload = verification.verify_attached_record(
                self.oscar, pdf.read_attached_record(data), signing.check_signature(data)
            )
            assert by_upload.result == verification.Result.MATCH, by_upload

    def test_an_amendment_moves_the_answers_into_the_current_questions(self) -> None:
        client = self.client_for(self.olive)
        amend_url = reverse("decisions:amend", kwargs={"reference": REFERENCE})
        response = client.post(amend_url, {"reason": "The family asked what we did instead"})
        check_url = reverse("decisions:check", kwargs={"reference": REFERENCE})
        assert response["Location"] == check_url
        draft = DecisionDraft.objects.open().get(decision__reference=REFERENCE)
        assert draft.layout == wizard.current_layout()
        event = AuditEvent.objects.filter(target_ref=REFERENCE, action="decision_amend_start").get()
        assert event.details == {"amends_version": 2, "from_layout": 1, "to_layout": wizard.current_layout()}
        # What maps is carried over: one consent question, necessary and proportionate, the reasons not to share
        # (through layout 2, where whom consent was sought from was text; layout 3 asks for a person on the record).
        assert wizard.upgrade_2018_v1(OLD_NO_SHARE)["consent"] == {"consent_sought": "yes", "consent_from": "Mother"}
        assert draft.unfinished["consent"]["consent_sought"] == "yes"
        assert draft.answers["necessary"]["necessary"] == "no"
        assert draft.answers["necessary"]["necessary_explanation"] == "The school nurse already has it."
        assert draft.answers["necessary"]["necessary_note"].startswith("Proportionate: It is proportionate")
        assert draft.answers["decision"]["no_share_reasons"] == ["not_necessary"]
        check = client.get(check_url).content.decode()
        assert "recorded with an earlier set of questions" in check
        assert "What is the lawful basis for sharing?" not in check  # not asked when nothing is shared
        assert "Not answered" in check  # the new questions about not sharing
        walk(client, REFERENCE, ["people", "consent", "requester_told", "alternatives"])
        client.post(
            reverse("decisions:step", kwargs={"reference": REFERENCE, "step": "people"}), {"action": "clear_carried"}
        )
        response = client.post(check_url, {"declaration": "on"})
        assert response.status_code == 302, response.content.decode()[:2000]
        v3 = DecisionVersion.objects.get(decision__reference=REFERENCE, number=3)
        assert v3.layout == wizard.current_layout() and v3.lawful_basis == "" and v3.sharing_method == ""
        assert v3.canonical_content()["layout"] == v3.layout
        assert v3.content_hash == v3.compute_content_hash()
        assert verification.verify_code(self.oscar, v3.content_hash).result == verification.Result.MATCH
        # The old versions are untouched and still verify.
        assert DecisionVersion.objects.get(pk=self.v1.pk).compute_content_hash() == V1_HASH
        assert DecisionVersion.objects.get(pk=self.v2.pk).compute_content_hash() == V2_HASH
        detail = client.get(reverse("decisions:detail", kwargs={"reference": REFERENCE})).content.decode()
        assert "Show amendments (2)" in detail and "Referred the family to early help" in detail
        v3 = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=v3.pk)
        text = pdf_text(pdf.render_pdf(v3, generated_by=self.oscar, verify_url=VERIFY_URL) or b"")
        assert "Not needed: nothing was shared" in text and "Referred the family to early help" in text

    def test_an_old_share_all_record_maps_every_page_but_the_new_question(self) -> None:
        """Every answer of a "share all" record maps; the one question the old pages never asked (shared only
        with those who need it) is left for the practitioner."""
        draft = services.decision_amend_start(by=self.olive, decision=self.v2.decision, reason="Check")
        old = wizard.flow_for("2018", 1)
        answers, layout = wizard.upgrade_2018_v1(OLD_SHARE_ALL), 2
        current = wizard.flow_for("2018", layout)
        assert [(p.step, p.field) for p in current.validate(answers)] == [("quality", "need_to_know")]
        assert answers["quality"]["quality_note"].startswith("Relevant: It is relevant because")
        assert answers["sending"] == {
            "method": "secure_email",
            "method_other": "",
            "secure_detail": "Secure email to the named social worker",
        }
        assert "method" not in answers["recipients"]
        assert (
            current.facts(current.relevant_answers(answers))["lawful_basis"] == old.facts(OLD_SHARE_ALL)["lawful_basis"]
        )
        assert draft.layout == wizard.current_layout()
