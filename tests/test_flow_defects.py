"""One test per defect found when the wizard was tried through every branch (issue 11).

Each of these was written before its fix and failed against the wizard as it was; the note on each says how.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from decisions.models import Decision, DecisionDraft, DecisionVersion

from .base import PASSWORD, World, form_errors
from .factories import answers_for, make_submitted_decision
from .wizard_helpers import post_step, start, step_url, submit, walk

# Pages that exist before and after the reshaping, up to the point where the request is weighed.
WEIGH = ["request", "people", "information", "advice", "consent", "consent_outcome", "safety"]
PROCEDURE_THRESHOLD = (
    "is likely to place the child at risk of significant harm through delay, or the parent's actions or "
    "reactions, or lead to the loss of evidential material"
)


def check_url(reference: str) -> str:
    return reverse("decisions:check", kwargs={"reference": reference})


def text_of(response: Any) -> str:
    return html_lib.unescape(response.content.decode())


class FlowDefectTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)

    def set_answers(self, keys: list[str], overrides: dict[str, dict[str, Any]] | None = None) -> DecisionDraft:
        draft = DecisionDraft.objects.get(decision__reference=self.reference)
        draft.answers = answers_for(keys, overrides)
        draft.save()
        return draft

    # 1. Before: "do not share" still had to answer the lawful basis, "secure" and "How will it be sent
    # securely?"; the `necessary` page did not exist (404) and the lawful basis page was always asked.
    def test_1_do_not_share_asks_no_sharing_questions(self) -> None:
        walk(self.client_a, self.reference, WEIGH)
        response = post_step(
            self.client_a,
            self.reference,
            "necessary",
            {"necessary": "no", "necessary_explanation": "The school nurse already has it", "proportionate": "yes"},
        )
        assert response.status_code == 302 and response["Location"] == step_url(self.reference, "decision")
        response = post_step(
            self.client_a,
            self.reference,
            "decision",
            {"outcome": "no_share", "no_share_reasons": ["not_necessary"], "reasons": "The school already knows"},
        )
        assert response["Location"] == step_url(self.reference, "requester_told"), form_errors(response)
        response = post_step(
            self.client_a,
            self.reference,
            "requester_told",
            {"requester_told": "yes", "requester_told_how": "Phoned PC Smith on 3 November"},
        )
        assert response["Location"] == step_url(self.reference, "alternatives")
        response = post_step(
            self.client_a,
            self.reference,
            "alternatives",
            {"offered": ["referral"], "offered_detail": "Referred the family to early help"},
        )
        assert response["Location"] == check_url(self.reference)
        for sharing_page in ("lawful_basis", "sending", "recipients", "quality", "open_honest"):
            assert self.client_a.get(step_url(self.reference, sharing_page)).status_code == 302, sharing_page
        check = text_of(self.client_a.get(check_url(self.reference)))
        assert "lawful basis" not in check.lower() and "sent securely" not in check
        assert submit(self.client_a, self.reference).status_code == 302
        version = Decision.objects.get(reference=self.reference).current_version
        assert version is not None and version.outcome == "no_share"
        assert version.lawful_basis == "" and version.sharing_method == ""
        assert not {"lawful_basis", "sending", "recipients", "rule6"} & set(version.answers)

    # 2. Before: Article 6(1)(a) consent was accepted on the lawful basis page although consent was refused;
    # the error appeared only after pressing Submit.
    def test_2_consent_as_the_basis_is_refused_on_the_lawful_basis_page(self) -> None:
        self.set_answers(
            ["request", "people", "information", "advice", "consent", "consent_outcome", "safety", "decision"],
            {"consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "Father refused"}},
        )
        response = post_step(
            self.client_a, self.reference, "lawful_basis", {"article6": "a_consent", "statutory_gateways": ["none"]}
        )
        assert response.status_code == 200
        assert "Consent cannot be the lawful basis" in form_errors(response)
        assert "lawful_basis" not in DecisionDraft.objects.get(decision__reference=self.reference).answers

    # 2. Before: check answers said nothing about an answer a later change had made invalid, until Submit.
    def test_2_check_answers_marks_an_answer_a_later_change_made_invalid(self) -> None:
        self.set_answers(
            [
                "request",
                "people",
                "information",
                "advice",
                "consent",
                "consent_outcome",
                "safety",
                "decision",
                "lawful_basis",
            ],
            {"lawful_basis": {"article6": "a_consent"}},
        )
        response = post_step(
            self.client_a,
            self.reference,
            "consent_outcome",
            {"consent_outcome": "withdrawn", "consent_withdrawn_detail": "Mother withdrew it"},
        )
        assert response.status_code == 302
        check = self.client_a.get(check_url(self.reference)).content.decode()
        assert "Consent cannot be the lawful basis" in check
        assert f'href="{step_url(self.reference, "lawful_basis")}?return=check' in check

    # 3. Before: "Is it appropriate to seek consent? No" and "Was consent sought? Yes" were both accepted.
    def test_3_consent_answers_cannot_contradict_each_other(self) -> None:
        walk(self.client_a, self.reference, ["request", "people", "information", "advice"])
        post_step(
            self.client_a,
            self.reference,
            "consent",
            {"consent_appropriate": "no", "consent_sought": "yes", "consent_from": "Mother"},
        )
        page = text_of(self.client_a.get(step_url(self.reference, "consent")))
        stored = DecisionDraft.objects.get(decision__reference=self.reference).answers.get("consent", {})
        assert not (stored.get("consent_appropriate") == "no" and stored.get("consent_sought") == "yes"), stored
        assert "Is it appropriate to seek consent?" not in page

    # 4. Before: "would place" (a higher bar than the procedure's "is likely to place"), and the consent hint
    # left out delay and the parent's actions or reactions.
    def test_4_the_consent_threshold_uses_the_procedures_words(self) -> None:
        consent_page = text_of(self.client_a.get(step_url(self.reference, "consent")))
        assert PROCEDURE_THRESHOLD in consent_page
        self.set_answers(["consent"], {"consent": {"consent_sought": "no", "consent_appropriate": "no"}})
        reasons_page = text_of(self.client_a.get(step_url(self.reference, "consent_not_sought")))
        for page in (consent_page, reasons_page):
            assert "would place" not in page
        assert "is likely to place the child at risk of significant harm through delay" in reasons_page
        assert "is likely to place the child at risk of significant harm through the parent's actions" in reasons_page
        assert "is likely to lead to the loss of evidential material" in reasons_page

    # 5. Before: "Save and come back later" validated first, showed errors and saved nothing.
    def test_5_save_and_come_back_later_keeps_a_half_filled_page(self) -> None:
        response = self.client_a.post(
            step_url(self.reference, "request"),
            {"requester_name": "PC Jane Smith", "purpose": "Half typed when the phone rang", "later": "1"},
        )
        assert response.status_code == 302
        other_device = Client()
        assert other_device.login(username="alice_practitioner", password=PASSWORD)
        page = other_device.get(step_url(self.reference, "request"))
        html = text_of(page)
        assert 'value="PC Jane Smith"' in html and "Half typed when the phone rang" in html
        assert "There is a problem" not in html

    # 6. Before: a `maxlength` on every text area cut long answers to 5,000 characters, with no count.
    def test_6_long_answers_get_a_character_count_and_an_error_not_a_silent_cut(self) -> None:
        page = self.client_a.get(step_url(self.reference, "request")).content.decode()
        assert not re.search(r"\smaxlength=", page)  # the attribute that cut answers; data-maxlength is the count
        assert 'data-module="govuk-character-count"' in page and 'data-maxlength="5000"' in page
        typed = "x" * 6000
        response = post_step(self.client_a, self.reference, "request", purpose=typed)
        assert response.status_code == 200
        assert "5,000 characters or fewer" in form_errors(response)
        assert typed in response.content.decode()

    # 7. Before: "1 1 26" was saved as 1 January in the year 26.
    def test_7_a_two_digit_year_is_refused(self) -> None:
        response = post_step(self.client_a, self.reference, "request", request_date_2="26")
        assert response.status_code == 200
        assert "Year must include 4 numbers" in form_errors(response)
        assert "request" not in DecisionDraft.objects.get(decision__reference=self.reference).answers

    # 8. Before: "Step 1 of 10", then "Step 5 of 13" when special category data and "consent not sought"
    # opened their branches: the total jumped.
    def test_8_progress_never_jumps_when_branches_open(self) -> None:
        def progress(step: str) -> tuple[int, int]:
            html = self.client_a.get(step_url(self.reference, step)).content.decode()
            match = re.search(r"(?:Step|Task) (\d+) of (\d+)", html)
            assert match, (step, html[:500])
            return int(match.group(1)), int(match.group(2))

        seen = [progress("request")]
        post_step(self.client_a, self.reference, "request")
        post_step(self.client_a, self.reference, "information", special_category="yes", criminal_offence="yes")
        seen.append(progress("advice"))
        post_step(self.client_a, self.reference, "advice")
        post_step(self.client_a, self.reference, "consent", consent_sought="no", consent_appropriate="no")
        seen.append(progress("consent_not_sought"))
        post_step(self.client_a, self.reference, "consent_not_sought")
        seen.append(progress("safety"))
        assert len({total for _n, total in seen}) == 1, seen
        numbers = [n for n, _total in seen]
        assert numbers == sorted(numbers), seen

    # 9. Before: there was no way to throw a draft away or cancel an amendment (no such page).
    def test_9_a_draft_can_be_discarded_and_an_amendment_cancelled(self) -> None:
        discard_url = reverse("decisions:discard", kwargs={"reference": self.reference})
        confirm = self.client_a.get(discard_url)
        assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
        events_before = AuditEvent.objects.filter(target_ref=self.reference).count()
        response = self.client_a.post(discard_url, {"confirm": "yes"})
        assert response.status_code == 302
        decision = Decision.objects.get(reference=self.reference)
        assert decision.status == "discarded"
        assert AuditEvent.objects.filter(target_ref=self.reference).count() == events_before + 1
        assert AuditEvent.objects.filter(target_ref=self.reference, action="decision_draft_discard").exists()
        assert self.client_a.get(step_url(self.reference, "request")).status_code == 404
        assert "Discarded" in self.client_a.get(reverse("decisions:list")).content.decode()

        version = make_submitted_decision(self.alice_practitioner_org_a)
        amended = version.decision.reference
        self.client_a.post(reverse("decisions:amend", kwargs={"reference": amended}), {"reason": "Wrong time"})
        response = self.client_a.post(reverse("decisions:discard", kwargs={"reference": amended}), {"confirm": "yes"})
        assert response.status_code == 302
        decision = Decision.objects.get(reference=amended)
        assert decision.status == "submitted" and decision.current_version_id == version.pk
        assert not DecisionDraft.objects.filter(decision=decision, submitted_version__isnull=True, discarded_at=None)
        assert AuditEvent.objects.filter(target_ref=amended, action="decision_amend_cancel").exists()
        assert DecisionVersion.objects.filter(decision=decision).count() == 1

    # 10. Before: golden rule 6 was one page of 15 required answers (seven yes/no questions, each with a
    # compulsory explanation, plus the method) even when every quality plainly held.
    def test_10_golden_rule_6_is_quick_when_every_quality_holds(self) -> None:
        self.set_answers([*WEIGH, "decision"])
        response = post_step(self.client_a, self.reference, "necessary", {"necessary": "yes", "proportionate": "yes"})
        assert response.status_code == 302, form_errors(response)
        quality = {"relevant": "yes", "need_to_know": "yes", "adequate": "yes", "accurate": "yes", "timely": "yes"}
        response = post_step(self.client_a, self.reference, "quality", quality)
        assert response.status_code == 302, form_errors(response)
        response = post_step(self.client_a, self.reference, "quality", {**quality, "accurate": "no"})
        assert "Explain why it is not accurate" in form_errors(response)
        explained = {**quality, "accurate": "no", "accurate_explanation": "Part of it is the mother's account"}
        assert post_step(self.client_a, self.reference, "quality", explained).status_code == 302
