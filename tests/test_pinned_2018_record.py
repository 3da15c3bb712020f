"""A 2018 record in the current 2018 layout (layout 2), pinned before the 2024 edition was added.

Its stored answers, canonical JSON and content hash were computed by the code on main before issue 13: adding
an edition, an organisation setting or new questions must not change any of them, and the record keeps
rendering under the July 2018 rules.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from decisions import pdf, signing, wizard
from decisions.models import DecisionVersion, canonical_json
from exports import verification

from .base import World
from .pinned_records import mark_submitted, pinned_decision, pinned_version, pinned_world
from .test_pdf import VERIFY_URL, pdf_text

PINNED_ANSWERS = {
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

PINNED_FACTS = {
    "consent_not_sought_reasons": "",
    "consent_status": "given",
    "lawful_basis": "e_public_task",
    "outcome": "share_all",
    "sharing_method": "secure_email",
    "special_category": False,
    "special_category_condition": "",
}

SUBMITTED = dt.datetime(2026, 11, 5, 10, 11, 12, 345678, tzinfo=dt.UTC)
REFERENCE = "PIN-2026-00001"
PINNED_CANONICAL_JSON = (
    '{"amendment_reason":"","answers":{"advice":{"advice_date":"2026-11-03","advice_from":"Mrs Patel, des'
    'ignated safeguarding lead","advice_given":"Share the attendance record and notes; do not share unrel'
    'ated history","advice_sought":"yes","advice_sources":["dsl"],"identity_withheld":"no","no_advice_rea'
    'son":""},"consent":{"consent_from":"Mother","consent_sought":"yes"},"consent_outcome":{"consent_outc'
    'ome":"given","consent_outcome_detail":""},"decision":{"no_share_reasons":[],"outcome":"share_all","r'
    'easons":"Necessary to protect the child; mother agreed","withheld":""},"information":{"categories":['
    '"family","education"],"criminal_offence":"no","description":"Attendance record and notes of two conv'
    'ersations with the child","special_category":"no"},"lawful_basis":{"article6":"e_public_task","lawfu'
    'l_basis_notes":"","statutory_gateways":["ca1989_s47"]},"necessary":{"necessary":"yes","necessary_exp'
    'lanation":"","necessary_note":"","proportionate":"yes","proportionate_explanation":""},"quality":{"a'
    'ccurate":"yes","accurate_explanation":"","adequate":"yes","adequate_explanation":"","need_to_know":"'
    'yes","need_to_know_explanation":"","quality_note":"","relevant":"yes","relevant_explanation":"","tim'
    'ely":"yes","timely_explanation":""},"recipients":{"other_recipients":"","recipient_agency":"West Mid'
    'lands Police","recipient_contact":"jane.smith@police.example","recipient_person":"PC Jane Smith","sh'
    'ared_date":"2026-11-03","shared_time":"14:30"},"request":{"case_reference":"CASE-123","purpose":"Str'
    'ategy discussion about bruising seen at school","request_date":"2026-11-03","request_origin":"other_'
    'agency","requester_agency":"West Midlands Police","requester_name":"PC Jane Smith","requester_role":'
    '"Police constable","subject_details":"J.B., born 4 May 2015"},"safety":{"impact_of_not_sharing":"The'
    ' risk of harm would not be assessed with full information","impact_of_sharing":"Police can assess th'
    'e risk at the strategy discussion","others_affected":""},"sending":{"method":"secure_email","method_'
    'other":"","secure_detail":"Sent to the named officer\'s secure address"}},"edition":"2018","layout":2'
    ',"organisation":9201,"previous_hash":"","reference":"PIN-2026-00001","submitted_at":"2026-11-05T10:1'
    '1:12.345678+00:00","submitted_by":9202,"version":1}'
)
PINNED_HASH = "b4f2188f816ec919a1bce3d964fdbd57bd8db5418fa508a9d31f77aedd09ccde"


class Pinned2018RecordTests(World):
    version: DecisionVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = pinned_world(
            org_pk=9201, name="Pinned Partnership", slug="pin", owner_pk=9202, owner="pia_practitioner Pia Pinned"
        )
        cls.pia, cls.paul = world.owner, world.auditor
        decision = pinned_decision(world, reference=REFERENCE, edition="2018", at=SUBMITTED, case="CASE-123")
        cls.version = pinned_version(decision, answers=PINNED_ANSWERS, at=SUBMITTED, layout=2, **PINNED_FACTS)
        mark_submitted(decision, cls.version)

    def test_canonical_json_and_hash_are_unchanged(self) -> None:
        version = DecisionVersion.objects.get(pk=self.version.pk)
        assert canonical_json(version.canonical_content()) == PINNED_CANONICAL_JSON
        assert version.content_hash == version.compute_content_hash() == PINNED_HASH

    def test_the_2018_flow_still_accepts_and_states_the_same_facts(self) -> None:
        flow = wizard.flow_for("2018", 2)
        assert flow.validate(PINNED_ANSWERS) == []
        assert flow.facts(PINNED_ANSWERS) == PINNED_FACTS

    def test_it_renders_under_the_2018_rules_and_verifies(self) -> None:
        html = self.client_for(self.pia).get(reverse("decisions:detail", kwargs={"reference": REFERENCE})).content
        page = html.decode()
        assert "July 2018" in page and "May 2024" not in page
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=self.version.pk)
        data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.paul, verify_url=VERIFY_URL))
        assert data is not None
        text = pdf_text(data)
        assert "Golden rule 6: Necessary, proportionate, relevant, adequate, accurate, timely and secure" in text
        assert "Protect identities" not in text
        assert verification.verify_code(self.paul, PINNED_HASH).result == verification.Result.MATCH
