"""Hostile-administrator suite, issue 25 item 7: drafts that never ended kept the requester's name, the case
reference and the purpose for ever, and people rows outlived every record naming them.

Discarded drafts are purged by housekeeping after DISCARDED_DRAFT_KEEP_DAYS; open drafts nobody has saved for
ABANDONED_DRAFT_DAYS are listed on the retention page for an admin to dispose of; people no record or draft names
are removed. Every purge is audited with counts or a reference only.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import time_machine
from django.test import override_settings
from django.urls import reverse

from audit import actions
from audit.models import AuditEvent
from audit.verify import verify_chains
from decisions import services
from decisions.choices import DecisionStatus
from decisions.models import Decision, DecisionDraft, DecisionPerson, Person
from housekeeping import jobs
from housekeeping.models import HousekeepingRun
from retention import services as retention

from ..base import World
from ..factories import answers_for, make_submitted_decision, save_answers

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# In the past (housekeeping runs at START + 31 days): the database refuses a client-data clearing that starts
# ahead of its own clock.
START = dt.datetime(2026, 11, 4, 10, 0, tzinfo=dt.UTC)  # the day after the example answers
SECRETS = ("PC Jane Smith", "CASE-123", "Strategy discussion about bruising", "Jamie Brown")
DUE = reverse("retention:due")


def days(n: int) -> Any:
    return time_machine.travel(START + dt.timedelta(days=n), tick=False)


def run_housekeeping() -> HousekeepingRun:
    run = jobs.housekeeping_start()
    assert run is not None
    run.refresh_from_db()
    return run


def traces(*texts: str) -> list[str]:
    return sorted({s for s in SECRETS for text in texts if s in text})


def stored_anywhere(decision: Decision) -> list[str]:
    """What of the draft's content the database still holds about the decision."""
    rows = [json.dumps(list(DecisionDraft.objects.filter(decision=decision).values()), default=str)]
    rows.append(json.dumps(list(Decision.objects.filter(pk=decision.pk).values()), default=str))
    rows += [p.full_name for p in Person.objects.filter(decision_links__decision=decision)]
    return traces(*rows)


