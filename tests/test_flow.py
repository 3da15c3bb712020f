"""The reshaped flow around the questions: the task list, saving unfinished pages, discarding drafts and
cancelling amendments, and moving old drafts into the current questions."""

from __future__ import annotations

import re

from django.urls import reverse

from audit.models import AuditEvent
from decisions import wizard
from decisions.models import Decision, DecisionDraft, DecisionVersion

from .base import World, form_errors
from .factories import make_submitted_decision
from .test_old_records import OLD_SHARE_ALL
from .wizard_helpers import MAIN_PATH, NO_SHARE, post_step, start, step_url, submit, valid_post, walk


def detail_url(reference: str) -> str:
    return reverse("decisions:detail", kwargs={"reference": reference})


def check_url(reference: str) -> str:
    return reverse("decisions:check", kwargs={"reference": reference})


def discard_url(reference: str) -> str:
    return reverse("decisions:discard", kwargs={"reference": reference})


def task_statuses(html: str) -> dict[str, str]:
    """Task title -> status text, from the task list."""
    items = re.findall(r'<li class="govuk-task-list__item.*?</li>', html, flags=re.S)
    result = {}
    for item in items:
        name_part, status_part = item.split('<div class="govuk-task-list__status', 1)
        name = re.sub(r"<[^>]+>", " ", name_part.split(">", 1)[1])
        status = re.sub(r"<[^>]+>", " ", status_part.split(">", 1)[1])
        result[" ".join(name.split())] = " ".join(status.split())
    return result


def completed(html: str) -> int:
    match = re.search(r"You have completed (\d+) of 10 tasks", html)
    assert match, html[:300]
    return int(match.group(1))


class TaskListTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)

    def tasks(self) -> tuple[dict[str, str], str]:
        html = self.client_a.get(detail_url(self.reference)).content.decode()
        return task_statuses(html), html

    def test_start_opens_the_decisions_own_page_with_its_task_list(self) -> None:
        response = self.client_a.post(reverse("decisions:start"))
        reference = response["Location"].split("/")[2]
        assert response["Location"] == detail_url(reference)
        statuses, html = self.tasks()
        assert statuses["The request"] == "Not yet started"
        assert statuses["After your decision"] == "Cannot start yet"
        assert statuses["Check your answers and submit"] == "Cannot start yet"
        assert f'href="{step_url(self.reference, "request")}"' in html
        # Tasks that cannot start yet are not links.
        assert f'href="{step_url(self.reference, "lawful_basis")}"' not in html
        assert completed(html) == 0

    def test_statuses_follow_the_answers_and_the_count_never_goes_back(self) -> None:
        seen = []
        for step in MAIN_PATH:
            post_step(self.client_a, self.reference, step)
            statuses, html = self.tasks()
            seen.append(completed(html))
        assert seen == sorted(seen) and seen[-1] == 9, seen
        assert statuses["After your decision"] == "Completed"
        assert statuses["Check your answers and submit"] == "Not yet started"

    def test_a_page_saved_unfinished_leaves_its_task_in_progress(self) -> None:
        self.client_a.post(step_url(self.reference, "request"), {"requester_name": "PC Smith", "later": "1"})
        statuses, _html = self.tasks()
        assert statuses["The request"] == "In progress"

    def test_the_task_after_the_decision_keeps_its_name(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH[:8])
        post_step(self.client_a, self.reference, "decision", **NO_SHARE)
        statuses, html = self.tasks()
        assert statuses["After your decision"] == "Not yet started"
        assert "Sharing the information" not in html and "Not sharing the information" not in html

    def test_an_answer_a_later_change_made_wrong_leaves_its_task_in_progress(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH)
        post_step(self.client_a, self.reference, "necessary", necessary="no", necessary_explanation="They have it")
        statuses, html = self.tasks()
        assert statuses["Your decision"] == "In progress"
        assert f'href="{step_url(self.reference, "decision")}"' in html

    def test_every_page_says_which_task_it_is_and_the_total_never_changes(self) -> None:
        for step in MAIN_PATH:
            html = self.client_a.get(step_url(self.reference, step)).content.decode()
            number, task = wizard.flow_for().task_number(step) or (0, None)
            assert f"Task {number} of 10" in html, step
            post_step(self.client_a, self.reference, step)

    def test_the_task_list_is_the_owners_alone(self) -> None:
        for user in (self.amir_practitioner_org_a, self.sue_supervisor_org_a, self.bob_practitioner_org_b):
            assert self.client_for(user).get(detail_url(self.reference)).status_code == 404, user


class SaveForLaterTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)

    def draft(self) -> DecisionDraft:
        return DecisionDraft.objects.get(decision__reference=self.reference)

    def test_an_unfinished_page_is_kept_as_typed_and_marked_on_check_answers(self) -> None:
        post_step(self.client_a, self.reference, "request")
        half = {**valid_post("request"), "purpose": "", "request_date_2": "26", "later": "1"}
        response = self.client_a.post(step_url(self.reference, "request"), half)
        assert response["Location"] == detail_url(self.reference)
        draft = self.draft()
        assert draft.unfinished["request"]["request_date_2"] == "26"
        # The last finished answer is kept as it was until the page is finished.
        assert draft.answers["request"]["purpose"] == valid_post("request")["purpose"]
        page = self.client_a.get(step_url(self.reference, "request")).content.decode()
        assert "You saved this page before you finished it" in page and 'value="26"' in page
        check = self.client_a.get(check_url(self.reference)).content.decode()
        assert "Not finished" in check and "it was saved before it was finished" in check

    def test_saving_and_continuing_finishes_the_page(self) -> None:
        self.client_a.post(step_url(self.reference, "request"), {"requester_name": "PC Smith", "later": "1"})
        response = self.client_a.post(step_url(self.reference, "request"), {"requester_name": "PC Smith"})
        assert response.status_code == 200 and "There is a problem" in response.content.decode()
        assert "request" in self.draft().unfinished  # still there: nothing was saved
        assert post_step(self.client_a, self.reference, "request").status_code == 302
        assert self.draft().unfinished == {}

    def test_an_unfinished_page_blocks_submit(self) -> None:
        walk(self.client_a, self.reference, MAIN_PATH)
        self.client_a.post(step_url(self.reference, "safety"), {"impact_of_sharing": "", "later": "1"})
        response = submit(self.client_a, self.reference)
        assert response.status_code == 200 and "saved before it was finished" in form_errors(response)
        assert not DecisionVersion.objects.exists()

    def test_a_page_breaking_a_rule_is_kept_unfinished_for_later(self) -> None:
        walk(self.client_a, self.reference, ["consent"])
        post_step(
            self.client_a, self.reference, "consent_outcome", consent_outcome="refused", consent_outcome_detail="No"
        )
        post_step(self.client_a, self.reference, "decision")
        data = {**valid_post("lawful_basis", article6="a_consent"), "later": "1"}
        assert self.client_a.post(step_url(self.reference, "lawful_basis"), data).status_code == 302
        draft = self.draft()
        assert "lawful_basis" not in draft.answers and draft.unfinished["lawful_basis"]["article6"] == "a_consent"

    def test_a_nul_character_does_not_stop_a_page_being_kept(self) -> None:
        # PostgreSQL cannot keep NUL in JSON; it is dropped, everything else is kept (found by fuzzing).
        data = {"requester_name": "PC\x00 Smith", "later": "1"}
        assert self.client_a.post(step_url(self.reference, "request"), data).status_code == 302
        assert self.draft().unfinished["request"]["requester_name"] == "PC Smith"

    def test_saving_for_later_is_audited_as_unfinished(self) -> None:
        self.client_a.post(step_url(self.reference, "request"), {"requester_name": "PC Smith", "later": "1"})
        event = AuditEvent.objects.filter(target_ref=self.reference, action="decision_step_save").get()
        assert event.details == {"step": "request", "changed": True, "finished": False}
        assert "PC Smith" not in str(event.details)


