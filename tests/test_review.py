"""Supervisor review: the queue, signing off and returning, the review panel, emails and the timing setting."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Organisation, ReviewTiming, Role, Team, User
from audit import actions
from audit.models import AuditEvent
from decisions.choices import ReviewStatus
from decisions.models import Decision
from oversight import selectors, services
from oversight.models import Notification, Review, ReviewOutcome

from .base import World, form_errors, make_user
from .factories import amend, make_submitted_decision
from .mail_helpers import run_worker
from .oversight_helpers import count_queries, no_share

QUEUE_URL = reverse("oversight:queue")


def approve_url(reference: str, number: int = 1) -> str:
    return reverse("oversight:approve", kwargs={"reference": reference, "number": number})


def return_url(reference: str, number: int = 1) -> str:
    return reverse("oversight:return", kwargs={"reference": reference, "number": number})


def detail_url(reference: str) -> str:
    return reverse("decisions:detail", kwargs={"reference": reference})


def review_events(reference: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_ref=reference, action__in=[actions.REVIEW_APPROVE, actions.REVIEW_RETURN]
        ).order_by("id")
    )


class OversightWorld(World):
    def promoted_alice(self) -> User:
        """Alice as she is in the database after her membership was changed to supervisor."""
        return User.objects.select_related("membership").get(pk=self.alice_practitioner_org_a.pk)


class ReviewServiceTests(OversightWorld):
    def setUp(self) -> None:
        self.v1 = make_submitted_decision(self.alice_practitioner_org_a)
        self.decision = self.v1.decision
        self.sue = self.sue_supervisor_org_a

    def test_approve_signs_off_and_is_audited(self) -> None:
        review = services.review_approve(by=self.sue, decision=self.decision, version=self.v1, comment=" Fine ")
        self.decision.refresh_from_db()
        assert self.decision.review_status == ReviewStatus.SIGNED_OFF
        assert (review.outcome, review.comment, review.version_id) == (ReviewOutcome.APPROVE, "Fine", self.v1.pk)
        [event] = review_events(self.decision.reference)
        assert event.action == actions.REVIEW_APPROVE and event.actor_id == self.sue.pk
        assert event.organisation_id == self.org_a.pk and event.target_id == str(self.decision.pk)
        assert event.details == {"version": 1, "review": review.pk, "comment_given": True}
        assert "Fine" not in str(event.canonical_payload())

    def test_return_needs_a_comment_and_marks_it_returned(self) -> None:
        for blank in ("", "   \n"):
            with pytest.raises(ValidationError):
                services.review_return(by=self.sue, decision=self.decision, version=self.v1, comment=blank)
        assert not Review.objects.exists() and not review_events(self.decision.reference)
        services.review_return(by=self.sue, decision=self.decision, version=self.v1, comment="Add the time")
        self.decision.refresh_from_db()
        assert self.decision.review_status == ReviewStatus.RETURNED
        assert [e.action for e in review_events(self.decision.reference)] == [actions.REVIEW_RETURN]

    def test_review_and_its_event_are_one_transaction(self) -> None:
        with mock.patch("oversight.services.audit.record", side_effect=DatabaseError("audit failed")):
            with pytest.raises(DatabaseError):
                services.review_approve(by=self.sue, decision=self.decision, version=self.v1)
        self.decision.refresh_from_db()
        assert not Review.objects.exists() and self.decision.review_status == ReviewStatus.AWAITING

    def test_only_supervisors_review(self) -> None:
        for user in [
            self.alice_practitioner_org_a,
            self.ada_admin_org_a,
            self.aud_auditor_org_a,
            self.nobody_without_org,
        ]:
            with pytest.raises(PermissionDenied):
                services.review_approve(by=user, decision=self.decision, version=self.v1)
        assert not Review.objects.exists()

    def test_another_organisations_supervisor_cannot_review(self) -> None:
        with pytest.raises(PermissionDenied):
            services.review_return(by=self.sid_supervisor_org_b, decision=self.decision, version=self.v1, comment="x")
        assert not Review.objects.exists()

    def test_self_review_is_refused(self) -> None:
        # Alice is promoted to supervisor; her own earlier decision is still not hers to sign off.
        Membership.objects.filter(user=self.alice_practitioner_org_a).update(role=Role.SUPERVISOR)
        alice = self.promoted_alice()
        with pytest.raises(PermissionDenied):
            services.review_approve(by=alice, decision=self.decision, version=self.v1)
        assert not Review.objects.exists()

    def test_a_version_of_another_decision_is_refused(self) -> None:
        other = make_submitted_decision(self.amir_practitioner_org_a)
        with pytest.raises(PermissionDenied):
            services.review_approve(by=self.sue, decision=self.decision, version=other)

    def test_double_click_makes_one_review(self) -> None:
        first = services.review_approve(by=self.sue, decision=self.decision, version=self.v1)
        second = services.review_approve(by=self.sue, decision=self.decision, version=self.v1)
        assert first.pk == second.pk and Review.objects.count() == 1
        assert len(review_events(self.decision.reference)) == 1

    def test_a_different_second_answer_is_a_conflict(self) -> None:
        services.review_approve(by=self.sue, decision=self.decision, version=self.v1)
        other_supervisor = make_user("stan_supervisor", self.org_a, Role.SUPERVISOR, self.team_a)
        with pytest.raises(services.ReviewConflict):
            services.review_return(by=self.sue, decision=self.decision, version=self.v1, comment="No")
        with pytest.raises(services.ReviewConflict):
            services.review_approve(by=other_supervisor, decision=self.decision, version=self.v1)
        assert Review.objects.count() == 1

    def test_an_older_version_cannot_be_reviewed(self) -> None:
        v2 = amend(self.alice_practitioner_org_a, self.v1, "Fix", {"safety": {"others_affected": "Sibling"}})
        with pytest.raises(services.ReviewConflict, match="newer version"):
            services.review_approve(by=self.sue, decision=self.decision, version=self.v1)
        services.review_approve(by=self.sue, decision=self.decision, version=v2)
        assert Review.objects.get().version_id == v2.pk

    def test_returned_then_amended_comes_back_to_the_queue(self) -> None:
        services.review_return(by=self.sue, decision=self.decision, version=self.v1, comment="Add who was told")
        assert self.decision not in selectors.review_queue(self.sue)
        v2 = amend(self.alice_practitioner_org_a, self.v1, "Added who was told", {"safety": {"others_affected": "No"}})
        self.decision.refresh_from_db()
        assert self.decision.review_status == ReviewStatus.AWAITING
        assert list(selectors.review_queue(self.sue)) == [self.decision]
        # The returned version stays returned; the amended one gets its own review.
        with pytest.raises(services.ReviewConflict):
            services.review_approve(by=self.sue, decision=self.decision, version=self.v1)
        services.review_approve(by=self.sue, decision=self.decision, version=v2)
        assert [(r.version.number, r.outcome) for r in selectors.reviews_of(self.decision)] == [
            (1, ReviewOutcome.RETURN),
            (2, ReviewOutcome.APPROVE),
        ]

    def test_only_a_decision_awaiting_review_is_reviewed(self) -> None:
        Decision.objects.filter(pk=self.decision.pk).update(review_status=ReviewStatus.RETURNED)
        with pytest.raises(services.ReviewConflict, match="not waiting for a review"):
            services.review_approve(by=self.sue, decision=self.decision, version=self.v1)
        assert not Review.objects.exists()


class ReviewConstraintTests(World):
    def setUp(self) -> None:
        self.v1 = make_submitted_decision(self.alice_practitioner_org_a)

    def make(self, **fields: object) -> Review:
        values: dict[str, object] = {
            "decision": self.v1.decision,
            "version": self.v1,
            "reviewer": self.sue_supervisor_org_a,
            "outcome": ReviewOutcome.APPROVE,
            "comment": "",
            "created_at": timezone.now(),
        }
        values.update(fields)
        return Review.objects.create(**values)

    def test_database_refuses_a_return_without_comment(self) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            self.make(outcome=ReviewOutcome.RETURN, comment="")

    def test_database_refuses_a_second_review_of_a_version(self) -> None:
        self.make()
        with pytest.raises(IntegrityError), transaction.atomic():
            self.make(outcome=ReviewOutcome.RETURN, comment="Again")

    def test_database_refuses_an_unknown_outcome(self) -> None:
        with pytest.raises(IntegrityError), transaction.atomic():
            self.make(outcome="maybe")

    def test_reviews_cannot_be_changed_or_removed(self) -> None:
        review = self.make()
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Review.objects.filter(pk=review.pk).update(comment="rewritten")
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            Review.objects.filter(pk=review.pk).delete()
        assert Review.objects.get(pk=review.pk).comment == ""


class QueueViewTests(OversightWorld):
    def test_oldest_first_with_age_scoped_to_the_organisation(self) -> None:
        with time_machine.travel(dt.datetime(2026, 11, 9, 9, 0, tzinfo=dt.UTC), tick=False):
            older = make_submitted_decision(self.alice_practitioner_org_a).decision
        with time_machine.travel(dt.datetime(2026, 11, 11, 15, 0, tzinfo=dt.UTC), tick=False):
            newer = make_submitted_decision(self.amir_practitioner_org_a).decision
            signed = make_submitted_decision(self.alice_practitioner_org_a)
            services.review_approve(by=self.sue_supervisor_org_a, decision=signed.decision, version=signed)
            other_org = make_submitted_decision(self.bob_practitioner_org_b).decision
        with time_machine.travel(dt.datetime(2026, 11, 12, 12, 0, tzinfo=dt.UTC), tick=False):
            response = self.client_for(self.sue_supervisor_org_a).get(QUEUE_URL)
        html = response.content.decode()
        assert response.status_code == 200
        assert html.index(older.reference) < html.index(newer.reference)
        assert signed.decision.reference not in html and other_org.reference not in html
        assert "3 days" in html and "21 hours" in html and "2 decisions waiting" in html
        assert "9 Nov 2026, 09:00" in html  # Europe/London, GMT in November

    def test_team_filter(self) -> None:
        other_team = Team.objects.create(organisation=self.org_a, name="Early help A")
        carol = make_user("carol_practitioner", self.org_a, Role.PRACTITIONER, other_team)
        mine = make_submitted_decision(self.alice_practitioner_org_a).decision
        theirs = make_submitted_decision(carol).decision
        client = self.client_for(self.sue_supervisor_org_a)
        everything = client.get(QUEUE_URL).content.decode()
        assert mine.reference in everything and theirs.reference in everything
        team_only = client.get(QUEUE_URL + "?team=mine").content.decode()
        assert mine.reference in team_only and theirs.reference not in team_only
        assert "Showing decisions from your team, Front door A" in team_only

    def test_own_decisions_are_left_out(self) -> None:
        own = make_submitted_decision(self.alice_practitioner_org_a).decision
        Membership.objects.filter(user=self.alice_practitioner_org_a).update(role=Role.SUPERVISOR)
        html = self.client_for(self.promoted_alice()).get(QUEUE_URL).content.decode()
        assert own.reference not in html and "There are no decisions waiting for review" in html

    def test_review_before_sharing_shows_what_is_not_final(self) -> None:
        share = make_submitted_decision(self.alice_practitioner_org_a).decision
        not_shared = no_share(self.alice_practitioner_org_a).decision
        client = self.client_for(self.sue_supervisor_org_a)
        tag = 'Not final<span class="govuk-visually-hidden"> until signed off</span>'
        assert tag not in client.get(QUEUE_URL).content.decode()
        Organisation.objects.filter(pk=self.org_a.pk).update(review_timing=ReviewTiming.BEFORE_SHARING)
        html = client.get(QUEUE_URL).content.decode()
        assert html.count(tag) == 1
        share_row = html[html.index(share.reference) : html.index("</tr>", html.index(share.reference))]
        assert tag in share_row
        assert not_shared.reference in html

    def test_wrong_roles_and_methods(self) -> None:
        for user in [
            self.alice_practitioner_org_a,
            self.ada_admin_org_a,
            self.aud_auditor_org_a,
            self.nobody_without_org,
        ]:
            assert self.client_for(user).get(QUEUE_URL).status_code == 403, user
        assert self.client_for(self.sue_supervisor_org_a).post(QUEUE_URL).status_code == 405
        assert self.client.get(QUEUE_URL).status_code == 302  # signed out: to the sign-in page

    def test_query_count_does_not_grow_with_the_queue(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        for _ in range(3):
            make_submitted_decision(self.alice_practitioner_org_a)
        few, response = count_queries(client, QUEUE_URL)
        assert "3 decisions waiting" in response.content.decode()
        for _ in range(27):
            make_submitted_decision(self.amir_practitioner_org_a)
        many, response = count_queries(client, QUEUE_URL)
        assert "30 decisions waiting" in response.content.decode()
        assert few == many, (few, many)


class ReviewViewTests(OversightWorld):
    def setUp(self) -> None:
        self.v1 = make_submitted_decision(self.alice_practitioner_org_a)
        self.reference = self.v1.decision.reference
        self.sue = self.client_for(self.sue_supervisor_org_a)

    def test_sign_off_from_the_panel(self) -> None:
        response = self.sue.post(approve_url(self.reference), {"approve-comment": "Well reasoned"})
        assert response.status_code == 302 and response["Location"] == QUEUE_URL
        review = Review.objects.get()
        assert (review.outcome, review.comment, review.reviewer_id) == (
            "approve",
            "Well reasoned",
            self.sue_supervisor_org_a.pk,
        )
        assert Decision.objects.get(pk=self.v1.decision_id).review_status == ReviewStatus.SIGNED_OFF
        event = review_events(self.reference)[0]
        assert event.ip_address == "127.0.0.1"
        html = self.sue.get(QUEUE_URL).content.decode()
        assert f"Signed off decision {self.reference}, version 1." in html

    def test_sign_off_without_a_comment(self) -> None:
        assert self.sue.post(approve_url(self.reference), {}).status_code == 302
        assert Review.objects.get().comment == ""

    def test_return_with_a_comment(self) -> None:
        response = self.sue.post(return_url(self.reference), {"return-comment": "Say who was told"})
        assert response.status_code == 302 and response["Location"] == QUEUE_URL
        banner = self.sue.get(QUEUE_URL).content.decode()
        assert f"Returned decision {self.reference}, version 1, to the practitioner." in banner
        assert Decision.objects.get(pk=self.v1.decision_id).review_status == ReviewStatus.RETURNED
        assert Review.objects.get().comment == "Say who was told"

    def test_return_without_a_comment_shows_an_error_and_saves_nothing(self) -> None:
        for data in ({}, {"return-comment": "   "}):
            response = self.sue.post(return_url(self.reference), data)
            assert response.status_code == 200
            assert "Enter what the practitioner needs to change" in form_errors(response)
            assert 'href="#id_return-comment"' in form_errors(response)
        assert not Review.objects.exists() and not review_events(self.reference)
        assert Decision.objects.get(pk=self.v1.decision_id).review_status == ReviewStatus.AWAITING

    def test_overlong_comment_is_refused(self) -> None:
        response = self.sue.post(approve_url(self.reference), {"approve-comment": "x" * 5001})
        assert "Comment must be 5,000 characters or fewer" in form_errors(response)
        # What was typed is kept, under GOV.UK's character count, and the browser is not told to cut it.
        content = response.content.decode()
        assert "x" * 5001 in content and 'data-maxlength="5000"' in content and " maxlength=" not in content
        assert not Review.objects.exists()

    def test_double_click_makes_one_review(self) -> None:
        first = self.sue.post(return_url(self.reference), {"return-comment": "Fix it"})
        second = self.sue.post(return_url(self.reference), {"return-comment": "Fix it"})
        assert first.status_code == second.status_code == 302
        assert Review.objects.count() == 1 and len(review_events(self.reference)) == 1

    def test_a_conflicting_second_review_is_explained(self) -> None:
        self.sue.post(approve_url(self.reference), {})
        stan = make_user("stan_supervisor", self.org_a, Role.SUPERVISOR, self.team_a)
        response = self.client_for(stan).post(return_url(self.reference), {"return-comment": "No"}, follow=True)
        assert response.redirect_chain[-1][0] == detail_url(self.reference)
        assert "has already been reviewed" in response.content.decode()
        assert Review.objects.count() == 1

    def test_get_shows_a_form_page(self) -> None:
        response = self.sue.get(return_url(self.reference))
        html = response.content.decode()
        assert response.status_code == 200 and "Return this decision to the practitioner" in html
        assert 'name="return-comment"' in html
        assert self.sue.get(approve_url(self.reference)).status_code == 200

    def test_get_after_review_goes_to_the_decision(self) -> None:
        self.sue.post(approve_url(self.reference), {})
        response = self.sue.get(approve_url(self.reference))
        assert response.status_code == 302 and response["Location"] == detail_url(self.reference)

    def test_wrong_roles_are_refused(self) -> None:
        for user in [
            self.alice_practitioner_org_a,
            self.ada_admin_org_a,
            self.aud_auditor_org_a,
            self.nobody_without_org,
        ]:
            client = self.client_for(user)
            assert client.post(approve_url(self.reference), {}).status_code == 403, user
            assert client.post(return_url(self.reference), {"return-comment": "x"}).status_code == 403, user
        assert not Review.objects.exists()

    def test_another_organisation_gets_404(self) -> None:
        sid = self.client_for(self.sid_supervisor_org_b)
        assert sid.post(approve_url(self.reference), {}).status_code == 404
        assert sid.get(return_url(self.reference)).status_code == 404
        assert not Review.objects.exists()

    def test_self_review_is_refused(self) -> None:
        Membership.objects.filter(user=self.alice_practitioner_org_a).update(role=Role.SUPERVISOR)
        client = self.client_for(self.promoted_alice())
        assert client.post(approve_url(self.reference), {}).status_code == 403
        assert client.get(approve_url(self.reference)).status_code == 403
        assert not Review.objects.exists()

    def test_missing_ids_are_404(self) -> None:
        assert self.sue.post(approve_url("OA-2099-99999"), {}).status_code == 404
        assert self.sue.post(approve_url(self.reference, 2), {}).status_code == 404
        assert self.sue.post(return_url(self.reference, 9), {"return-comment": "x"}).status_code == 404
        assert not Review.objects.exists()

    def test_wrong_methods(self) -> None:
        for url in (approve_url(self.reference), return_url(self.reference)):
            assert self.sue.put(url).status_code == 405
            assert self.sue.delete(url).status_code == 405

    def test_an_old_version_cannot_be_signed_off(self) -> None:
        amend(self.alice_practitioner_org_a, self.v1, "Fix", {"safety": {"others_affected": "Sibling"}})
        response = self.sue.post(approve_url(self.reference, 1), {}, follow=True)
        assert "has a newer version" in response.content.decode()
        assert not Review.objects.exists()


class ReviewPanelTests(World):
    def setUp(self) -> None:
        self.v1 = make_submitted_decision(self.alice_practitioner_org_a)
        self.reference = self.v1.decision.reference

    def test_supervisor_sees_the_forms(self) -> None:
        html = self.client_for(self.sue_supervisor_org_a).get(detail_url(self.reference)).content.decode()
        assert "Supervisor review" in html and "Review version 1" in html
        assert f'action="{approve_url(self.reference)}"' in html and f'action="{return_url(self.reference)}"' in html
        assert 'name="approve-comment"' in html and 'name="return-comment"' in html

    def test_others_see_the_status_without_forms(self) -> None:
        for user in [self.alice_practitioner_org_a, self.ada_admin_org_a, self.aud_auditor_org_a]:
            html = self.client_for(user).get(detail_url(self.reference)).content.decode()
            assert "Version 1 is waiting for a supervisor to review it" in html, user
            assert "Review version 1" not in html and "approve-comment" not in html, user

    def test_practitioner_sees_the_return_comment_and_history(self) -> None:
        services.review_return(
            by=self.sue_supervisor_org_a, decision=self.v1.decision, version=self.v1, comment="Say who was told"
        )
        html = self.client_for(self.alice_practitioner_org_a).get(detail_url(self.reference)).content.decode()
        assert "Returned" in html and "was returned to you by Sue Supervisor" in html
        assert "Say who was told" in html and "Review history" in html
        assert "Amend the decision to answer this comment" in html
        assert "Review version 1" not in html

    def test_signed_off_is_shown_with_who_and_when(self) -> None:
        with time_machine.travel(dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC), tick=False):
            services.review_approve(by=self.sue_supervisor_org_a, decision=self.v1.decision, version=self.v1)
        html = self.client_for(self.alice_practitioner_org_a).get(detail_url(self.reference)).content.decode()
        # 13:05 UTC is 14:05 in London in summer.
        assert "signed off by Sue Supervisor on 1 July 2026 at 14:05" in html
        assert (
            "Review version 1"
            not in self.client_for(self.sue_supervisor_org_a).get(detail_url(self.reference)).content.decode()
        )

    def test_an_older_version_links_to_the_current_one_for_review(self) -> None:
        amend(self.alice_practitioner_org_a, self.v1, "Fix", {"safety": {"others_affected": "Sibling"}})
        html = (
            self.client_for(self.sue_supervisor_org_a).get(detail_url(self.reference) + "?version=1").content.decode()
        )
        assert "Go to the current version (version 2) to review it" in html and "approve-comment" not in html

    def test_not_final_warning_when_reviewed_before_sharing(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        assert (
            "not final until a supervisor signs it off" not in client.get(detail_url(self.reference)).content.decode()
        )
        Organisation.objects.filter(pk=self.org_a.pk).update(review_timing=ReviewTiming.BEFORE_SHARING)
        assert "not final until a supervisor signs it off" in client.get(detail_url(self.reference)).content.decode()
        services.review_approve(by=self.sue_supervisor_org_a, decision=self.v1.decision, version=self.v1)
        assert (
            "not final until a supervisor signs it off" not in client.get(detail_url(self.reference)).content.decode()
        )

    def test_panel_uses_one_query_however_many_reviews(self) -> None:
        client = self.client_for(self.sue_supervisor_org_a)
        with CaptureQueriesContext(transaction.get_connection()) as before:
            client.get(detail_url(self.reference))
        version = self.v1
        for n in range(3):
            services.review_return(
                by=self.sue_supervisor_org_a, decision=version.decision, version=version, comment=f"Round {n}"
            )
            version = amend(
                self.alice_practitioner_org_a, version, f"Fix {n}", {"safety": {"others_affected": f"S{n}"}}
            )
        with CaptureQueriesContext(transaction.get_connection()) as after:
            response = client.get(detail_url(self.reference))
        # Three in the review history, and the last one again above the forms, with what changed since.
        assert response.content.decode().count("Round ") == 4
        panel_queries = [q for q in after.captured_queries if "oversight_review" in q["sql"]]
        assert len(panel_queries) == 1
        assert len([q for q in before.captured_queries if "oversight_review" in q["sql"]]) == 1

    def test_drafts_have_no_panel(self) -> None:
        from decisions import services as decision_services

        draft = decision_services.decision_start(by=self.alice_practitioner_org_a)
        html = self.client_for(self.alice_practitioner_org_a).get(detail_url(draft.decision.reference)).content.decode()
        assert "Supervisor review" not in html


class EmailTests(World):
    """What the emails say and who gets them. They are queued with the change and sent by the background
    worker (run here as in production); mail server faults are in test_mail_faults.py."""

    def setUp(self) -> None:
        for user in [
            self.alice_practitioner_org_a,
            self.sue_supervisor_org_a,
            self.sid_supervisor_org_b,
            self.ada_admin_org_a,
        ]:
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])

    def test_supervisors_are_told_when_a_decision_is_submitted(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        assert mail.outbox == []  # nothing is sent by the submit itself
        run_worker()
        [message] = mail.outbox
        reference = version.decision.reference
        assert message.to == ["sue_supervisor@example.org"]
        assert message.subject == f"Decision {reference} is waiting for your review"
        assert detail_url(reference) in message.body and "Alice Practitioner" in message.body
        # Only the reference and a link: nothing about the child or family leaves the service.
        assert "J.B." not in message.body and "bruising" not in message.body

    def test_team_supervisors_first_else_the_whole_organisation(self) -> None:
        other_team = Team.objects.create(organisation=self.org_a, name="Early help A")
        tess = make_user("tess_supervisor", self.org_a, Role.SUPERVISOR, other_team)
        tess.email = "tess@example.org"
        tess.save(update_fields=["email"])
        make_submitted_decision(self.alice_practitioner_org_a)
        run_worker()
        assert [m.to for m in mail.outbox] == [["sue_supervisor@example.org"]]
        mail.outbox.clear()
        carol = make_user(
            "carol_practitioner",
            self.org_a,
            Role.PRACTITIONER,
            Team.objects.create(organisation=self.org_a, name="No supervisor"),
        )
        make_submitted_decision(carol)
        run_worker()
        assert sorted(m.to[0] for m in mail.outbox) == ["sue_supervisor@example.org", "tess@example.org"]

    def test_practitioner_is_told_when_a_decision_is_returned(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        run_worker()
        mail.outbox.clear()
        services.review_return(
            by=self.sue_supervisor_org_a, decision=version.decision, version=version, comment="Secret detail"
        )
        run_worker()
        [message] = mail.outbox
        assert message.to == ["alice_practitioner@example.org"]
        assert "has been returned to you" in message.subject
        assert detail_url(version.decision.reference) in message.body and "Secret detail" not in message.body

    def test_sign_off_and_a_double_click_send_nothing_more(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        run_worker()
        mail.outbox.clear()
        services.review_return(by=self.sue_supervisor_org_a, decision=version.decision, version=version, comment="x")
        services.review_return(by=self.sue_supervisor_org_a, decision=version.decision, version=version, comment="x")
        run_worker()
        assert len(mail.outbox) == 1
        other = make_submitted_decision(self.alice_practitioner_org_a)
        run_worker()
        mail.outbox.clear()
        services.review_approve(by=self.sue_supervisor_org_a, decision=other.decision, version=other)
        run_worker()
        assert mail.outbox == []

    def test_a_submit_that_fails_queues_no_email(self) -> None:
        from decisions import services as decision_services

        from .test_interrupted_submit import INTERRUPTIONS, Boom, ready_draft

        draft = ready_draft(self.alice_practitioner_org_a)
        with INTERRUPTIONS["while writing the audit event"](), pytest.raises(Boom):
            decision_services.decision_submit(by=self.alice_practitioner_org_a, draft=draft)
        assert not Notification.objects.exists()
        run_worker()
        assert mail.outbox == []


class OrganisationSettingsTests(World):
    url = reverse("oversight:organisation")

    def test_admin_chooses_review_before_sharing(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        html = client.get(self.url).content.decode()
        assert "When do supervisors review decisions?" in html
        assert re.search(r'value="after"\s+checked', html) and not re.search(r'value="before"\s+checked', html)
        response = client.post(self.url, {"review_timing": "before"})
        assert response.status_code == 302
        assert Organisation.objects.get(pk=self.org_a.pk).review_timing == ReviewTiming.BEFORE_SHARING
        assert Organisation.objects.get(pk=self.org_b.pk).review_timing == ReviewTiming.AFTER_SHARING
        event = AuditEvent.objects.get(action=actions.ORG_SETTINGS_CHANGE)
        assert event.organisation_id == self.org_a.pk and event.actor_id == self.ada_admin_org_a.pk
        assert event.details == {"review_timing": {"from": "after", "to": "before"}}

    def test_double_click_records_one_change(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        client.post(self.url, {"review_timing": "before"})
        client.post(self.url, {"review_timing": "before"})
        assert AuditEvent.objects.filter(action=actions.ORG_SETTINGS_CHANGE).count() == 1

    def test_invalid_choice_shows_an_error_and_saves_nothing(self) -> None:
        client = self.client_for(self.ada_admin_org_a)
        for data in ({}, {"review_timing": "never"}):
            response = client.post(self.url, data)
            assert response.status_code == 200
            assert "Select when supervisors review decisions" in form_errors(response)
        assert Organisation.objects.get(pk=self.org_a.pk).review_timing == ReviewTiming.AFTER_SHARING
        assert not AuditEvent.objects.filter(action=actions.ORG_SETTINGS_CHANGE).exists()

    def test_only_admins(self) -> None:
        for user in [
            self.alice_practitioner_org_a,
            self.sue_supervisor_org_a,
            self.aud_auditor_org_a,
            self.nobody_without_org,
        ]:
            client = self.client_for(user)
            assert client.get(self.url).status_code == 403, user
            assert client.post(self.url, {"review_timing": "before"}).status_code == 403, user
        assert Organisation.objects.get(pk=self.org_a.pk).review_timing == ReviewTiming.AFTER_SHARING

    def test_another_organisations_admin_changes_only_theirs(self) -> None:
        self.client_for(self.bea_admin_org_b).post(self.url, {"review_timing": "before"})
        assert Organisation.objects.get(pk=self.org_a.pk).review_timing == ReviewTiming.AFTER_SHARING
        assert Organisation.objects.get(pk=self.org_b.pk).review_timing == ReviewTiming.BEFORE_SHARING

    def test_wrong_method(self) -> None:
        assert self.client_for(self.ada_admin_org_a).put(self.url).status_code == 405


class NavigationTests(World):
    def test_links_follow_the_role(self) -> None:
        expected = {
            self.alice_practitioner_org_a: set(),
            self.sue_supervisor_org_a: {"To review", "Dashboard", "Audit log"},
            self.ada_admin_org_a: {"Dashboard", "Audit trail check", "Exports", "Settings"},
            self.aud_auditor_org_a: {"Audit log", "Audit trail check", "Dashboard"},
        }
        links = {"To review", "Dashboard", "Audit log", "Audit trail check", "Exports", "Settings"}
        for user, visible in expected.items():
            html = self.client_for(user).get(reverse("home")).content.decode()
            nav = html[html.index('id="navigation"') : html.index("</ul>", html.index('id="navigation"'))]
            shown = {label for label in links if f">{label}</a>" in nav}
            assert shown == visible, (user, shown)