@override_settings(TASKS=IMMEDIATE, DISCARDED_DRAFT_KEEP_DAYS=30, ABANDONED_DRAFT_DAYS=90)
class DraftRetentionTests(World):
    def new_draft(self, owner: Any = None) -> DecisionDraft:
        owner = owner or self.alice_practitioner_org_a
        return save_answers(owner, services.decision_start(by=owner), answers_for(["request", "people"]))

    def test_a_discarded_draft_is_purged_after_the_keeping_period_with_its_people(self) -> None:
        with days(0):
            draft = self.new_draft()
            services.draft_discard(by=self.alice_practitioner_org_a, draft=draft)
            person = Person.objects.get(full_name="Jamie Brown")
        decision = draft.decision
        with days(29):
            run_housekeeping()
        assert stored_anywhere(decision) == sorted(SECRETS)  # still within the keeping period
        with days(31):
            run = run_housekeeping()
        assert stored_anywhere(decision) == []
        assert not DecisionDraft.objects.filter(decision=decision).exists()
        assert not Person.objects.filter(pk=person.pk).exists()
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.DISCARDED and decision.reference  # the reference stays taken
        assert (run.drafts_purged, run.people_removed) == (1, 1)
        event = AuditEvent.objects.filter(action=actions.HOUSEKEEPING_DRAFTS).latest("pk")
        assert event.details == {"drafts_purged": 1, "people_removed": 1}
        assert traces(json.dumps(list(AuditEvent.objects.values("details", "target_ref")), default=str)) == []
        assert verify_chains(save=False).ok

    def test_a_cancelled_amendment_is_purged_and_the_record_and_its_people_kept(self) -> None:
        alice = self.alice_practitioner_org_a
        with days(0):
            version = make_submitted_decision(alice)
            amendment = services.decision_amend_start(by=alice, decision=version.decision, reason="Typo")
            amendment = save_answers(
                alice,
                amendment,
                {"request": answers_for(["request"], {"request": {"purpose": "Neighbour Ann Lee"}})["request"]},
            )
            services.draft_discard(by=alice, draft=amendment)
        with days(31):
            run = run_housekeeping()
        assert not DecisionDraft.objects.filter(pk=amendment.pk).exists()
        assert "Neighbour Ann Lee" not in json.dumps(list(DecisionDraft.objects.values("answers")))
        decision = Decision.objects.get(pk=version.decision_id)
        assert decision.status == DecisionStatus.SUBMITTED and decision.case_reference == "CASE-123"
        assert DecisionPerson.objects.filter(decision=decision).count() == 1
        assert run.people_removed == 0

    def test_people_named_by_a_record_or_an_open_amendment_are_kept(self) -> None:
        alice = self.alice_practitioner_org_a
        with days(0):
            version = make_submitted_decision(alice)
            amendment = services.decision_amend_start(by=alice, decision=version.decision, reason="Add the mother")
            mother = services.person_create(
                by=alice, full_name="Mary Brown", date_of_birth=None, birth_date_accuracy="unknown"
            )
            people = list(amendment.answers["people"]["people"])
            people.append({**people[0], "person_id": mother.pk, "full_name": "Mary Brown", "part": "parent_carer"})
            services.draft_save_step(by=alice, draft=amendment, step_key="people", answers={"people": people})
            orphan = services.person_create(
                by=alice, full_name="Nobody Named", date_of_birth=None, birth_date_accuracy="unknown"
            )
        with days(31):
            run = run_housekeeping()
        assert Person.objects.filter(pk=mother.pk).exists()  # only the open amendment names her, so far
        assert Person.objects.filter(full_name="Jamie Brown").exists()
        assert not Person.objects.filter(pk=orphan.pk).exists()
        assert run.people_removed == 1

    def test_abandoned_drafts_are_listed_as_due_for_their_organisation_only(self) -> None:
        with days(0):
            old = self.new_draft()
            theirs = self.new_draft(self.bob_practitioner_org_b)
        with days(30):
            recent = self.new_draft()
        with days(91):
            page = self.client_for(self.ada_admin_org_a).get(DUE).content.decode()
        assert "Drafts nobody has saved for 90 days" in page
        assert old.decision.reference in page and "New record, never submitted" in page
        assert recent.decision.reference not in page and theirs.decision.reference not in page
        assert traces(page) == []  # the list shows no content of the drafts

    def test_an_admin_disposes_of_an_abandoned_draft_audited_without_its_content(self) -> None:
        with days(0):
            draft = self.new_draft()
        decision = draft.decision
        url = reverse("retention:draft_dispose", kwargs={"reference": decision.reference})
        with days(91):
            response = self.client_for(self.ada_admin_org_a).post(url, follow=True)
        assert "has been disposed of" in response.content.decode()
        assert stored_anywhere(decision) == []
        decision.refresh_from_db()
        assert decision.status == DecisionStatus.DISCARDED
        event = AuditEvent.objects.get(action=actions.DRAFT_DISPOSE)
        assert (event.target_ref, event.details) == (decision.reference, {"amendment": False, "untouched_days": 91})
        assert event.actor == self.ada_admin_org_a
        assert verify_chains(save=False).ok

    def test_disposing_of_a_draft_is_refused_when_not_abandoned_or_held_or_not_yours(self) -> None:
        with days(0):
            draft = self.new_draft()
        reference = draft.decision.reference
        url = reverse("retention:draft_dispose", kwargs={"reference": reference})
        with days(89):
            page = self.client_for(self.ada_admin_org_a).post(url, follow=True).content.decode()
        assert "it is not abandoned" in page
        with days(91):
            admin = self.client_for(self.ada_admin_org_a)
            assert self.client_for(self.alice_practitioner_org_a).post(url).status_code == 403
            assert self.client_for(self.bea_admin_org_b).post(url).status_code == 404
            assert admin.get(url).status_code == 405
            missing = reverse("retention:draft_dispose", kwargs={"reference": "OA-2099-99999"})
            assert admin.post(missing).status_code == 404
            retention.hold_place(by=self.ada_admin_org_a, reason="Inquiry")
            page = admin.post(url, follow=True).content.decode()
        assert "on legal hold" in page
        assert stored_anywhere(draft.decision) == sorted(SECRETS)
        assert not AuditEvent.objects.filter(action=actions.DRAFT_DISPOSE).exists()