class DiscardTests(World):
    def setUp(self) -> None:
        self.client_a = self.client_for(self.alice_practitioner_org_a)
        self.reference = start(self.client_a)
        post_step(self.client_a, self.reference, "request")

    def test_asks_first_and_keeps_the_trail(self) -> None:
        page = self.client_a.get(discard_url(self.reference)).content.decode()
        assert "Are you sure you want to discard this draft?" in page
        before = list(AuditEvent.objects.filter(target_ref=self.reference).order_by("seq").values_list("pk", flat=True))
        response = self.client_a.post(discard_url(self.reference), {"confirm": "yes"})
        assert response["Location"] == reverse("decisions:list")
        after = list(AuditEvent.objects.filter(target_ref=self.reference).order_by("seq").values_list("pk", flat=True))
        assert after[: len(before)] == before and len(after) == len(before) + 1
        draft = DecisionDraft.objects.get(decision__reference=self.reference)
        assert draft.discarded_at is not None and draft.answers["request"]  # closed, not deleted
        detail = self.client_a.get(detail_url(self.reference)).content.decode()
        assert "Discarded" in detail and "never submitted" in detail
        assert self.client_a.get(check_url(self.reference)).status_code == 404
        assert self.client_a.get(discard_url(self.reference)).status_code == 404

    def test_no_keeps_the_draft(self) -> None:
        response = self.client_a.post(discard_url(self.reference), {"confirm": "no"})
        assert response["Location"] == detail_url(self.reference)
        assert Decision.objects.get(reference=self.reference).status == "draft"

    def test_an_answer_is_needed(self) -> None:
        for data in ({}, {"confirm": "maybe"}):
            response = self.client_a.post(discard_url(self.reference), data)
            assert response.status_code == 200 and "Select yes or no" in form_errors(response)
        assert Decision.objects.get(reference=self.reference).status == "draft"
        assert not AuditEvent.objects.filter(action="decision_draft_discard").exists()

    def test_only_the_owner_can_discard(self) -> None:
        for user in (self.amir_practitioner_org_a, self.sue_supervisor_org_a, self.ada_admin_org_a):
            client = self.client_for(user)
            assert client.get(discard_url(self.reference)).status_code == 404, user
            assert client.post(discard_url(self.reference), {"confirm": "yes"}).status_code == 404, user
        assert self.client_for(self.bob_practitioner_org_b).post(discard_url(self.reference)).status_code == 404
        assert Decision.objects.get(reference=self.reference).status == "draft"

    def test_wrong_method_and_missing_id(self) -> None:
        assert self.client_a.put(discard_url(self.reference)).status_code == 405
        assert self.client_a.get(discard_url("OA-1999-99999")).status_code == 404

    def test_a_submitted_decision_cannot_be_discarded(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        reference = version.decision.reference
        assert self.client_a.post(discard_url(reference), {"confirm": "yes"}).status_code == 404
        assert Decision.objects.get(reference=reference).status == "submitted"

    def test_discarded_drafts_are_not_shown_to_supervisors(self) -> None:
        self.client_a.post(discard_url(self.reference), {"confirm": "yes"})
        listing = self.client_for(self.sue_supervisor_org_a).get(reverse("decisions:list")).content.decode()
        assert self.reference not in listing

    def test_cancelling_an_amendment_keeps_the_submitted_version(self) -> None:
        version = make_submitted_decision(self.alice_practitioner_org_a)
        reference = version.decision.reference
        self.client_a.post(reverse("decisions:amend", kwargs={"reference": reference}), {"reason": "Wrong time"})
        post_step(self.client_a, reference, "recipients", shared_time="16:45")
        page = self.client_a.get(discard_url(reference)).content.decode()
        assert "Are you sure you want to cancel this amendment?" in page
        response = self.client_a.post(discard_url(reference), {"confirm": "yes"})
        assert response["Location"] == detail_url(reference)
        event = AuditEvent.objects.filter(target_ref=reference, action="decision_amend_cancel").get()
        assert event.details == {"amends_version": 1}
        detail = self.client_a.get(detail_url(reference)).content.decode()
        assert "Amend this decision" in detail and "16:45" not in detail
        # A new amendment can be started afterwards.
        self.client_a.post(reverse("decisions:amend", kwargs={"reference": reference}), {"reason": "Again"})
        assert DecisionDraft.objects.filter(decision=version.decision).open().count() == 1


class ReshapeTests(World):
    """A draft started before the questions were reshaped (layout 1) moves into the current layout when opened."""

    def test_an_old_open_draft_is_moved_into_the_current_questions_when_opened(self) -> None:
        client = self.client_for(self.alice_practitioner_org_a)
        reference = start(client)
        old = {k: v for k, v in OLD_SHARE_ALL.items() if k not in ("recipients", "decision")}
        DecisionDraft.objects.filter(decision__reference=reference).update(layout=1, answers=old)
        response = client.get(check_url(reference))
        assert response.status_code == 200
        draft = DecisionDraft.objects.get(decision__reference=reference)
        assert draft.layout == wizard.current_layout()
        # Through layout 2 into layout 3: whom consent was sought from is now a person on the record, asked again.
        assert draft.unfinished["consent"]["consent_sought"] == "yes"
        assert draft.unfinished["people"]["carried_subject"] == "J.B., born 4 May 2015"
        assert draft.answers["necessary"]["necessary"] == "yes"
        assert "rule6" not in draft.answers
        event = AuditEvent.objects.filter(target_ref=reference, action="decision_draft_reshape").get()
        assert event.details == {"from_layout": 1, "to_layout": wizard.current_layout()}
        walk(client, reference, ["people", "consent", "decision", "lawful_basis", "quality", "sending", "recipients"])
        client.post(step_url(reference, "people"), {"action": "clear_carried"})
        assert submit(client, reference).status_code == 302
