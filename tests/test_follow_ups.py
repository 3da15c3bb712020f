"""Follow-ups are records, not clicks (issue 24 items 3 and 4): telling the family later and sending the information
after sign-off are each a small form, kept as a row that never changes, shown on the decision page, the PDF and the
home pages, and cleared by disposal. They never change the version they follow or its verification code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.urls import reverse

from accounts.models import ReviewTiming
from audit.models import AuditEvent
from decisions import pdf, signing, wizard
from decisions.models import Decision, DecisionVersion, FollowUp
from exports import verification
from oversight import services as review_services
from retention import services as retention_services

from . import test_layout2_records as layout2
from . import test_record_shape as record_shape
from .base import World, form_errors, make_user
from .pinned_records import mark_submitted, pinned_decision, pinned_version, pinned_world
from .retention_helpers import old_record
from .test_pdf import VERIFY_URL, attached_payload, pdf_text
from .wizard_helpers import MAIN_PATH, start, step_url, submit, valid_post, walk

TOLD = {
    "outcome": "done",
    "done_on_0": "9",
    "done_on_1": "11",
    "done_on_2": "2026",
    "done_by": "Alice Practitioner, social worker",
    "how": "Home visit",
    "what_said": "That the school's concerns were shared with the police",
    "response": "Upset at first, then agreed to meet the team",
}


def follow_up_url(reference: str, kind: str = "family-told") -> str:
    return reverse("decisions:follow_up", kwargs={"reference": reference, "kind": kind})


def detail_url(reference: str) -> str:
    return reverse("decisions:detail", kwargs={"reference": reference})


@time_machine.travel(record_shape.FROZEN, tick=False)
class FamilyToldTests(World):
    def setUp(self) -> None:
        self.client = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client)
        told_later = record_shape.FollowUpTests
        walk(self.client, self.reference, told_later.WITHOUT_CONSENT_PATH, told_later.OVERRIDES)
        assert submit(self.client, self.reference).status_code == 302
        self.decision = Decision.objects.get(reference=self.reference)
        self.url = follow_up_url(self.reference)

    def test_the_decision_page_links_to_a_form_not_a_one_click_button(self) -> None:
        detail = self.client.get(detail_url(self.reference)).content.decode()
        assert "Tell the family by 24 November 2026" in detail and self.url in detail
        page = self.client.get(self.url)
        assert page.status_code == 200
        text = page.content.decode()
        for question in ("Were they told?", "Date they were told", "Who told them?", "How were they told?"):
            assert question in text
        assert "What were they told?" in text and "How did they respond?" in text and "Why were they not told?" in text
        assert "govuk-character-count" in text  # the long answers show their limit

    def test_told_is_recorded_with_when_who_how_what_and_response(self) -> None:
        version_before = self.decision.current_version
        assert version_before is not None
        hash_before = version_before.content_hash
        response = self.client.post(self.url, TOLD)
        assert response.status_code == 302 and response["Location"] == detail_url(self.reference)
        follow_up = FollowUp.objects.get(decision=self.decision)
        assert follow_up.done_on == dt.date(2026, 11, 9) and follow_up.how == "Home visit"
        assert follow_up.done_by == "Alice Practitioner, social worker"
        assert follow_up.what_said == TOLD["what_said"] and follow_up.response == TOLD["response"]
        assert follow_up.due_on == dt.date(2026, 11, 24) and follow_up.version == version_before
        assert follow_up.recorded_at == record_shape.FROZEN and follow_up.organisation_id == self.org_a.pk
        # Not an amendment: the version and its code are as they were.
        self.decision.refresh_from_db()
        assert self.decision.current_version_id == version_before.pk and not self.decision.follow_up_open
        version = DecisionVersion.objects.get(pk=version_before.pk)
        assert version.content_hash == hash_before == version.compute_content_hash()
        event = AuditEvent.objects.get(action="decision_follow_up_record")
        assert event.target_ref == self.reference
        assert event.details == {
            "follow_up": follow_up.pk, "kind": "family_told", "outcome": "done", "version": 1,
            "content_hash": hash_before,
        }  # fmt: skip
        # Shown on the page, to the practitioner and to the supervisor, and gone from the home page.
        for client in (self.client, self.client_for(self.sue_supervisor_org_a)):
            detail = client.get(detail_url(self.reference)).content.decode()
            assert "The family was told" in detail and "Home visit" in detail and "Upset at first" in detail
            assert "Told on" in detail and "9 November 2026" in detail
        assert "Families to tell" not in self.client.get("/").content.decode()
        log = self.client_for(self.sue_supervisor_org_a).get(reverse("audit:log")).content.decode()
        assert "Recorded a follow-up" in log
        # The PDF: an addendum after the version, whose code is unchanged.
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=version_before.pk)
        data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.ada_admin_org_a, verify_url=VERIFY_URL))
        assert data is not None
        text = pdf_text(data)
        assert "Addendum: after the decision" in text and "That the school" in text and "Upset at first" in text
        assert attached_payload(data)["verification_code"] == hash_before
        # Recording it again is refused: the page sends the practitioner back, and nothing more is written.
        again = self.client.post(self.url, {**TOLD, "how": "Letter"})
        assert again.status_code == 302 and FollowUp.objects.count() == 1

    def test_not_told_after_all_needs_a_reason(self) -> None:
        response = self.client.post(self.url, {"outcome": "not_done"})
        assert response.status_code == 200 and "Enter why they were not told" in form_errors(response)
        assert "Error" in response.content.decode().split("</title>")[0]
        assert not FollowUp.objects.exists()
        reason = "The police asked us not to, while they investigate"
        # Text typed under "Yes" is not dropped without a word (issue 24 item 1): the page says so and keeps it.
        response = self.client.post(self.url, {"outcome": "not_done", "reason": reason, "how": "typed, not chosen"})
        assert response.status_code == 200 and "Move them under your answer" in form_errors(response)
        assert "typed, not chosen" in response.content.decode() and not FollowUp.objects.exists()
        # The name the page fills in under "Yes" was not typed: sent with "No", it is not refused.
        name = self.alice_practitioner_org_a.display_name
        response = self.client.post(self.url, {"outcome": "not_done", "reason": reason, "done_by": name})
        assert response.status_code == 302
        follow_up = FollowUp.objects.get()
        assert follow_up.outcome == "not_done" and follow_up.reason == reason
        assert follow_up.done_on is None and follow_up.how == ""
        detail = self.client.get(detail_url(self.reference)).content.decode()
        assert "The family was not told after all" in detail and "while they investigate" in detail

    def test_told_needs_a_real_past_date_how_and_what_was_said(self) -> None:
        response = self.client.post(self.url, {"outcome": "done"})
        errors = form_errors(response)
        assert "Enter the date they were told" in errors and "Enter how they were told" in errors
        assert "Enter what they were told" in errors and "Enter who told them" in errors
        future = {**TOLD, "done_on_0": "1", "done_on_1": "12", "done_on_2": "2026"}
        assert "The date must be today or in the past" in form_errors(self.client.post(self.url, future))
        too_long = {**TOLD, "what_said": "x" * 5001}
        assert "What they were told must be 5,000 characters or fewer" in form_errors(
            self.client.post(self.url, too_long)
        )
        assert not FollowUp.objects.exists()

    def test_only_the_owner_records_it(self) -> None:
        assert self.client_for(self.sue_supervisor_org_a).get(self.url).status_code == 403
        assert self.client_for(self.sue_supervisor_org_a).post(self.url, TOLD).status_code == 403
        assert self.client_for(self.amir_practitioner_org_a).post(self.url, TOLD).status_code == 404
        assert self.client_for(self.bob_practitioner_org_b).get(self.url).status_code == 404
        assert self.client_for(self.bob_practitioner_org_b).post(self.url, TOLD).status_code == 404
        assert self.client.put(self.url).status_code == 405
        assert self.client.get(follow_up_url("OA-2026-99999")).status_code == 404
        assert self.client.get(follow_up_url(self.reference, "nothing-like-this")).status_code == 404
        assert not FollowUp.objects.exists()

    def test_the_database_keeps_a_follow_up_as_written(self) -> None:
        self.client.post(self.url, TOLD)
        for change in (
            lambda: FollowUp.objects.update(what_said="Something else"),
            lambda: FollowUp.objects.all().delete(),
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                change()
        assert FollowUp.objects.get().what_said == TOLD["what_said"]

    def test_overdue_on_the_practitioners_and_the_supervisors_home_pages(self) -> None:
        with time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC), tick=False):
            home = self.client_for(self.alice_practitioner_org_a).get("/").content.decode()
            assert "tell the family by 24 November 2026" in home and "Overdue" in home
            supervisor = self.client_for(self.sue_supervisor_org_a).get("/").content.decode()
            assert "Follow-ups overdue" in supervisor and self.reference in supervisor
            assert "the family was to be told by 24 November 2026" in supervisor
            other_org = self.client_for(self.sid_supervisor_org_b).get("/").content.decode()
            assert self.reference not in other_org
        self.client.post(self.url, TOLD)
        with time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC), tick=False):
            assert "Follow-ups overdue" not in self.client_for(self.sue_supervisor_org_a).get("/").content.decode()

    def test_a_family_told_with_one_click_before_this_change_still_shows(self) -> None:
        Decision.objects.filter(pk=self.decision.pk).update(
            follow_up_done_at=record_shape.FROZEN, follow_up_done_by=self.alice_practitioner_org_a
        )
        detail = self.client.get(detail_url(self.reference)).content.decode()
        assert "recorded that they were told on 10 November 2026, 10:00" in detail
        assert "recorded before follow-ups had details" in detail
        assert self.url not in detail


class PinnedRecordFollowUpTests(World):
    """A follow-up on a record pinned from an earlier release leaves its hash, page and PDF code as they were."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        world = pinned_world(
            org_pk=9201, name="Layout Two Partnership", slug="ltw", owner_pk=9202, owner="lena_practitioner Lena Two"
        )
        cls.lena, cls.lars = world.owner, world.auditor
        decision = pinned_decision(
            world, reference=layout2.REFERENCE, edition="2018", at=layout2.SUBMITTED, case="CASE-123"
        )
        cls.version = pinned_version(
            decision, answers=layout2.LAYOUT_2_SHARE_ALL, at=layout2.SUBMITTED, layout=2,
            **wizard.flow_for("2018", 2).facts(layout2.LAYOUT_2_SHARE_ALL),
        )  # fmt: skip
        mark_submitted(decision, cls.version)

    def test_a_follow_up_does_not_change_the_pinned_code(self) -> None:
        from decisions import services

        decision = Decision.objects.get(reference=layout2.REFERENCE)
        Decision.objects.filter(pk=decision.pk).update(follow_up_due=dt.date(2026, 11, 20))
        decision.refresh_from_db()
        data = {**TOLD, "done_on": dt.date(2026, 11, 12)}
        services.follow_up_record(by=self.lena, decision=decision, kind="family_told", data=data)
        version = DecisionVersion.objects.select_related("decision", "submitted_by").get(pk=self.version.pk)
        assert version.content_hash == version.compute_content_hash() == layout2.PINNED_HASH
        pdf_data = signing.sign_pdf(pdf.render_pdf(version, generated_by=self.lars, verify_url=VERIFY_URL))
        assert pdf_data is not None and "Addendum: after the decision" in pdf_text(pdf_data)
        assert attached_payload(pdf_data)["verification_code"] == layout2.PINNED_HASH
        assert verification.verify_code(self.lars, layout2.PINNED_HASH).result == verification.Result.MATCH
        by_upload = verification.verify_attached_record(
            self.lars, pdf.read_attached_record(pdf_data), signing.check_signature(pdf_data)
        )
        assert by_upload.result == verification.Result.MATCH


