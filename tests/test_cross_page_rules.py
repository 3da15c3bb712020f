"""Issue 24 item 2: answers on different pages may not contradict each other. Every rule between pages is data
(wizard.RULES), judged on the page that completes the contradiction and again on check answers and at submit;
the sending method is asked once, for each recipient."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from decisions import examples, pdf
from decisions.models import Decision, DecisionDraft

from .base import World, form_errors
from .test_edition_2024 import on_2024
from .wizard_helpers import MAIN_PATH, post_step, start, step_url, submit, walk

RESPECT_WISHES = {"outcome": "no_share", "no_share_reasons": ["respect_wishes"], "reasons": "The mother objects"}


def draft_of(reference: str) -> DecisionDraft:
    return DecisionDraft.objects.open().get(decision__reference=reference)


def check_url(reference: str) -> str:
    return reverse("decisions:check", kwargs={"reference": reference})


class RespectingWishesOfNoOneTests(World):
    """The only person on the record gave consent, and the decision says it respects someone who does not."""

    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)
        walk(self.client_a, self.reference, MAIN_PATH[:8])  # consent given by Jamie, the only person

    def test_the_decision_page_refuses_it_and_saves_nothing(self) -> None:
        response = post_step(self.client_a, self.reference, "decision", **RESPECT_WISHES)
        assert response.status_code == 200
        errors = form_errors(response)
        assert "You said Jamie Brown gave consent, and no one else is on this record" in errors
        assert 'href="#id_no_share_reasons' in response.content.decode()
        assert "decision" not in draft_of(self.reference).answers

    def test_another_reason_or_another_person_is_accepted(self) -> None:
        response = post_step(
            self.client_a, self.reference, "decision", **{**RESPECT_WISHES, "no_share_reasons": ["no_role"]}
        )
        assert response.status_code == 302

    def test_a_later_change_of_consent_is_caught_on_check_answers_and_blocks_submit(self) -> None:
        walk(
            self.client_a,
            self.reference,
            ["consent_outcome"],
            {"consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "Jamie said no"}},
        )
        walk(
            self.client_a,
            self.reference,
            ["safety", "necessary", "decision", "requester_told", "alternatives"],
            {"decision": RESPECT_WISHES},
        )
        # Then consent is changed to given: the decision's reason now contradicts it.
        walk(self.client_a, self.reference, ["consent_outcome"])
        check = self.client_a.get(check_url(self.reference)).content.decode()
        assert "You said Jamie Brown gave consent, and no one else is on this record" in check
        response = submit(self.client_a, self.reference)
        assert response.status_code == 200
        assert Decision.objects.get(reference=self.reference).current_version is None


class SendingMethodAskedOnceTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)

    def test_the_sending_page_no_longer_asks_the_method_and_the_record_shows_each_recipients(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH[: MAIN_PATH.index("sending")])
        page = self.client_a.get(step_url(self.reference, "sending")).content.decode()
        assert 'name="method"' not in page and 'name="secure_detail"' in page
        # A method posted anyway (by hand) is not kept: only each recipient's counts.
        walk(self.client_a, self.reference, ["sending"])
        assert draft_of(self.reference).answers["sending"]["method"] == ""
        walk(self.client_a, self.reference, ["recipients"], {"recipients": {"method": "secure_portal"}})
        assert submit(self.client_a, self.reference).status_code == 302
        version = Decision.objects.get(reference=self.reference).current_version
        assert version is not None and version.sharing_method == "secure_portal"
        context = pdf.record_context(
            version, generated_by=self.alice_practitioner_org_a, generated_at=timezone.now(), verify_url="/v"
        )
        summary = context["summary"]
        assert summary["recipients"] and "Secure portal or case system" in summary["recipients"][0]
        html = pdf.render_html(context)
        assert "Secure portal or case system" in html and "Secure email" not in html
        detail = self.client_a.get(reverse("decisions:detail", kwargs={"reference": self.reference})).content.decode()
        assert "Secure portal or case system" in detail and "Secure email" not in detail

    def test_a_draft_that_said_secure_email_cannot_add_a_recipient_sent_by_portal(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH[: MAIN_PATH.index("sending")])
        draft = draft_of(self.reference)
        # Answered before the method was asked once: the decision-wide method is still stored.
        draft.answers = {
            **draft.answers,
            "sending": {"method": "secure_email", "method_other": "", "secure_detail": ""},
        }
        draft.save(update_fields=["answers"])
        response = post_step(self.client_a, self.reference, "recipients", method="secure_portal")
        assert response.status_code == 200
        assert (
            "Recipient 1 was sent by secure portal or case system, but this record also says it will be sent by "
            "secure email" in form_errors(response)
        )
        assert 'href="#id_method' in response.content.decode()
        assert "recipients" not in draft_of(self.reference).answers
        # The same method is accepted.
        assert post_step(self.client_a, self.reference, "recipients", method="secure_email").status_code == 302

    def test_a_recipient_shared_before_the_request_is_refused_on_its_date(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH[: MAIN_PATH.index("recipients")])
        response = post_step(
            self.client_a, self.reference, "recipients", shared_date_0="2", shared_date_1="11", shared_date_2="2026"
        )
        assert response.status_code == 200
        assert "Recipient 1: the date shared must be on or after the date of the request (3 November 2026)" in (
            form_errors(response)
        )
        assert 'href="#id_shared_date_0"' in response.content.decode()


class YoungPersonWhoIsAnAdultTests(World):
    def test_a_parent_cannot_be_the_young_person_deciding_for_themselves(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        walk(client, reference, ["request"])
        walk(client, reference, ["people"], {"people": {"full_name": "Karen Brown", "part": "parent_carer"}})
        data: dict[str, Any] = {"young_person": "yes", "competence_view": "She understands"}
        response = post_step(client, reference, "consent", **data)
        assert response.status_code == 200
        assert "Karen Brown is on this record as an adult" in form_errors(response)


class Edition2024Tests(World):
    def test_a_2024_decision_records_each_recipients_method_and_the_rules_hold(self) -> None:
        on_2024(self.org_a)
        version = examples.record_example_2024_decision(
            by=self.alice_practitioner_org_a,
            overrides={"sending": {"method": ""}},
        )
        assert version.sharing_method == "secure_email"
        assert version.answers["sending"]["method"] == ""


class SendingPageSummaryTests(World):
    def test_an_empty_sending_page_reads_as_answered_and_an_old_one_as_before(self) -> None:
        from decisions.wizard import SendingDetailForm

        assert SendingDetailForm.summary({"method": "", "method_other": "", "secure_detail": ""}) == [
            ("secure_detail", "Anything else about keeping it secure (optional)", "Nothing else")
        ]
        old = {"method": "secure_email", "method_other": "", "secure_detail": ""}
        assert SendingDetailForm.summary(old) == [("method", "How will you send it?", "Secure email")]
