"""The decision wizard: steps, branches, drafts, submit and amend."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from decisions import wizard
from decisions.models import Decision, DecisionDraft, DecisionVersion

from .base import PASSWORD, World, form_errors
from .factories import amend, answers_for, make_submitted_decision
from .wizard_helpers import MAIN_PATH, NO_SHARE, NO_SHARE_PATH, post_step, start, step_url, submit, valid_post, walk

ALL_STEPS = [s.key for s in wizard.steps_for("2018")]
# Pages with something to answer: the sending page asks only an optional question now that each recipient
# says how it was sent (issue 24), so empty is a valid answer there.
REQUIRED_STEPS = [key for key in ALL_STEPS if key != "sending"]


def check_url(reference: str) -> str:
    return reverse("decisions:check", kwargs={"reference": reference})


def detail_url(reference: str) -> str:
    return reverse("decisions:detail", kwargs={"reference": reference})


class HappyPathTests(World):
    def test_consent_given_share_all_end_to_end(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        assert reference.startswith(f"OA-{timezone.localdate().year}-")
        walk(client, reference, MAIN_PATH)
        check = client.get(check_url(reference))
        assert check.status_code == 200
        assert "PC Jane Smith" in check.content.decode()
        response = submit(client, reference)
        assert response.status_code == 302, form_errors(response)
        decision = Decision.objects.get(reference=reference)
        assert decision.status == "submitted" and decision.edition == "2018"
        version = decision.current_version
        assert version is not None and version.number == 1
        assert version.outcome == "share_all" and version.consent_status == "given"
        assert version.content_hash == version.compute_content_hash()
        assert set(version.answers) == set(MAIN_PATH)
        detail = client.get(detail_url(reference))
        assert detail.status_code == 200
        html = detail.content.decode()
        assert "Attendance record" in html and "July 2018" in html

    def test_every_step_names_its_position_and_links_back(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        first = client.get(step_url(reference, "request")).content.decode()
        assert "Task 1 of 10: The request" in first
        assert f'href="{detail_url(reference)}" class="govuk-back-link"' in first
        walk(client, reference, ["request", "people", "information"])
        third = client.get(step_url(reference, "advice")).content.decode()
        assert "Task 4 of 10: Advice" in third
        assert f'href="{step_url(reference, "information")}" class="govuk-back-link"' in third
        assert "Golden rule 3: Seek advice" in third

    def test_each_step_goes_to_the_next_applicable_one(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        for here, there in zip(MAIN_PATH, MAIN_PATH[1:], strict=False):
            response = post_step(client, reference, here)
            assert response["Location"] == step_url(reference, there), here
        assert post_step(client, reference, MAIN_PATH[-1])["Location"] == check_url(reference)

    def test_answers_are_saved_per_step_and_shown_again(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        post_step(client, reference, "request")
        draft = DecisionDraft.objects.get(decision__reference=reference)
        assert draft.answers["request"]["requester_name"] == "PC Jane Smith"
        assert draft.answers["request"]["request_date"] == "2026-11-03"
        assert Decision.objects.get(reference=reference).case_reference == "CASE-123"
        again = client.get(step_url(reference, "request")).content.decode()
        assert 'value="PC Jane Smith"' in again and 'value="2026"' in again

    def test_save_and_come_back_later_keeps_the_answer(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        response = client.post(step_url(reference, "request"), {**valid_post("request"), "later": "1"})
        assert response["Location"] == detail_url(reference)
        draft = DecisionDraft.objects.get(decision__reference=reference)
        # A finished page saved for later is simply saved.
        assert "request" in draft.answers and draft.unfinished == {}
        listing = client.get(reverse("decisions:list")).content.decode()
        assert reference in listing and "Draft" in listing

    def test_resume_on_another_device(self) -> None:
        reference = start(self.client_for(self.alice_practitioner_org_a))
        post_step(self.client_for(self.alice_practitioner_org_a), reference, "request")
        other_device = Client()
        assert other_device.login(username="alice_practitioner", password=PASSWORD)
        html = other_device.get(step_url(reference, "request")).content.decode()
        assert 'value="PC Jane Smith"' in html


def branch_for(step: str) -> dict[str, dict]:
    """Answers under which `step` applies: special category and criminal offence data, consent sought but not
    yet given (or not sought), and a decision to share (or, for the not-sharing pages, not to)."""
    not_sharing = step in ("requester_told", "alternatives")
    return answers_for(
        ["request", *([] if step == "people" else ["people"]), "information", "consent", "decision"],
        {
            "information": {"special_category": "yes", "criminal_offence": "yes"},
            "consent": {"consent_sought": "no" if step == "consent_not_sought" else "yes"},
            "decision": NO_SHARE if not_sharing else {"outcome": "share_all"},
        },
    )


@pytest.mark.parametrize("step", REQUIRED_STEPS)
@pytest.mark.django_db
def test_every_step_rejects_empty_input_with_an_error_summary_and_saves_nothing(step: str) -> None:
    world = World
    world.setUpTestData()
    client = Client()
    client.force_login(world.alice_practitioner_org_a)
    reference = start(client)
    # Reach the step's branch first, so it applies.
    draft = DecisionDraft.objects.get(decision__reference=reference)
    branch = branch_for(step)
    draft.answers = branch
    draft.save()
    before = dict(draft.answers)
    response = client.post(step_url(reference, step), {})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "govuk-error-message" in html
    draft.refresh_from_db()
    assert draft.answers == before


@pytest.mark.parametrize("step", ALL_STEPS)
@pytest.mark.django_db
def test_every_step_accepts_valid_input(step: str) -> None:
    world = World
    world.setUpTestData()
    client = Client()
    client.force_login(world.alice_practitioner_org_a)
    reference = start(client)
    draft = DecisionDraft.objects.get(decision__reference=reference)
    draft.answers = branch_for(step)
    draft.save()
    response = post_step(client, reference, step)
    assert response.status_code == 302, form_errors(response)
    draft.refresh_from_db()
    assert step in draft.answers


class FieldRuleTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)

    def errors_for(self, step: str, **overrides: object) -> str:
        response = post_step(self.client_a, self.reference, step, **overrides)
        assert response.status_code == 200, f"{step} accepted {overrides}"
        return form_errors(response)

    def test_advice_sought_needs_who_and_what(self) -> None:
        errors = self.errors_for("advice", advice_sources=[], advice_given="")
        assert "Select who you asked" in errors and "Enter what you were advised" in errors

    def test_advice_not_sought_needs_a_reason(self) -> None:
        errors = self.errors_for("advice", advice_sought="no")
        assert "Enter why you did not seek advice" in errors

    def test_advice_not_sought_drops_the_yes_branch(self) -> None:
        response = post_step(self.client_a, self.reference, "advice", advice_sought="no", no_advice_reason="Clear case")
        assert response.status_code == 302
        saved = DecisionDraft.objects.get(decision__reference=self.reference).answers["advice"]
        assert saved["advice_sources"] == [] and saved["advice_given"] == ""

    def test_each_not_sought_reason_needs_its_explanation(self) -> None:
        post_step(self.client_a, self.reference, "consent", consent_sought="no")
        errors = self.errors_for("consent_not_sought", reasons=["delay", "parent_reaction", "evidence_loss", "other"])
        assert "how the parent" in errors and "what evidential material" in errors and "the other reason" in errors

    def test_refused_consent_needs_details(self) -> None:
        post_step(self.client_a, self.reference, "consent")
        errors = self.errors_for("consent_outcome", consent_outcome="refused")
        assert "Enter details of the response" in errors

    def test_share_some_needs_what_was_withheld(self) -> None:
        errors = self.errors_for("decision", outcome="share_some")
        assert "Enter what was withheld and why" in errors

    def test_dates_must_be_real_and_not_in_the_future(self) -> None:
        assert "must be today or in the past" in self.errors_for(
            "request", request_date_0="1", request_date_1="1", request_date_2=str(timezone.localdate().year + 1)
        )
        assert "There is a problem" in self.errors_for("request", request_date_0="31", request_date_1="2")
        assert "must be a real date" in self.errors_for(
            "request", request_date_0="31", request_date_1="2", request_date_2="2026"
        )
        assert "Year must include 4 numbers" in self.errors_for("request", request_date_2="9" * 30)

    def test_unknown_choice_is_refused(self) -> None:
        post_step(self.client_a, self.reference, "decision")
        assert "Select the Article 6 lawful basis" in self.errors_for("lawful_basis", article6="z_made_up")

    def test_gateways_none_and_others_conflict(self) -> None:
        post_step(self.client_a, self.reference, "decision")
        assert "not both" in self.errors_for("lawful_basis", statutory_gateways=["none", "ca1989_s47"])

    def test_an_explanation_is_needed_only_where_a_quality_does_not_hold(self) -> None:
        errors = self.errors_for("necessary", proportionate="no")
        assert "Explain why it is not proportionate" in errors
        assert "Explain why it is not necessary</a>" not in errors

    def test_schedule_1_is_needed_only_with_article_9_2_b_g_or_h(self) -> None:
        post_step(self.client_a, self.reference, "information", special_category="yes")
        post_step(self.client_a, self.reference, "decision")
        assert "Select the Schedule 1 condition" in self.errors_for("special_category", schedule1="")
        explicit = {"article9": "9_2_c_vital_interests"}
        assert post_step(self.client_a, self.reference, "special_category", explicit).status_code == 302

    def test_offering_nothing_and_something_conflict(self) -> None:
        post_step(self.client_a, self.reference, "decision", outcome="no_share", no_share_reasons=["no_role"])
        assert "not both" in self.errors_for("alternatives", offered=["nothing", "referral"])
        assert "Enter details of what you offered" in self.errors_for("alternatives", offered_detail="")

    def test_not_sharing_needs_a_reason_and_sending_another_way_needs_how(self) -> None:
        assert "Select why you are not sharing" in self.errors_for("decision", outcome="no_share")
        post_step(self.client_a, self.reference, "decision")
        # How it was sent is asked for each recipient now (issue 24): "another way" needs how, there.
        assert "Enter how it was sent" in self.errors_for("recipients", method="other")

    def test_overlong_text_is_refused_not_truncated(self) -> None:
        assert "5,000 characters or fewer" in self.errors_for("request", purpose="x" * 5001)

    def test_bad_time_is_explained(self) -> None:
        post_step(self.client_a, self.reference, "decision")
        assert "Enter the time as hours and minutes" in self.errors_for("recipients", shared_time="half past")


class BranchTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)

    def test_not_sought_because_of_delay_skips_the_consent_response(self) -> None:
        walk(self.client_a, self.reference, ["request", "people", "information", "advice"])
        response = post_step(self.client_a, self.reference, "consent", consent_sought="no")
        assert response["Location"] == step_url(self.reference, "consent_not_sought")
        response = post_step(self.client_a, self.reference, "consent_not_sought")
        assert response["Location"] == step_url(self.reference, "safety")
        walk(self.client_a, self.reference, ["safety", "necessary"])
        response = post_step(self.client_a, self.reference, "decision")
        assert response["Location"] == step_url(self.reference, "without_consent")
        walk(self.client_a, self.reference, ["without_consent", "lawful_basis", "quality"])
        # Consent was not sought, so whether the family was told is asked; with consent it is not.
        response = post_step(self.client_a, self.reference, "open_honest")
        assert response["Location"] == step_url(self.reference, "sending")
        walk(self.client_a, self.reference, ["sending", "recipients"])
        assert submit(self.client_a, self.reference).status_code == 302
        version = Decision.objects.get(reference=self.reference).current_version
        assert version is not None
        assert version.consent_status == "not_sought" and version.consent_not_sought_reasons == "delay"
        assert version.sharing_method == "secure_email" and version.lawful_basis == "e_public_task"
        assert "consent_outcome" not in version.answers

    def test_refused_and_shared_anyway_asks_for_justification(self) -> None:
        walk(self.client_a, self.reference, ["request", "people", "information", "advice", "consent"])
        walk(
            self.client_a,
            self.reference,
            ["consent_outcome"],
            {"consent_outcome": {"consent_outcome": "refused", "consent_outcome_detail": "Father refused"}},
        )
        walk(self.client_a, self.reference, ["safety", "necessary", "decision"])
        assert self.client_a.get(step_url(self.reference, "without_consent")).status_code == 200
        walk(self.client_a, self.reference, ["without_consent", "lawful_basis", "quality", "open_honest"])
        walk(self.client_a, self.reference, ["sending", "recipients"])
        assert submit(self.client_a, self.reference).status_code == 302
        version = Decision.objects.get(reference=self.reference).current_version
        assert version is not None and version.shared_without_consent
        assert version.answers["without_consent"]["justification"]

    def test_do_not_share_asks_about_telling_the_requester_and_alternatives_instead(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH[:8])
        response = post_step(self.client_a, self.reference, "decision", **NO_SHARE)
        assert response["Location"] == step_url(self.reference, "requester_told")
        walk(self.client_a, self.reference, ["requester_told", "alternatives"])
        assert submit(self.client_a, self.reference).status_code == 302
        version = Decision.objects.get(reference=self.reference).current_version
        assert version is not None and version.outcome == "no_share"
        assert set(version.answers) == set(NO_SHARE_PATH)
        assert version.answers["decision"]["no_share_reasons"] == ["no_role"]
        assert version.answers["advice"]["advice_sought"] == "yes"

    def test_a_proposal_of_our_own_not_shared_has_no_requester_to_tell(self) -> None:
        post_step(self.client_a, self.reference, "request", request_origin="own_agency")
        walk(self.client_a, self.reference, MAIN_PATH[1:7])
        response = post_step(self.client_a, self.reference, "decision", **NO_SHARE)
        assert response["Location"] == step_url(self.reference, "alternatives")

    def test_a_no_to_necessary_is_a_reason_not_to_share_not_an_error(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH[:6])
        no = {"necessary": "no", "necessary_explanation": "They already have it", "proportionate": "yes"}
        assert post_step(self.client_a, self.reference, "necessary", no).status_code == 302
        page = self.client_a.get(step_url(self.reference, "decision")).content.decode()
        assert "That is a good reason not to share" in page
        shared = post_step(self.client_a, self.reference, "decision")
        assert shared.status_code == 200
        assert "You said sharing would not be necessary: choose do not share" in form_errors(shared)
        not_shared = post_step(self.client_a, self.reference, "decision", **NO_SHARE)
        assert not_shared.status_code == 302

    def test_special_category_and_criminal_data_ask_for_their_conditions_when_shared(self) -> None:
        walk(self.client_a, self.reference, ["request"])
        post_step(self.client_a, self.reference, "information", special_category="yes", criminal_offence="yes")
        walk(self.client_a, self.reference, ["advice", "consent", "consent_outcome", "safety", "necessary"])
        walk(self.client_a, self.reference, ["decision"])
        response = post_step(self.client_a, self.reference, "lawful_basis")
        assert response["Location"] == step_url(self.reference, "special_category")
        response = post_step(self.client_a, self.reference, "special_category")
        assert response["Location"] == step_url(self.reference, "criminal_offence")

    def test_explicit_consent_is_refused_as_the_article_9_condition_without_consent(self) -> None:
        post_step(self.client_a, self.reference, "information", special_category="yes")
        post_step(self.client_a, self.reference, "consent", consent_sought="no")
        post_step(self.client_a, self.reference, "decision")
        response = post_step(self.client_a, self.reference, "special_category", article9="9_2_a_explicit_consent")
        assert "Explicit consent cannot be the Article 9 condition" in form_errors(response)

    def test_a_step_that_does_not_apply_redirects_onwards(self) -> None:
        walk(self.client_a, self.reference, ["request", "people", "information", "advice", "consent"])
        response = self.client_a.get(step_url(self.reference, "consent_not_sought"))
        assert response.status_code == 302
        assert response["Location"] == step_url(self.reference, "safety")


class CheckAnswersTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)
        walk(self.client_a, self.reference, MAIN_PATH)

    def test_every_answer_has_a_change_link_back_to_check(self) -> None:
        html = self.client_a.get(check_url(self.reference)).content.decode()
        for step in MAIN_PATH:
            assert f'{step_url(self.reference, step)}?return=check"' in html, step
        assert "Task 10 of 10: Check your answers and submit" in html
        assert f'href="{detail_url(self.reference)}" class="govuk-back-link"' in html

    def test_change_returns_to_check_your_answers(self) -> None:
        url = step_url(self.reference, "safety") + "?return=check"
        page = self.client_a.get(url).content.decode()
        assert "Save and return to check your answers" in page
        assert f'href="{check_url(self.reference)}" class="govuk-back-link"' in page
        response = self.client_a.post(url, valid_post("safety", impact_of_sharing="Changed"))
        assert response["Location"] == check_url(self.reference)

    def test_a_change_that_opens_a_branch_asks_the_new_question_first(self) -> None:
        url = step_url(self.reference, "consent") + "?return=check"
        response = self.client_a.post(url, valid_post("consent", consent_sought="no"))
        assert response["Location"] == step_url(self.reference, "consent_not_sought") + "?return=check"

    def test_submit_checks_rules_across_pages(self) -> None:
        # Answers that got past their pages some other way (an old draft, an edited row) are still refused.
        draft = DecisionDraft.objects.get(decision__reference=self.reference)
        draft.answers["lawful_basis"]["article6"] = "a_consent"
        draft.answers["consent_outcome"] = {"consent_outcome": "refused", "consent_outcome_detail": "No"}
        draft.answers["necessary"]["necessary"] = "no"
        draft.answers["necessary"]["necessary_explanation"] = "They have it"
        draft.save()
        walk(self.client_a, self.reference, ["without_consent", "open_honest"])
        check = self.client_a.get(check_url(self.reference)).content.decode()
        assert "Consent cannot be the lawful basis" in check and "would not be necessary" in check
        response = submit(self.client_a, self.reference)
        assert response.status_code == 200
        errors = form_errors(response)
        assert "Consent cannot be the lawful basis because consent was refused" in errors
        assert "You said sharing would not be necessary" in errors
        assert not DecisionVersion.objects.exists()

    def test_missing_answers_are_flagged_and_block_submit(self) -> None:
        draft = DecisionDraft.objects.get(decision__reference=self.reference)
        draft.answers.pop("safety")
        draft.save()
        html = self.client_a.get(check_url(self.reference)).content.decode()
        assert "Not answered" in html
        response = submit(self.client_a, self.reference)
        assert "How does sharing, or not sharing, affect safety" in form_errors(response)
        assert not DecisionVersion.objects.exists()

    def test_declaration_is_required(self) -> None:
        response = self.client_a.post(check_url(self.reference), {})
        assert "Confirm that this is an accurate record" in form_errors(response)
        assert not DecisionVersion.objects.exists()

    def test_double_submit_makes_one_record(self) -> None:
        first = submit(self.client_a, self.reference)
        second = submit(self.client_a, self.reference)
        assert first.status_code == 302 and second.status_code == 302
        assert second["Location"] == detail_url(self.reference)
        assert DecisionVersion.objects.count() == 1
        assert AuditEvent.objects.filter(action="decision_submit").count() == 1

    def test_service_submit_is_idempotent(self) -> None:
        from decisions import services

        draft = DecisionDraft.objects.get(decision__reference=self.reference)
        v1 = services.decision_submit(by=self.alice_practitioner_org_a, draft=draft)
        v2 = services.decision_submit(by=self.alice_practitioner_org_a, draft=draft)
        assert v1.pk == v2.pk

    def test_submitted_decision_is_read_only(self) -> None:
        submit(self.client_a, self.reference)
        assert post_step(self.client_a, self.reference, "safety").status_code == 404
        assert self.client_a.get(step_url(self.reference, "safety")).status_code == 404


class AccessTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)
        walk(self.client_a, self.reference, MAIN_PATH)

    def test_another_practitioner_cannot_see_or_edit_the_draft(self) -> None:
        for user in [self.amir_practitioner_org_a, self.bob_practitioner_org_b]:
            client = self.client_for(user)
            assert client.get(step_url(self.reference, "request")).status_code == 404
            assert post_step(client, self.reference, "request", requester_name="Mallory").status_code == 404
            assert client.get(check_url(self.reference)).status_code == 404
            assert submit(client, self.reference).status_code == 404
            assert client.get(detail_url(self.reference)).status_code == 404
        draft = DecisionDraft.objects.get(decision__reference=self.reference)
        assert draft.answers["request"]["requester_name"] == "PC Jane Smith"
        assert not DecisionVersion.objects.exists()

    def test_other_roles_cannot_write_drafts(self) -> None:
        for user in [self.sue_supervisor_org_a, self.ada_admin_org_a, self.aud_auditor_org_a]:
            client = self.client_for(user)
            assert client.post(reverse("decisions:start")).status_code == 403
            assert post_step(client, self.reference, "request").status_code == 404
            # Drafts are the practitioner's own until submitted.
            assert client.get(detail_url(self.reference)).status_code == 404

    def test_submitted_decision_is_visible_to_the_organisation_only(self) -> None:
        submit(self.client_a, self.reference)
        for user in self.every_role_org_a:
            assert self.client_for(user).get(detail_url(self.reference)).status_code == 200, user
        for user in [*self.every_role_org_b, self.amir_practitioner_org_a, self.nobody_without_org]:
            assert self.client_for(user).get(detail_url(self.reference)).status_code == 404, user

    def test_wrong_methods_are_refused(self) -> None:
        assert self.client_a.put(step_url(self.reference, "request")).status_code == 405
        assert self.client_a.delete(check_url(self.reference)).status_code == 405
        assert self.client_a.post(detail_url(self.reference)).status_code == 405
        assert self.client_a.put(reverse("decisions:start")).status_code == 405

    def test_missing_ids_are_404(self) -> None:
        assert self.client_a.get(step_url("OA-1999-99999", "request")).status_code == 404
        assert self.client_a.get(step_url(self.reference, "no-such-step")).status_code == 404
        assert self.client_a.get(detail_url("OA-1999-99999")).status_code == 404
        assert self.client_a.get(check_url("nope")).status_code == 404
        assert self.client_a.get(reverse("decisions:amend", kwargs={"reference": "nope"})).status_code == 404
        submit(self.client_a, self.reference)
        assert self.client_a.get(detail_url(self.reference) + "?version=9").status_code == 404
        assert self.client_a.get(detail_url(self.reference) + "?version=x").status_code == 404

    def test_list_is_scoped(self) -> None:
        submit(self.client_a, self.reference)
        other = make_submitted_decision(self.bob_practitioner_org_b).decision.reference
        own_list = self.client_a.get(reverse("decisions:list")).content.decode()
        assert self.reference in own_list and other not in own_list
        sup_list = self.client_for(self.sue_supervisor_org_a).get(reverse("decisions:list")).content.decode()
        assert self.reference in sup_list and other not in sup_list
        assert self.client_for(self.nobody_without_org).get(reverse("decisions:list")).status_code == 403


class AmendTests(World):
    def setUp(self) -> None:
        self.v1 = make_submitted_decision(self.alice_practitioner_org_a)
        self.reference = self.v1.decision.reference
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.amend_url = reverse("decisions:amend", kwargs={"reference": self.reference})

    def test_amend_needs_a_reason(self) -> None:
        for data in ({"reason": "   "}, {}):
            response = self.client_a.post(self.amend_url, data)
            assert "Enter why you are amending this decision" in form_errors(response)
        assert not DecisionDraft.objects.filter(amends_version__isnull=False).exists()

    def test_an_overlong_reason_is_refused_kept_and_its_limit_told(self) -> None:
        page = self.client_a.get(self.amend_url).content.decode()
        assert 'data-maxlength="2000"' in page and not re.search(r"\smaxlength=", page)
        typed = "The supervisor asked for more. " * 70
        response = self.client_a.post(self.amend_url, {"reason": typed})
        assert "Reason must be 2,000 characters or fewer" in form_errors(response)
        assert typed.strip() in html.unescape(response.content.decode())
        assert not DecisionDraft.objects.filter(amends_version__isnull=False).exists()

    def test_amendment_is_a_new_linked_version_with_history(self) -> None:
        response = self.client_a.post(self.amend_url, {"reason": "Time shared was wrong"})
        assert response["Location"] == check_url(self.reference)
        post_step(self.client_a, self.reference, "recipients", shared_time="16:45")
        assert submit(self.client_a, self.reference).status_code == 302
        decision = Decision.objects.get(reference=self.reference)
        v2 = decision.current_version
        assert v2 is not None and v2.number == 2 and v2.previous_id == self.v1.pk
        assert v2.amendment_reason == "Time shared was wrong"
        self.v1.refresh_from_db()
        assert self.v1.answers["recipients"]["recipients"][0]["shared_time"] == "14:30"
        html = self.client_a.get(detail_url(self.reference)).content.decode()
        assert "Show amendments (1)" in html and "16:45" in html and "Time shared was wrong" in html
        old = self.client_a.get(detail_url(self.reference) + "?version=1").content.decode()
        assert "Version 1 of 2" in old and "see the current version" in old

    def test_only_the_owner_can_amend(self) -> None:
        for user in [self.sue_supervisor_org_a, self.ada_admin_org_a, self.aud_auditor_org_a]:
            assert self.client_for(user).post(self.amend_url, {"reason": "x"}).status_code == 403, user
        # Practitioners see only their own decisions, so a colleague's is not found at all.
        for user in [self.amir_practitioner_org_a, self.bob_practitioner_org_b]:
            assert self.client_for(user).post(self.amend_url, {"reason": "x"}).status_code == 404, user
        assert not DecisionDraft.objects.filter(amends_version__isnull=False).exists()

    def test_double_amend_opens_one_draft(self) -> None:
        self.client_a.post(self.amend_url, {"reason": "one"})
        response = self.client_a.post(self.amend_url, {"reason": "two"})
        assert response["Location"] == check_url(self.reference)
        assert DecisionDraft.objects.filter(submitted_version__isnull=True).count() == 1

    def test_amendment_via_service_keeps_versions_immutable(self) -> None:
        v2 = amend(self.alice_practitioner_org_a, self.v1, "Fix", {"safety": {"others_affected": "Sibling"}})
        assert v2.previous_id == self.v1.pk
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            DecisionVersion.objects.filter(pk=self.v1.pk).update(amendment_reason="rewritten")


class ConstraintTests(World):
    def assert_refused(self, **fields: object) -> None:
        """A second version with `fields` over valid defaults is refused by the database itself."""
        version = make_submitted_decision(self.alice_practitioner_org_a)
        values: dict[str, object] = {
            "decision": version.decision,
            "number": 2,
            "edition": "2018",
            "answers": {},
            "content_hash": "x" * 64,
            "submitted_at": timezone.now(),
            "submitted_by": self.alice_practitioner_org_a,
            "previous": version,
            "amendment_reason": "r",
            **fields,
        }
        with pytest.raises(IntegrityError), transaction.atomic():
            DecisionVersion.objects.create(**values)

    def test_database_refuses_not_sought_without_reason(self) -> None:
        self.assert_refused(
            outcome="share_all",
            consent_status="not_sought",
            consent_not_sought_reasons="",
            lawful_basis="e_public_task",
        )

    def test_database_refuses_sharing_without_consent_on_consent_basis(self) -> None:
        self.assert_refused(outcome="share_all", consent_status="refused", lawful_basis="a_consent")

    def test_database_refuses_an_amendment_without_reason(self) -> None:
        self.assert_refused(amendment_reason="", outcome="no_share", consent_status="given")

    def test_database_refuses_a_lawful_basis_or_method_on_a_decision_not_to_share(self) -> None:
        for stated in ({"lawful_basis": "e_public_task"}, {"sharing_method": "secure_email"}):
            self.assert_refused(layout=2, outcome="no_share", consent_status="given", **stated)

    def test_database_refuses_sharing_without_a_lawful_basis_or_a_method(self) -> None:
        self.assert_refused(layout=2, outcome="share_all", consent_status="given", lawful_basis="e_public_task")
        self.assert_refused(layout=2, outcome="share_all", consent_status="given", sharing_method="secure_email")

    def test_database_refuses_consent_as_the_basis_without_consent_whatever_the_layout(self) -> None:
        self.assert_refused(layout=1, outcome="no_share", consent_status="refused", lawful_basis="a_consent")

    def test_database_keeps_first_layout_records_that_stated_a_lawful_basis_for_not_sharing(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        DecisionVersion.objects.create(
            decision=version.decision,
            number=2,
            edition="2018",
            layout=1,
            answers={},
            content_hash="y" * 64,
            submitted_at=timezone.now(),
            submitted_by=self.alice_practitioner_org_a,
            previous=version,
            amendment_reason="r",
            outcome="no_share",
            consent_status="given",
            lawful_basis="e_public_task",
        )


class AuditTrailTests(World):
    def test_create_save_submit_amend_and_view_are_audited(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        walk(client, reference, MAIN_PATH)
        submit(client, reference)
        client.post(reverse("decisions:amend", kwargs={"reference": reference}), {"reason": "typo"})
        self.client_for(self.sue_supervisor_org_a).get(detail_url(reference))
        actions = list(AuditEvent.objects.filter(target_ref=reference).order_by("seq").values_list("action", flat=True))
        assert actions[0] == "decision_create"
        assert actions.count("decision_step_save") == len(MAIN_PATH)
        assert "decision_submit" in actions and "decision_amend_start" in actions
        view = AuditEvent.objects.filter(target_ref=reference, action="decision_view").get()
        assert view.actor == self.sue_supervisor_org_a and view.details == {"version": 1}


class SessionTimeoutTests(World):
    def test_answer_posted_after_timeout_is_kept_through_sign_in(self) -> None:
        client = Client()
        assert client.login(username="alice_practitioner", password=PASSWORD)
        reference = start(client)
        Session.objects.all().delete()  # the idle timeout: the server forgets the session
        url = step_url(reference, "request")
        response = client.post(url, valid_post("request", requester_name="Typed before timeout"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        login = client.post(
            reverse("accounts:login") + f"?next={url}",
            {"username": "alice_practitioner", "password": PASSWORD, "next": url},
        )
        assert login["Location"] == url
        html = client.get(url).content.decode()
        assert "Typed before timeout" in html and "signed out before this page was saved" in html
        # Shown once, then gone: the next visit shows what is saved.
        assert "Typed before timeout" not in client.get(url).content.decode()


class QueryCountTests(World):
    """Wizard pages and the detail page use a small constant number of queries."""

    def count(self, client: Client, method: str, url: str, data: dict | None = None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(url, data or {})
        assert response.status_code in (200, 302), (url, response.status_code)
        # SAVEPOINT statements come from the test's own wrapping transaction; in production the outer
        # atomic block is a plain BEGIN/COMMIT, which is not a query.
        return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))

    def measure(self) -> dict[str, int]:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        walk(client, reference, MAIN_PATH[:-1])
        recipients = step_url(reference, "recipients")
        discard = reverse("decisions:discard", kwargs={"reference": reference})
        counts = {
            "task_list": self.count(client, "get", detail_url(reference)),
            "step_get": self.count(client, "get", recipients),
            "step_save_for_later": self.count(client, "post", recipients, {"agency": "Po", "later": "1"}),
            "step_get_unfinished": self.count(client, "get", recipients),
            "step_post": self.count(client, "post", recipients, valid_post("recipients")),
            "step_post_with_errors": self.count(
                client, "post", step_url(reference, "decision"), valid_post("decision", outcome="no_share")
            ),
            "check": self.count(client, "get", check_url(reference)),
            "discard_get": self.count(client, "get", discard),
        }
        submit(client, reference)
        counts["detail"] = self.count(client, "get", detail_url(reference))
        amend_url = reverse("decisions:amend", kwargs={"reference": reference})
        counts["amend_post"] = self.count(client, "post", amend_url, {"reason": "Time"})
        counts["detail_with_amendment"] = self.count(client, "get", detail_url(reference))
        counts["cancel_amendment_post"] = self.count(client, "post", discard, {"confirm": "yes"})
        other = start(client)
        counts["discard_post"] = self.count(
            client, "post", reverse("decisions:discard", kwargs={"reference": other}), {"confirm": "yes"}
        )
        return counts

    def test_constant_and_small(self) -> None:
        few = self.measure()
        for _ in range(20):
            make_submitted_decision(self.alice_practitioner_org_a)
        many = self.measure()
        assert few == many
        assert max(many.values()) <= 10, many
        print(f"\nQueries per page: {many}")  # noqa: T201 - shown with -s