class DisposalClearsFollowUpsTests(World):
    def test_disposal_clears_what_was_said_and_keeps_the_facts(self) -> None:
        from accounts.models import Role
        from decisions import services

        version = old_record(self.alice_practitioner_org_a, amended=False)
        decision = Decision.objects.get(pk=version.decision_id)
        Decision.objects.filter(pk=decision.pk).update(follow_up_due=dt.date(2018, 5, 20))
        decision.refresh_from_db()
        with time_machine.travel(dt.datetime(2018, 5, 21, 10, 0, tzinfo=dt.UTC), tick=False):
            services.follow_up_record(
                by=self.alice_practitioner_org_a,
                decision=decision,
                kind="family_told",
                data={**TOLD, "done_on": dt.date(2018, 5, 19)},
            )
        second_admin = make_user("abe_admin", self.org_a, Role.ADMIN, self.team_a)
        proposal = retention_services.disposal_propose(by=self.ada_admin_org_a, decision=decision, reason="Past it")
        retention_services.disposal_approve(by=second_admin, proposal=proposal)
        follow_up = FollowUp.objects.get(decision=decision)
        assert (follow_up.what_said, follow_up.response, follow_up.done_by, follow_up.how) == ("", "", "", "")
        assert follow_up.done_on == dt.date(2018, 5, 19) and follow_up.outcome == "done"
        event = AuditEvent.objects.get(action="disposal_approve")
        assert event.details["follow_ups"] == 1


@time_machine.travel(record_shape.FROZEN, tick=False)
class ReviewBeforeSharingTests(World):
    """Item 3: where the supervisor signs off before sharing, recipients are a plan, and sending is a follow-up."""

    def setUp(self) -> None:
        self.org_a.review_timing = ReviewTiming.BEFORE_SHARING
        self.org_a.save(update_fields=["review_timing"])
        self.client = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client)
        walk(self.client, self.reference, MAIN_PATH[: MAIN_PATH.index("recipients")])
        self.recipients = step_url(self.reference, "recipients")

    def add_recipient(self, **overrides: Any) -> None:
        data = {**valid_post("recipients"), "shared_date_0": "14", "shared_date_1": "11", "shared_date_2": "2026"}
        assert self.client.post(self.recipients, {**data, **overrides}).status_code == 302

    def finish(self) -> Decision:
        walk(self.client, self.reference, MAIN_PATH[MAIN_PATH.index("recipients") + 1 :])
        assert self.client.post(self.recipients, {"action": "continue"}).status_code == 302
        assert submit(self.client, self.reference).status_code == 302
        return Decision.objects.get(reference=self.reference)

    def test_the_recipients_page_asks_for_the_plan(self) -> None:
        page = self.client.get(self.recipients).content.decode()
        assert "Planned date" in page and "How will it be sent?" in page
        assert "Date shared" not in page and "How was it sent?" not in page
        self.add_recipient()
        entry = self.client.get(self.recipients).content.decode()
        assert "Planned for 14 November 2026, 14:30, after sign-off" in entry and "Shared 14 November" not in entry

    def test_signed_off_not_yet_sent_then_recorded_as_sent(self) -> None:
        self.add_recipient()
        decision = self.finish()
        assert decision.share_planned_on == dt.date(2026, 11, 14) and decision.share_open
        assert decision.current_version is not None
        stored = decision.current_version.answers["recipients"]["recipients"]
        assert [e.get("planned") for e in stored] == [True]
        detail = self.client.get(detail_url(self.reference)).content.decode()
        assert "Planned for 14 November 2026, 14:30, after sign-off" in detail
        assert "once the decision is signed off" in detail
        sent_url = follow_up_url(self.reference, "sent")
        assert sent_url not in detail
        # Before sign-off the page says to wait, and a post records nothing.
        assert "has not been signed off yet" in self.client.get(sent_url).content.decode()
        self.client.post(sent_url, {"outcome": "done", "how": "secure_email"})
        assert not FollowUp.objects.exists()
        review_services.review_approve(
            by=self.sue_supervisor_org_a, decision=decision, version=decision.current_version
        )
        home = self.client.get("/").content.decode()
        assert "Signed off, not yet sent" in home and self.reference in home
        assert sent_url in self.client.get(detail_url(self.reference)).content.decode()
        response = self.client.post(sent_url, {"outcome": "done"})
        assert "Select how it was sent" in form_errors(response) and "Enter the date it was sent" in form_errors(
            response
        )
        sent = {
            "outcome": "done", "done_on_0": "10", "done_on_1": "11", "done_on_2": "2026", "done_by": "Alice",
            "how": "secure_email", "what_said": "Password sent by text",
        }  # fmt: skip
        assert self.client.post(sent_url, sent).status_code == 302
        follow_up = FollowUp.objects.get()
        assert follow_up.kind == "share_sent" and follow_up.due_on == dt.date(2026, 11, 14)
        assert "Signed off, not yet sent" not in self.client.get("/").content.decode()
        detail = self.client.get(detail_url(self.reference)).content.decode()
        # Planned and done, apart: the record keeps the plan, the follow-up says what was done.
        assert "Planned for 14 November 2026" in detail and "The information was sent" in detail
        assert "Secure email" in detail and "Sent on" in detail

    def test_overdue_sending_on_the_supervisors_home_page(self) -> None:
        self.add_recipient()
        decision = self.finish()
        assert decision.current_version is not None
        review_services.review_approve(
            by=self.sue_supervisor_org_a, decision=decision, version=decision.current_version
        )
        with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), tick=False):
            supervisor = self.client_for(self.sue_supervisor_org_a).get("/").content.decode()
            assert "Follow-ups overdue" in supervisor and "to be sent on 14 November 2026" in supervisor

    def test_an_organisation_that_reviews_after_sharing_records_the_share_as_done(self) -> None:
        self.org_a.review_timing = ReviewTiming.AFTER_SHARING
        self.org_a.save(update_fields=["review_timing"])
        page = self.client.get(self.recipients).content.decode()
        assert "Date shared" in page and "How was it sent?" in page
        self.add_recipient()
        decision = self.finish()
        assert decision.share_planned_on is None
        assert decision.current_version is not None
        assert "planned" not in decision.current_version.answers["recipients"]["recipients"][0]
